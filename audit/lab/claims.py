"""Which seed sentences make a claim the lab can test, and what came of the claims tested."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse

from annotator.labels import ItemLabels, item_labels
from annotator.models import Item, Project
from audit.access import blind_sentences
from audit.lab.models import TESTABLE_LABELS, Claim, Experiment, Run
from audit.lab.setups import available_setups
from audit.models import Paper, Sentence


def claim_labels(sentences: Iterable[Sentence], user=None) -> dict[int, str]:
    """Sentence id -> its label: the final label of an annotation project where one was reached
    (adjudicated, or agreed by all its annotators), else the seed-use model's suggestion.

    For a `user` who annotates a sentence not adjudicated yet, the suggestion alone: the label
    the others agreed on would tell them the others' labels."""
    sentences = list(sentences)
    labels = {sentence.pk: sentence.suggested_label for sentence in sentences}
    blind = blind_sentences(user, labels) if user is not None else set()
    items = Item.objects.filter(sentence__in=sentences).exclude(sentence__in=blind)
    decided: dict[int, list[ItemLabels]] = {}
    for project in Project.objects.filter(items__in=items).distinct():
        for entry in item_labels(project, items.filter(project=project)):
            if entry.final:
                decided.setdefault(entry.item.sentence_id, []).append(entry)
    # Two projects seldom decide one sentence differently; when they do, the latest adjudication
    # is the considered one.
    labels.update({pk: max(entries, key=_adjudicated).final for pk, entries in decided.items()})
    return labels


def _adjudicated(entry: ItemLabels) -> tuple[bool, datetime]:
    when = entry.item.adjudicated_at
    return when is not None, when or datetime.min.replace(tzinfo=UTC)


def is_testable(label: str) -> bool:
    return label in TESTABLE_LABELS


@dataclass(frozen=True)
class SentenceClaims:
    """A seed sentence as the paper page's lab button sees it."""

    testable: bool
    claims: list[Claim]


def sentence_claims(paper_id: int, user) -> dict[int, SentenceClaims]:
    """Per seed sentence of the paper, as `user` may see it: whether it can be tested, and its
    claims (none on a sentence whose labels are blind to them: a claim records its label)."""
    labels = claim_labels(Sentence.objects.filter(paper_id=paper_id, is_seed=True), user)
    blind = blind_sentences(user, labels)
    claims: dict[int, list[Claim]] = {}
    for claim in Claim.objects.filter(paper_id=paper_id).order_by("created_at", "pk"):
        if claim.sentence_id not in blind:
            claims.setdefault(claim.sentence_id, []).append(claim)
    return {
        pk: SentenceClaims(is_testable(label), claims.get(pk, [])) for pk, label in labels.items()
    }


_SEED_NUMBERS = re.compile(
    r"seeds?\b(?:\s*(?:of|was|were|is|are|set|fixed|to|at|=|:))*\s*\(?\s*"
    r"(\d+(?:\s*(?:,|and|&)\s*\d+)*)",
    re.IGNORECASE,
)


def named_seeds(sentence: Sentence) -> str:
    """The seeds a sentence names ("a random seed of 11", "seeds 1, 2 and 3",
    "torch.manual_seed(42)"), written as the lab form takes them; "" when it names none."""
    for text in (*sentence.terms, sentence.text):
        found = _SEED_NUMBERS.search(text)
        if found:
            return ", ".join(re.findall(r"\d+", found.group(1)))
    return ""


def trained_runs(runs: int, setups: int, retrain: int = 0) -> int:
    """Models a claim trains: per setup, n fixed-seed reruns in each mode, n seed-only runs and
    n configurations of the search, and the best configuration retrained `retrain` times (by
    default none: the best model's bootstrap resamples the search's run)."""
    return (4 * runs + retrain) * setups


# How many of a setup's latest runs here a claim's time is estimated from.
ESTIMATE_FROM_RUNS = 200


def seconds_per_model() -> dict[str, float]:
    """Mean training seconds per model of each lab setup, from its latest runs on this site's
    workers; setups never trained here are left out."""
    means = {}
    for name in available_setups():
        recent = list(
            Run.objects.filter(experiment__setup=name)
            .order_by("-pk")
            .values_list("seconds", flat=True)[:ESTIMATE_FROM_RUNS]
        )
        if recent:
            means[name] = sum(recent) / len(recent)
    return means


def claim_seconds(
    setups: Iterable[str], runs: int, per_model: dict[str, float], retrain: int = 0
) -> float | None:
    """About how long a claim trains, from `seconds_per_model`; None when a setup has no
    runs here to tell."""
    setups = list(setups)
    if not all(name in per_model for name in setups):
        return None
    return sum(trained_runs(runs, 1, retrain) * per_model[name] for name in setups)


def claim_size_error(runs: int, setups: int, retrain: int = 0) -> str:
    """Why a claim of this size may not start ("" when it may): SEEDAUDIT_MAX_CLAIM_RUNS."""
    most = settings.SEEDAUDIT_MAX_CLAIM_RUNS
    total = trained_runs(runs, setups, retrain)
    if total <= most:
        return ""
    return (
        f"This claim would train {total:,} models; a claim may train at most {most:,} "
        f"(SEEDAUDIT_MAX_CLAIM_RUNS). Ask for fewer runs per experiment or one setup."
    )


@dataclass(frozen=True)
class LabReport:
    """A claim of a paper as the reviewer checklist lists it."""

    claim_id: int
    url: str  # the report page's path on this site
    sentence: str
    setups: list[str]
    claimed_score: float
    finished: bool
    verdict: str

    @property
    def title(self) -> str:
        return f"{' vs '.join(self.setups)}, claimed score {self.claimed_score:g}"


def claim_state(claim: Claim, experiments: list[Experiment]) -> tuple[bool, str]:
    """(finished, one line): the report's verdict once built, else where the claim stands."""
    if claim.report is not None:
        return True, claim.verdict
    if claim.error:
        return True, f"No report: {claim.error}"
    failed = [e for e in experiments if e.status == Experiment.Status.FAILED]
    if failed:
        kind = failed[0].get_kind_display().lower()
        return (
            True,
            f"Not tested: the {kind} experiment on {failed[0].setup} failed: {failed[0].error}",
        )
    if any(e.status == Experiment.Status.CANCELLED for e in experiments):
        return True, "Not tested: cancelled before the experiments finished."
    done = sum(e.status == Experiment.Status.DONE for e in experiments)
    if done == len(experiments):
        return False, "The experiments are done; the report is being written."
    return False, f"Running: {done} of {len(experiments)} experiments done."


def paper_reports(paper: Paper) -> list[LabReport]:
    """The lab reports of a paper's claims, newest first, each with a one-line verdict."""
    claims = paper.lab_claims.select_related("sentence").prefetch_related("experiments")
    reports = []
    for claim in claims:
        finished, verdict = claim_state(claim, list(claim.experiments.all()))
        reports.append(
            LabReport(
                claim_id=claim.pk,
                url=reverse("lab:claim", kwargs={"claim_id": claim.pk}),
                sentence=claim.sentence.text,
                setups=claim.setups,
                claimed_score=claim.claimed_score,
                finished=finished,
                verdict=verdict,
            )
        )
    return reports
