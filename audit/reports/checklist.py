"""A reviewer's checklist for one paper: its seed uses grouped safe / risky with the sentences
quoted, what to ask for instead of each risky use, items to tick (pre-ticked where the labels
support them) and the lab reports that tested its claims."""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotator.models import Project
from audit.lab.claims import LabReport, paper_reports
from audit.models import Paper
from audit.reports.advice import RISKS, Advice
from audit.reports.basis import Basis, Selection
from audit.reports.uses import PaperUses, SentenceUse, paper_uses
from audit.taxonomy import BY_LABEL, CATEGORIES, Category, Group, Label

# Uses that mean several runs were made: the ones whose sentences may say how many, and how
# much the results varied.
SEVERAL_RUNS = {
    Label.MODEL_SELECTION.value,
    Label.ENSEMBLE.value,
    Label.SENSITIVITY.value,
    Label.PERFORMANCE_COMPARISON.value,
}
_NUMBER = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|hundred)"
RUN_COUNT = re.compile(
    rf"\b{_NUMBER}\b(?:\s+[\w-]+){{0,3}}?\s+"
    r"(?:runs?|seeds?|restarts?|initiali[sz]ations?|models?|trials?|times)\b",
    re.IGNORECASE,
)
SPREAD = re.compile(
    r"standard deviations?|\bstd\b|\bvariances?\b|±|confidence intervals?|\berror bars?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CategoryUses:
    category: Category
    sentences: tuple[SentenceUse, ...]

    @property
    def advice(self) -> Advice | None:
        return RISKS.get(self.category.label.value)


@dataclass(frozen=True)
class Check:
    key: str
    text: str
    ticked: bool
    note: str  # why it is pre-ticked, or what the reviewer should look at


@dataclass(frozen=True)
class Checklist:
    selection: Selection
    uses: PaperUses
    safe: tuple[CategoryUses, ...]
    risky: tuple[CategoryUses, ...]
    other: tuple[SentenceUse, ...]  # not a seed use, or not decided yet
    checks: tuple[Check, ...]
    lab_reports: tuple[LabReport, ...]

    @property
    def paper(self) -> Paper:
        return self.uses.paper

    @property
    def sections(self) -> tuple[tuple[str, tuple[CategoryUses, ...]], ...]:
        """The use groups as every format shows them: risky first, empty ones left out."""
        titled = (("Risky uses", self.risky), ("Safe uses", self.safe))
        return tuple((title, groups) for title, groups in titled if groups)

    @property
    def byline(self) -> str:
        """Authors · venue and year · file."""
        paper = self.paper
        venue = paper.venue
        if paper.year and str(paper.year) not in venue:
            venue = f"{venue} {paper.year}".strip()
        return " · ".join(
            part for part in (", ".join(paper.authors), venue, paper.file_name) if part
        )

    @property
    def primary_name(self) -> str:
        """The paper's category for people, "Single fixed seed (risky)", or why it has none."""
        if not self.uses.primary:
            return "not yet labelled" if self.uses.sentences else "no seed use found"
        category = BY_LABEL[self.uses.primary]
        return f"{category.name} ({category.group.label.lower()})"


def build_checklist(paper: Paper, project: Project | None, basis: Basis) -> Checklist:
    selection = Selection(paper.corpus, project, basis)
    (uses,) = paper_uses(paper.corpus.papers.filter(pk=paper.pk), project, basis)
    return checklist_of(uses, selection)


def checklist_of(uses: PaperUses, selection: Selection) -> Checklist:
    """The checklist of a paper whose uses are loaded already (a corpus's, in a batch)."""
    by_group: dict[Group, list[CategoryUses]] = {Group.SAFE: [], Group.RISKY: []}
    for category in CATEGORIES:
        sentences = tuple(use for use in uses.sentences if use.label == category.label)
        if sentences and category.group in by_group:
            by_group[category.group].append(CategoryUses(category, sentences))
    other = tuple(use for use in uses.sentences if use.group in ("", Group.NONE))
    return Checklist(
        selection=selection,
        uses=uses,
        safe=tuple(by_group[Group.SAFE]),
        risky=tuple(by_group[Group.RISKY]),
        other=other,
        checks=checks(uses),
        lab_reports=tuple(paper_reports(uses.paper)),
    )


def checks(uses: PaperUses) -> tuple[Check, ...]:
    def first(label: str) -> SentenceUse | None:
        return next((use for use in uses.sentences if use.label == label), None)

    several = [use for use in uses.sentences if use.label in SEVERAL_RUNS]
    counted = next(
        ((use, m) for use in several if (m := RUN_COUNT.search(use.sentence.text))), None
    )
    spread = next(((use, m) for use in several if (m := SPREAD.search(use.sentence.text))), None)
    sensitivity = first(Label.SENSITIVITY.value)
    tuned = first(Label.MODEL_SELECTION.value)
    fixed = first(Label.FIXED_SEED.value)
    seed_only = first(Label.PERFORMANCE_COMPARISON.value)

    if counted:
        runs_note = f'{counted[0].location}: "{counted[1].group(0)}"'
    else:
        runs_note = "No highlighted sentence gives a number of runs." if several else ""
    if sensitivity:
        spread_note = f"{sensitivity.location} reports how results vary with the seed."
    elif spread:
        spread_note = f'{spread[0].location}: "{spread[1].group(0)}"'
    else:
        spread_note = ""
    if fixed:
        fixed_note = f"{fixed.location} uses a single fixed seed."
    elif several:
        fixed_note = f"Several seeds are run ({several[0].location}); no sentence fixes one."
    else:
        fixed_note = ""
    return (
        Check(
            "runs_reported",
            "Says how many runs (seeds) each reported result rests on.",
            bool(counted),
            runs_note,
        ),
        Check(
            "variation_reported",
            "Reports how much results vary across runs (standard deviation, range or "
            "interval), not only a mean or a single run.",
            bool(sensitivity or spread),
            spread_note,
        ),
        Check(
            "seed_tuned",
            "Treats the seed as a hyperparameter: tuned on development data, or sampled with "
            "the other hyperparameters.",
            bool(tuned),
            f"{tuned.location} selects among seeds." if tuned else "",
        ),
        Check(
            "no_fixed_seed",
            "Does not rely on a single fixed seed to make the results reproducible.",
            bool(several) and not fixed,
            fixed_note,
        ),
        Check(
            "sound_comparison",
            "Compares systems soundly: the best models on bootstrap samples of the test set, "
            "or model families sampled over all hyperparameters, not over seeds alone.",
            False,
            f"{seed_only.location} compares distributions over seeds alone." if seed_only else "",
        ),
        Check(
            "fixed_seed_caveat",
            "States that a fixed seed does not give the same results on other hardware or "
            "library versions.",
            False,
            f"Needed: {fixed.location} uses a single fixed seed." if fixed else "",
        ),
    )
