"""Seed-sentence detection: the gold corpus, our own examples, and sentence segmentation."""

from __future__ import annotations

import importlib.util
import json

import pytest

from audit.detect import detector
from audit.ingest.pipeline import extract_paper
from audit.ingest.sentences import nlp
from tests.conftest import CORPUS_DIR


def _hits(text: str) -> list:
    pipeline = nlp()
    return detector(pipeline).sentences(pipeline(text))


def seed_terms(sentence: str) -> list[str]:
    """The seed terms found in one sentence ([] when it is not a seed sentence)."""
    found = _hits(sentence)
    assert len(found) == 1, f"expected one sentence, got {[s.text for s, _ in found]}"
    hit = found[0][1]
    return hit.terms if hit else []


def segments(text: str) -> list[str]:
    return [sentence.text for sentence, _ in _hits(text)]


def test_gold_recall_is_complete_and_precision_high(tmp_path):
    scorer_path = CORPUS_DIR.parent / "tools" / "score_gold.py"
    if not scorer_path.exists():
        pytest.skip("../shared/tools/score_gold.py is not present")
    spec = importlib.util.spec_from_file_location("score_gold", scorer_path)
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    gold = CORPUS_DIR / "gold.jsonl"
    found = tmp_path / "found.jsonl"
    with found.open("w") as out:
        for row in map(json.loads, gold.open()):
            paper = extract_paper(CORPUS_DIR / row["file"], max_pages=100)
            seeds = [{"text": s.text, "page": s.page} for s in paper.seed_sentences]
            out.write(json.dumps({"file": row["file"], "seed_sentences": seeds}) + "\n")
    score = scorer.score(str(gold), str(found))
    assert score["missed"] == []
    assert score["recall"] == 1.0
    assert score["precision"] >= 0.9, score["spurious"]


@pytest.mark.parametrize(
    ("sentence", "terms"),
    [
        # Explicit: every form of "seed", and seeding calls in code.
        ("We use a random seed of 11 for every experiment.", ["random seed of 11"]),
        ("Results are averaged over five different random seeds.", ["five different random seeds"]),
        ("All models were seeded with the value 1234.", ["seeded"]),
        ("Seeding the generators does not remove all nondeterminism.", ["Seeding"]),
        ("We call torch.manual_seed(42) before training.", ["torch.manual_seed(42"]),
        ("The data is shuffled after np.random.seed(0) is set.", ["np.random.seed(0"]),
        ("We pass random_state=7 to every scikit-learn estimator.", ["random_state=7"]),
        ("Seed words are taken from a sentiment lexicon.", ["Seed"]),
        # Implicit: no "seed", but runs that differ only in their random start.
        ("Scores are averaged over five random restarts.", ["averaged over five random restarts"]),
        ("We use random restarts to escape poor optima.", ["random restarts"]),
        ("We report medians over 100 initializations.", ["medians over 100 initializations"]),
        (
            "We compare runs with different random initializations of the encoder.",
            ["runs with different random initializations"],
        ),
        ("The mean of 10 independent runs is reported.", ["mean of 10 independent runs"]),
        ("We train the model with three random initialisations.", ["three random initialisations"]),
        ("We report the average performance over 5 runs.", ["average performance over 5 runs"]),
        ("Accuracy varies a lot across random initializations.", ["across random initializations"]),
        ("We repeat it with different data orders.", ["different data orders"]),
        ("We run each experiment 5 times and report the mean.", ["run each experiment 5 times"]),
        ("Each model is trained three times.", ["model is trained three times"]),
        (
            "The eight models differ only in their random initialization.",
            ["differ only in their random initialization"],
        ),
    ],
)
def test_seed_sentences_are_found_with_their_terms(sentence, terms):
    assert seed_terms(sentence) == terms


@pytest.mark.parametrize(
    "sentence",
    [
        "We add a randomly initialized BiLSTM on top of the encoder.",
        "The learning rate is 0.001 and the batch size is 32.",
        "Random forests are a strong baseline for tabular data.",
        "Embeddings are initialized with GloVe vectors.",
        "We run the parser on the whole treebank.",
        "The seedling dataset contains images of young plants.",
        "Our method runs 3 times faster than the baseline.",
        "The procedure is repeated 3 times until convergence.",
        "We report the average over 5 datasets.",
        "Word order differs across the two languages.",
    ],
)
def test_other_sentences_are_not_seed_sentences(sentence):
    assert seed_terms(sentence) == []


def test_implicit_hits_are_marked_implicit():
    ((_, explicit),) = _hits("We fix the random seed.")
    ((_, implicit),) = _hits("Scores are averaged over five random restarts.")
    assert not explicit.implicit
    assert implicit.implicit


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("Each experiment is run using a random seed of 11.", "fixed_seed"),
        ("The ensemble is made of four models trained with different random seeds.", "ensemble"),
        ("We grid search the learning rate and random seeds over [1, 2, 3].", "model_selection"),
        ("Our model is less sensitive to random seeds than other models.", "sensitivity"),
        (
            "We report the average accuracy over 5 random seeds for all systems.",
            "performance_comparison",
        ),
        ("Seeded KMeans uses labeled data to guide the clustering.", "not_seed_use"),
    ],
)
def test_a_category_is_suggested(sentence, label):
    ((_, hit),) = _hits(sentence)
    assert hit.suggested_label == label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Lee et al. (2018) propose a span model. We extend it.",
            ["Lee et al. (2018) propose a span model.", "We extend it."],
        ),
        (
            "As Fig. 2 and Sec. 3.1 show, accuracy rises to 0.93 (e.g. on SQuAD). It then falls.",
            [
                "As Fig. 2 and Sec. 3.1 show, accuracy rises to 0.93 (e.g. on SQuAD).",
                "It then falls.",
            ],
        ),
        (
            "We use the scorer (Yu et al., 2022b). Since DD resolution is hard, we also try Eq. 4.",
            [
                "We use the scorer (Yu et al., 2022b).",
                "Since DD resolution is hard, we also try Eq. 4.",
            ],
        ),
        (
            "He said “it works.” Then he left, i.e. quickly.",
            ["He said “it works.”", "Then he left, i.e. quickly."],
        ),
    ],
)
def test_sentences_survive_scientific_text(text, expected):
    assert segments(text) == expected
