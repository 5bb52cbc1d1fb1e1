"""How well the seed-use model reads papers: recall (explicit, implicit), precision, suggested
labels and suggested primary categories against gold, and leave-one-paper-out for a model that
learned from the very papers it is measured on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.conf import settings

from audit.ingest.pipeline import extract_paper
from audit.seeduse.features import SentenceContext, is_implicit
from audit.seeduse.gold import GoldPaper, read_gold, same
from audit.seeduse.model import PaperScores, suggested_primary
from audit.seeduse.training import Example, Line, contexts, pattern_kind

REFERENCE = "reference"


class Scorer(Protocol):
    """A trained learner: the shipped linear model, or spaCy's text classifier to compare."""

    def score_paper(self, sentences: Sequence[SentenceContext]) -> PaperScores: ...


@dataclass
class PaperSentences:
    """A paper's extracted sentences, in reading order."""

    file: str
    lines: list[Line]


@dataclass
class Figures:
    # None where the gold has nothing to measure it on (no implicit sentence, say).
    recall_explicit: float | None
    recall_implicit: float | None
    precision: float | None
    suggestion_accuracy: float | None
    primary_accuracy: float | None
    gold_explicit: int
    gold_implicit: int
    highlighted: int
    papers: int
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "recall_explicit": rounded(self.recall_explicit),
            "recall_implicit": rounded(self.recall_implicit),
            "precision": rounded(self.precision),
            "suggestion_accuracy": rounded(self.suggestion_accuracy),
            "paper_primary_accuracy": rounded(self.primary_accuracy),
            "papers": self.papers,
            "gold_explicit": self.gold_explicit,
            "gold_implicit": self.gold_implicit,
            "highlighted": self.highlighted,
        }


def examples(paper: PaperSentences, gold: GoldPaper) -> list[Example]:
    """The paper's sentences labelled by its gold; borderline sentences and references left out
    (they teach nothing either way)."""
    result = []
    for sentence, line in zip(contexts(paper.lines), paper.lines, strict=True):
        if line.kind == REFERENCE or any(same(b, line.text) for b in gold.excluded):
            continue
        match = next((g for g in gold.sentences if same(g.text, line.text)), None)
        result.append(
            Example(sentence, paper.file, match is not None, match.category if match else "")
        )
    return result


@dataclass
class _Counts:
    hits: dict[bool, int] = field(default_factory=lambda: {True: 0, False: 0})
    gold: dict[bool, int] = field(default_factory=lambda: {True: 0, False: 0})
    true_positive: int = 0
    predicted: int = 0
    suggested_right: int = 0
    suggested: int = 0
    primary_right: int = 0
    papers: int = 0
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)


def _score_paper(
    counts: _Counts, model: Scorer, threshold: float, paper: PaperSentences, gold: GoldPaper
) -> None:
    sentences = contexts(paper.lines)
    scored = model.score_paper(sentences).sentences
    found = [
        (line, s)
        for line, s in zip(paper.lines, scored, strict=True)
        if line.kind != REFERENCE and (line.pattern or s.score >= threshold)
    ]
    for g in gold.sentences:
        implicit = is_implicit(g.text)
        counts.gold[implicit] += 1
        match = next((s for line, s in found if same(g.text, line.text)), None)
        if match is None:
            counts.missed.append(f"{paper.file} p{g.page}: {g.text}")
            continue
        counts.hits[implicit] += 1
        counts.suggested += 1
        counts.suggested_right += match.label == g.category
    for line, s in found:
        if any(same(g.text, line.text) for g in gold.sentences):
            counts.true_positive += 1
            counts.predicted += 1
        elif not any(same(b, line.text) for b in gold.excluded):
            counts.predicted += 1
            counts.false_alarms.append(f"{paper.file} ({s.score:.2f}): {line.text}")
    counts.papers += 1
    counts.primary_right += suggested_primary([s for _, s in found]) == gold.primary


def _figures(counts: _Counts) -> Figures:
    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    return Figures(
        recall_explicit=share(counts.hits[False], counts.gold[False]),
        recall_implicit=share(counts.hits[True], counts.gold[True]),
        precision=share(counts.true_positive, counts.predicted),
        suggestion_accuracy=share(counts.suggested_right, counts.suggested),
        primary_accuracy=share(counts.primary_right, counts.papers),
        gold_explicit=counts.gold[False],
        gold_implicit=counts.gold[True],
        highlighted=counts.predicted,
        papers=counts.papers,
        missed=counts.missed,
        false_alarms=counts.false_alarms,
    )


def evaluate(
    model: Scorer,
    threshold: float,
    papers: Sequence[tuple[PaperSentences, GoldPaper]],
) -> Figures:
    """The model's figures on papers, as it stands."""
    counts = _Counts()
    for paper, gold in papers:
        _score_paper(counts, model, threshold, paper, gold)
    return _figures(counts)


def leave_one_paper_out(
    train: Callable[[list[Example]], Scorer],
    threshold: float,
    papers: Sequence[tuple[PaperSentences, GoldPaper]],
    learned_from: Sequence[Example],
) -> Figures:
    """Each paper scored by a model trained on `learned_from` less that paper's sentences."""
    counts = _Counts()
    for paper, gold in papers:
        model = train([e for e in learned_from if e.paper != paper.file])
        _score_paper(counts, model, threshold, paper, gold)
    return _figures(counts)


def gold_papers(gold_path: Path, pdf_dir: Path) -> list[tuple[PaperSentences, GoldPaper]]:
    """Each paper of a gold file read from its PDF in `pdf_dir`, as ingestion reads it.
    Raises ValueError naming a paper whose PDF is missing."""
    result = []
    for gold in read_gold(gold_path):
        path = pdf_dir / gold.file
        if not path.is_file():
            raise ValueError(f"{gold.file} is in {gold_path} but not in {pdf_dir}")
        result.append((PaperSentences(gold.file, read_lines(path)), gold))
    return result


def read_lines(path: Path) -> list[Line]:
    """A PDF's sentences in reading order, as ingestion reads them."""
    extracted = extract_paper(path, max_pages=settings.SEEDAUDIT_MAX_PAGES)
    return [
        Line(s.text, s.section, s.kind, s.paragraph, pattern_kind(s.terms, s.implicit))
        for s in extracted.sentences
    ]
