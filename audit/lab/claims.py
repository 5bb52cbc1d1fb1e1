"""Which seed sentences make a claim the lab can test, and what came of the claims tested."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.urls import reverse

from annotator.labels import ItemLabels, item_labels
from annotator.models import Item, Project
from audit.lab.models import TESTABLE_LABELS, Claim, Experiment
from audit.models import Paper, Sentence


def claim_labels(sentences: Iterable[Sentence]) -> dict[int, str]:
    """Sentence id -> its label: the final label of an annotation project where one was reached
    (adjudicated, or agreed by all its annotators), else the highlighter's suggestion."""
    sentences = list(sentences)
    labels = {sentence.pk: sentence.suggested_label for sentence in sentences}
    items = Item.objects.filter(sentence__in=sentences)
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


def sentence_claims(paper_id: int) -> dict[int, SentenceClaims]:
    """Per seed sentence of the paper: whether it can be tested, and its claims."""
    sentences = Sentence.objects.filter(paper_id=paper_id, is_seed=True)
    claims: dict[int, list[Claim]] = {}
    for claim in Claim.objects.filter(paper_id=paper_id).order_by("created_at", "pk"):
        claims.setdefault(claim.sentence_id, []).append(claim)
    return {
        pk: SentenceClaims(is_testable(label), claims.get(pk, []))
        for pk, label in claim_labels(sentences).items()
    }


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
