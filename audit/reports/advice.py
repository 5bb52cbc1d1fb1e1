"""Why each risky use is risky and what authors should do instead, after Bethard (2022), §2.4
and §2.5: what the checklist tells a reviewer to ask for."""

from __future__ import annotations

from dataclasses import dataclass

from audit.taxonomy import Label

SOURCE = "Bethard (2022), We need to talk about random seeds"


@dataclass(frozen=True)
class Advice:
    section: str
    why: str
    instead: tuple[str, ...]


RISKS: dict[str, Advice] = {
    Label.FIXED_SEED.value: Advice(
        section="§2.4",
        why=(
            "A fixed seed does not guarantee replication: the same seed can give different "
            "results on other hardware (GPUs especially) or with other library versions. And a "
            "seed that is never varied is a hyperparameter left untuned: the reported score "
            "underestimates what the architecture can do."
        ),
        instead=(
            "Tune the seed like any other hyperparameter, e.g. random search over all "
            "hyperparameters with the seed among them, selecting on development data.",
            "If compute allows a single seed only, say so and acknowledge that performance may "
            "be underestimated.",
            "State that a fixed seed does not guarantee the same results on other hardware or "
            "library versions.",
        ),
    ),
    Label.PERFORMANCE_COMPARISON.value: Advice(
        section="§2.5",
        why=(
            "Scores from varying only the seed are a set of suboptimal models when the best "
            "models are compared, and a small, biased slice of each model family when families "
            "are compared: a family spans all hyperparameters, not only seeds."
        ),
        instead=(
            "To compare the best models: tune the seed with the other hyperparameters, then "
            "compare the best model of each system on bootstrap samples of the test set.",
            "To compare model families: train many models sampled across all hyperparameters, "
            "not only the seed, and compare those distributions.",
        ),
    ),
}
