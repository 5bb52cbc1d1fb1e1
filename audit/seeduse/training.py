"""Fitting a seed-use model from labelled sentences: the shipped data, gold files, a project's
final labels."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from audit.detect import detector
from audit.ingest.sentences import nlp
from audit.seeduse.features import SentenceContext, features, surroundings
from audit.seeduse.model import SeedUseModel
from audit.taxonomy import LABELS

SHIPPED_DATA = Path(__file__).with_name("data") / "sentences.jsonl.gz"
WRITTEN_DATA = Path(__file__).with_name("data") / "written.tsv"
WRITTEN = "written"  # the paper name of the sentences in WRITTEN_DATA
# A feature seen in fewer training sentences than this is noise, not evidence.
MIN_COUNT = 2
# Inverse regularisation strengths, chosen by leave-one-paper-out on the shared corpora.
SEED_C = 1.0
LABEL_C = 4.0
# Seed sentences are one in a hundred; weighting them up puts the model's 0.5 near where recall
# and precision balance instead of far up the negatives' side.
SEED_CLASS_WEIGHT = 8.0
# A written sentence stands for a way of speaking that many papers share, where a corpus
# sentence is one paper's wording; weighted up (chosen by leave-one-paper-out) so that it counts.
WRITTEN_WEIGHT = 3.0
# Folds of whole papers whose out-of-fold scores give the share of seed sentences the model
# expects of a paper it has not seen.
PRIOR_FOLDS = 4


@dataclass(frozen=True)
class Example:
    sentence: SentenceContext
    paper: str
    is_seed: bool
    label: str = ""  # a seed sentence's label; "" when unknown


@dataclass(frozen=True)
class Line:
    """A sentence of a paper in reading order, before its neighbours are known."""

    text: str
    section: str
    kind: str
    paragraph: int
    pattern: str


def contexts(lines: Sequence[Line]) -> list[SentenceContext]:
    """Each sentence with its neighbours in the same paragraph, and how seed-heavy its paper and
    section are."""
    around = surroundings([line.text for line in lines], [line.section for line in lines])
    result = []
    for i, line in enumerate(lines):
        before = lines[i - 1] if i > 0 else None
        after = lines[i + 1] if i + 1 < len(lines) else None
        result.append(
            SentenceContext(
                text=line.text,
                section=line.section,
                kind=line.kind,
                previous=before.text if before and before.paragraph == line.paragraph else "",
                following=after.text if after and after.paragraph == line.paragraph else "",
                pattern=line.pattern,
                around=around[i],
            )
        )
    return result


def fit(
    examples: Sequence[Example],
    about: dict | None = None,
    whole_papers: Collection[str] | None = None,
) -> SeedUseModel:
    """A model fitted to `examples`; the same examples give the same model.

    `whole_papers` names the papers whose every sentence is among the examples (default: all
    but the written sentences); the model's reference share of seed sentences is measured on
    them.
    """
    counts = Counter(name for e in examples for name in set(features(e.sentence)))
    vocabulary = sorted(name for name, count in counts.items() if count >= MIN_COUNT)
    empty = SeedUseModel(
        vocabulary, np.zeros(len(vocabulary)), 0.0, np.zeros((len(vocabulary), len(LABELS))),
        np.zeros(len(LABELS)),
    )  # fmt: skip
    x = empty.matrix([e.sentence for e in examples])
    seed = np.array([e.is_seed for e in examples])
    weight = np.array([WRITTEN_WEIGHT if e.paper == WRITTEN else 1.0 for e in examples])
    detector = _detector().fit(x, seed, sample_weight=weight)
    labelled = [i for i, e in enumerate(examples) if e.is_seed and e.label]
    label_of = {label: i for i, label in enumerate(LABELS)}
    y = np.array([label_of[examples[i].label] for i in labelled])
    # Only the features seen in labelled sentences can carry a label's weight; fitting on those
    # columns alone is the same model, found in a fraction of the time.
    seen = np.asarray(x[labelled].sum(axis=0)).ravel() > 0
    columns = np.flatnonzero(seen & ~np.char.startswith(np.array(vocabulary), "a:"))
    classifier = LogisticRegression(C=LABEL_C, max_iter=2000).fit(
        x[labelled][:, columns], y, sample_weight=weight[labelled]
    )
    label_weights = np.zeros((len(vocabulary), len(LABELS)))
    label_bias = np.full(len(LABELS), -30.0)  # a label never seen in training is never chosen
    for row, label in enumerate(classifier.classes_):
        label_weights[columns, label] = classifier.coef_[row]
        label_bias[label] = classifier.intercept_[row]
    return SeedUseModel(
        vocabulary=vocabulary,
        seed_weights=detector.coef_[0],
        seed_bias=float(detector.intercept_[0]),
        label_weights=label_weights,
        label_bias=label_bias,
        about=about or {},
        reference_share=_reference_share(
            x, seed, weight, [e.paper for e in examples], whole_papers
        ),
        seed_weight=SEED_CLASS_WEIGHT,
    )


def _detector() -> LogisticRegression:
    return LogisticRegression(
        C=SEED_C, class_weight={False: 1.0, True: SEED_CLASS_WEIGHT}, max_iter=2000
    )


def _reference_share(
    x, seed: np.ndarray, weight: np.ndarray, papers: list[str], whole: Collection[str] | None
) -> float | None:
    """The mean probability, out of fold and undoing the seed sentences' weight, that a
    sentence of a whole paper is a seed sentence: what the detector expects of a paper it has
    not seen. In sample it would expect more than it finds in new papers, and every paper would
    look like one that talks of seeds less than usual. None without two whole papers."""
    names = sorted(set(papers) - {WRITTEN} if whole is None else set(whole) & set(papers))
    if len(names) < 2:
        return None
    paper_of = np.array(papers)
    probabilities = []
    for fold in range(min(PRIOR_FOLDS, len(names))):
        held_out = np.isin(paper_of, names[fold::PRIOR_FOLDS])
        detector = _detector().fit(x[~held_out], seed[~held_out], sample_weight=weight[~held_out])
        logits = detector.decision_function(x[held_out]) - np.log(SEED_CLASS_WEIGHT)
        probabilities.append(1.0 / (1.0 + np.exp(-logits)))
    return float(np.concatenate(probabilities).mean())


def read_examples(path: Path) -> list[Example]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [
        Example(SentenceContext(**row["sentence"]), row["paper"], row["is_seed"], row["label"])
        for row in rows
    ]


def write_examples(examples: Iterable[Example], path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for example in examples:
            f.write(json.dumps(asdict(example)) + "\n")


def pattern_kind(terms: Sequence[str], implicit: bool) -> str:
    if not terms:
        return ""
    return "implicit" if implicit else "explicit"


def pattern_kinds(texts: Sequence[str]) -> list[str]:
    """What the seed patterns say of each sentence on its own: "explicit", "implicit" or ""."""
    seeds = detector(nlp())
    kinds = []
    for doc in nlp().pipe(texts):
        hits = [hit for _, hit in seeds.sentences(doc) if hit]
        kinds.append(("implicit" if all(h.implicit for h in hits) else "explicit") if hits else "")
    return kinds


def written_examples(path: Path = WRITTEN_DATA) -> list[Example]:
    """The sentences seedaudit's authors wrote: `label<TAB>text` lines, "-" for not a seed."""
    rows = [
        line.split("\t", 1)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    kinds = pattern_kinds([text for _, text in rows])
    return [
        Example(SentenceContext(text, pattern=kind), WRITTEN, label != "-", label.strip("-"))
        for (label, text), kind in zip(rows, kinds, strict=True)
    ]


def shipped_examples() -> list[Example]:
    """What the shipped model learned from: the shared corpora's sentences and written ones."""
    return read_examples(SHIPPED_DATA) + written_examples()


def describe(examples: Sequence[Example]) -> dict:
    """What a model learned from, in numbers people can check."""
    return {
        "sentences": len(examples),
        "seed_sentences": sum(e.is_seed for e in examples),
        "papers": len({e.paper for e in examples}),
        "paper_names": sorted({e.paper for e in examples}),
        "labels": dict(sorted(Counter(e.label for e in examples if e.is_seed).items())),
    }
