from __future__ import annotations

import re

from django import forms

from audit.lab.claims import claim_size_error
from audit.lab.models import MAX_RUNS, MIN_RUNS, Experiment
from audit.lab.setups import available_setups
from audit.lab.space import SEED_LIMIT

# Runs per experiment a page may ask for: a claim trains about 4x this many per setup.
MAX_CLAIM_RUNS = min(MAX_RUNS, 256)


def _setup_choices() -> list[tuple[str, str]]:
    return [(name, f"{name}: {setup.description}") for name, setup in available_setups().items()]


class ClaimForm(forms.Form):
    setup = forms.ChoiceField(choices=_setup_choices)
    other_setup = forms.ChoiceField(
        label="Compare with",
        required=False,
        choices=lambda: [("", "no second setup"), *_setup_choices()],
        help_text="A stand-in for the baseline the paper says its model beats. The first setup "
        "stands in for the paper's model, and the report tests that claim one-sided, as stated "
        "before any run.",
    )
    claimed_score = forms.FloatField(
        help_text="As the paper reports it: 0.853 or 85.3 (%).", min_value=0, max_value=100
    )
    seeds = forms.CharField(
        help_text="The seed or seeds the paper names, e.g. 42 or 1, 2, 3. The first is rerun."
    )
    runs = forms.IntegerField(
        initial=16,
        min_value=MIN_RUNS,
        max_value=MAX_CLAIM_RUNS,
        help_text="Runs per experiment.",
    )
    retrain = forms.IntegerField(
        label="Retrain the best configuration",
        initial=0,
        min_value=0,
        max_value=MAX_CLAIM_RUNS,
        required=False,
        help_text="New seeds to retrain the search's best configuration with, so that the best "
        "model's distribution includes training variance; 0 resamples the test set of the one "
        "run the search trained.",
    )
    device = forms.ChoiceField(choices=Experiment.Device.choices, initial=Experiment.Device.AUTO)

    def clean_claimed_score(self) -> float:
        score = self.cleaned_data["claimed_score"]
        # Papers write accuracies both ways; no score of interest lies in (0, 1] as a percentage.
        return score / 100 if score > 1 else score

    def clean_retrain(self) -> int:
        retrain = self.cleaned_data["retrain"] or 0
        if retrain == 1:
            raise forms.ValidationError("Retrain with 2 seeds or more (one shows no spread), or 0.")
        return retrain

    def clean_seeds(self) -> list[int]:
        text = self.cleaned_data["seeds"]
        if not re.fullmatch(r"\s*\d+(\s*[,; ]\s*\d+)*\s*", text):
            raise forms.ValidationError("Give whole numbers separated by commas.")
        seeds = [int(seed) for seed in re.findall(r"\d+", text)]
        if any(seed >= SEED_LIMIT for seed in seeds):
            raise forms.ValidationError(f"Seeds must be below {SEED_LIMIT:,}.")
        return seeds

    def clean(self):
        cleaned = super().clean()
        self._check_size(cleaned)
        setup, other = cleaned.get("setup"), cleaned.get("other_setup")
        if setup and other:
            if setup == other:
                self.add_error("other_setup", "Choose a different setup to compare with.")
                return cleaned
            setups = available_setups()
            gold = [setups[name].data.test.labels for name in (setup, other)]
            if gold[0].shape != gold[1].shape or not (gold[0] == gold[1]).all():
                self.add_error(
                    "other_setup",
                    f"{other} is tested on other examples than {setup}: two setups are "
                    "compared on the same test set.",
                )
        return cleaned

    def _check_size(self, cleaned: dict) -> None:
        if self.errors or "runs" not in cleaned:
            return
        setups = [name for name in (cleaned.get("setup"), cleaned.get("other_setup")) if name]
        if too_big := claim_size_error(cleaned["runs"], len(setups), cleaned.get("retrain", 0)):
            self.add_error("runs", too_big)

    @property
    def setups(self) -> list[str]:
        return [
            name for name in (self.cleaned_data["setup"], self.cleaned_data["other_setup"]) if name
        ]
