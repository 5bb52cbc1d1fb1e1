"""spaCy's text classifier, measured against the linear model: it learns from the project's
examples, gives probabilities, and gives the same ones every time it is trained."""

from __future__ import annotations

import pytest

from audit.seeduse import textcat, training
from audit.seeduse.features import SentenceContext
from audit.taxonomy import LABELS, Label

IMPLICIT = SentenceContext("All scores are averaged over five runs with different initializations.")
EXPLICIT = SentenceContext("We fix the random seed to 42 for all experiments.")
UNRELATED = SentenceContext("We thank the anonymous reviewers for their comments.")


@pytest.fixture(scope="module")
def examples() -> list[training.Example]:
    """The sentences we wrote and one shared paper's (the shipped data, a few hundred rows)."""
    shipped = training.read_examples(training.SHIPPED_DATA)
    paper = "li2022-discourse-deixis.pdf"
    return training.written_examples() + [e for e in shipped if e.paper == paper]


@pytest.fixture(scope="module")
def model(examples) -> textcat.TextcatModel:
    return textcat.fit(examples)


def test_it_gives_probabilities_that_tell_seed_sentences_apart(model):
    scored = model.score([IMPLICIT, EXPLICIT, UNRELATED])
    implicit, explicit, unrelated = scored
    assert all(0.0 <= s.score <= 1.0 and 0.0 < s.confidence <= 1.0 for s in scored)
    assert min(implicit.score, explicit.score) > 0.5 > unrelated.score
    assert {s.label for s in scored} <= set(LABELS)
    # "not a seed use" is the word in another sense: never suggested without it.
    assert implicit.label != Label.NOT_SEED_USE


def test_training_twice_on_the_same_sentences_gives_the_same_scores(examples, model):
    sentences = [IMPLICIT, EXPLICIT, UNRELATED]
    first = model.score(sentences)
    again = textcat.fit(examples).score(sentences)
    assert [(s.score, s.label, s.confidence) for s in again] == [
        (s.score, s.label, s.confidence) for s in first
    ]
