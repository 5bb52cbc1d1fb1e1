"""spaCy's text classifier as the seed-use model's learner, to measure against the linear model.

It learns from the same examples as `training.fit` and scores sentences as `SeedUseModel.score`
does, so `evaluation` measures both learners the same way (`manage.py evaluate detection
--learner textcat`). Two pipelines from blank English, without vectors: a `textcat_multilabel`
with the one label "seed" for the probability, a `textcat` over the six labels for the
suggestion. Neither is shipped: it trains for minutes where the linear model takes seconds, and
cannot name the words behind a score.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example as SpacyExample
from spacy.util import fix_random_seed, minibatch

from audit.seeduse.features import SentenceContext, features, is_implicit
from audit.seeduse.model import PaperScores, Scored
from audit.seeduse.training import SEED_CLASS_WEIGHT, Example
from audit.taxonomy import Label

SEED = "seed"
RANDOM_SEED = 0
# Passes over the training sentences, chosen by leave-one-paper-out on the shared corpora: the
# label classifier learns from a few hundred seed sentences and needs many more passes.
EPOCHS = 5
LABEL_EPOCHS = 40
BATCH_SIZE = 32
DROPOUT = 0.1
# spaCy's bag of words (unigrams and bigrams, as the linear model sees them) and its default
# ensemble of that with a CNN over hashed word embeddings.
ARCHITECTURES = {
    "bow": {"@architectures": "spacy.TextCatBOW.v3", "ngram_size": 2, "no_output_layer": False},
    "ensemble": {
        "@architectures": "spacy.TextCatEnsemble.v2",
        "tok2vec": {
            "@architectures": "spacy.Tok2Vec.v2",
            "embed": {
                "@architectures": "spacy.MultiHashEmbed.v2",
                "width": 64,
                "rows": [2000, 2000, 500, 1000, 500],
                "attrs": ["NORM", "LOWER", "PREFIX", "SUFFIX", "SHAPE"],
                "include_static_vectors": False,
            },
            "encode": {
                "@architectures": "spacy.MaxoutWindowEncoder.v2",
                "width": 64,
                "window_size": 1,
                "maxout_pieces": 3,
                "depth": 2,
            },
        },
        "linear_model": {
            "@architectures": "spacy.TextCatBOW.v3",
            "ngram_size": 1,
            "no_output_layer": False,
        },
    },
}


@lru_cache(maxsize=2**16)
def tokens(sentence: SentenceContext) -> tuple[str, ...]:
    """The sentence's words as the linear model reads them, then the rest of what it sees (kind,
    section, cues, neighbours, patterns, how seed-heavy the paper is) as tokens of their own: both
    learners get the same evidence."""
    found = features(sentence)
    words = [name[2:] for name in found if name.startswith("w:")]
    return (*words, *(name for name in found if not name.startswith(("w:", "b:"))))


def _pipeline(component: str, architecture: str, labels: Sequence[str]) -> Language:
    nlp = spacy.blank("en")
    exclusive = {"exclusive_classes": component == "textcat"}
    model = ARCHITECTURES[architecture]
    if "linear_model" in model:
        model = {**model, "linear_model": {**model["linear_model"], **exclusive}}
    else:
        model = {**model, **exclusive}
    pipe = nlp.add_pipe(component, config={"model": model})
    for label in labels:
        pipe.add_label(label)
    return nlp


def _train(
    nlp: Language, rows: list[tuple[SentenceContext, dict[str, float]]], epochs: int
) -> Language:
    fix_random_seed(RANDOM_SEED)
    examples = [
        SpacyExample.from_dict(Doc(nlp.vocab, words=list(tokens(s))), {"cats": cats})
        for s, cats in rows
    ]
    optimizer = nlp.initialize(lambda: examples)
    order = random.Random(RANDOM_SEED)
    for _ in range(epochs):
        order.shuffle(examples)
        for batch in minibatch(examples, size=BATCH_SIZE):
            nlp.update(batch, sgd=optimizer, drop=DROPOUT)
    return nlp


def _predict(nlp: Language, sentences: Sequence[SentenceContext]) -> np.ndarray:
    pipe = nlp.pipeline[0][1]
    docs = [Doc(nlp.vocab, words=list(tokens(s))) for s in sentences]
    return np.asarray(pipe.predict(docs), dtype=np.float64)


@dataclass
class TextcatModel:
    detector: Language
    classifier: Language

    def score(self, sentences: Sequence[SentenceContext]) -> list[Scored]:
        """Every sentence scored in one pass; the same rule as the linear model's: a sentence
        that never says "seed" is never "not a seed use"."""
        if not sentences:
            return []
        seed = _predict(self.detector, sentences)[:, 0]
        probabilities = _predict(self.classifier, sentences)
        labels = self.classifier.pipeline[0][1].labels
        if Label.NOT_SEED_USE in labels:
            column = labels.index(Label.NOT_SEED_USE)
            probabilities[[is_implicit(s.text) for s in sentences], column] = 0.0
            probabilities /= probabilities.sum(axis=1, keepdims=True)
        best = probabilities.argmax(axis=1)
        return [
            Scored(score=score, label=labels[label], confidence=sure, drivers=[])
            for score, label, sure in zip(
                seed.tolist(),
                best.tolist(),
                probabilities[np.arange(len(best)), best].tolist(),
                strict=True,
            )
        ]

    def score_paper(self, sentences: Sequence[SentenceContext]) -> PaperScores:
        """A paper's sentences scored as they are: only the linear model raises them by their
        paper's share of seed talk, so `evaluate --learner` compares the learners alone."""
        return PaperScores(self.score(sentences))


def fit(examples: Sequence[Example], architecture: str = "bow") -> TextcatModel:
    """A textcat model trained on `examples` with fixed seeds: the same examples give the same
    scores. Seed sentences count `SEED_CLASS_WEIGHT` times, as in the linear model."""
    detector_rows = [
        (e.sentence, {SEED: float(e.is_seed)})
        for e in examples
        for _ in range(int(SEED_CLASS_WEIGHT) if e.is_seed else 1)
    ]
    labelled = [e for e in examples if e.is_seed and e.label]
    labels = sorted({e.label for e in labelled})
    classifier_rows = [
        (e.sentence, {label: float(label == e.label) for label in labels}) for e in labelled
    ]
    return TextcatModel(
        detector=_train(
            _pipeline("textcat_multilabel", architecture, [SEED]), detector_rows, EPOCHS
        ),
        classifier=_train(
            _pipeline("textcat", architecture, labels), classifier_rows, LABEL_EPOCHS
        ),
    )
