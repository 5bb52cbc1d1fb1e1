"""Which label counts per paper, from which annotation project, over which papers.

Bethard (2022) counted one category per paper, picking a "primary" one arbitrarily when several
applied. A report says which of three bases it counts with, on the page and in every file:

- `primary`: the paper's primary category in the project: what most of its annotators confirmed,
  else the default from its sentences' final labels (`annotator.primary`). One per paper, as
  Bethard counted; the default for Table 1, the chart and the spreadsheet.
- `final`: every category among the final labels of the paper's sentences (adjudicated, or given
  alike by all their annotators). A paper with two uses counts in both rows of Table 1.
- `suggested`: one category per paper as with `primary`'s default, from the final labels where
  there are some and the seed-use model's suggestions for the sentences nobody has decided yet;
  a paper none of whose sentences is decided gets the model's suggested primary use. The
  checklist's default: a reviewer's paper is usually one nobody has labelled.

Labels come from one annotation project of the corpus: the one chosen, else the corpus's default
project (its first, which imports and exports use when none is named). In the browser a
project's labels are left out for the people who annotate it until its results are open
(`audit.access.report_projects`): labelling is blind. Without a project, only the suggestions
are there to count.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet

from annotator.models import Project
from audit.models import Corpus, Paper


class Basis(models.TextChoices):
    PRIMARY = "primary", "Primary category"
    FINAL = "final", "All final labels"
    SUGGESTED = "suggested", "Final labels, else suggestions"


DESCRIPTIONS = {
    Basis.PRIMARY: "one category per paper: the primary category its annotators confirmed, else "
    "the one its final sentence labels give (risky uses first)",
    Basis.FINAL: "every category among a paper's final sentence labels (adjudicated or "
    "unanimous); a paper with several uses counts once in each",
    Basis.SUGGESTED: "one category per paper, from its final sentence labels and, for sentences "
    "nobody has decided yet, the seed-use model's suggestions (its suggested primary use when "
    "none is decided)",
}


@dataclass(frozen=True)
class Selection:
    """The papers a report covers and how it counts them."""

    corpus: Corpus
    project: Project | None
    basis: Basis
    year_from: int | None = None
    year_to: int | None = None
    venue: str = ""

    def papers(self) -> QuerySet[Paper]:
        """The corpus's processed papers in the filter (papers still in the queue have no text)."""
        papers = self.corpus.papers.filter(status=Paper.Status.DONE)
        if self.year_from is not None:
            papers = papers.filter(year__gte=self.year_from)
        if self.year_to is not None:
            papers = papers.filter(year__lte=self.year_to)
        if self.venue:
            papers = papers.filter(venue=self.venue)
        return papers

    @property
    def source(self) -> str:
        return f"project {self.project.name}" if self.project else "no annotation project"

    @property
    def counting(self) -> str:
        """How labels count, for people: the basis, its meaning and where the labels come from."""
        return f"{self.basis.label.lower()} ({self.source}) — {DESCRIPTIONS[self.basis]}"

    @property
    def scope(self) -> str:
        """Which papers, for people: "corpus acl, 2018–2021, venue ACL"."""
        parts = [f"corpus {self.corpus.name}"]
        if self.year_from is not None or self.year_to is not None:
            low = self.year_from if self.year_from is not None else "…"
            high = self.year_to if self.year_to is not None else "…"
            parts.append(str(low) if low == high else f"{low}–{high}")
        if self.venue:
            parts.append(f"venue {self.venue}")
        return ", ".join(parts)

    def query(self) -> dict[str, str]:
        """The selection as URL parameters, so that downloads match the page."""
        values = {
            "basis": self.basis.value,
            "project": str(self.project.pk) if self.project else "",
            "year_from": "" if self.year_from is None else str(self.year_from),
            "year_to": "" if self.year_to is None else str(self.year_to),
            "venue": self.venue,
        }
        return {key: value for key, value in values.items() if value}
