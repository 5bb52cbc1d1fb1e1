"""The seed-use model: shipped, offline and deterministic; its evaluation on the shared corpora."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import numpy as np
import pytest
from django.core.management import call_command

from annotator import recall
from audit.models import Sentence
from audit.paper_text import marks
from audit.seeduse import evaluation, training
from audit.seeduse.features import SentenceContext
from audit.seeduse.model import SHIPPED_PATH, SeedUseModel, shipped
from audit.templatetags.audit_tags import percent
from tests.conftest import CORPUS2_DIR, CORPUS_DIR
from tests.test_annotator_support import ingest

IMPLICIT = SentenceContext("All scores are averaged over five runs with different initializations.")
UNRELATED = SentenceContext("We thank the anonymous reviewers for their comments.")


class TestShippedModel:
    def test_it_loads_from_the_repository_and_reads_an_implicit_mention(self):
        model = SeedUseModel.from_bytes(SHIPPED_PATH.read_bytes())
        implicit, unrelated = model.score([IMPLICIT, UNRELATED])
        assert implicit.score > 0.5 > unrelated.score
        assert implicit.label == "performance_comparison"
        assert "runs" in implicit.drivers

    def test_scores_are_the_same_every_time(self):
        first = [s.score for s in shipped().score([IMPLICIT, UNRELATED])]
        again = SeedUseModel.from_bytes(SHIPPED_PATH.read_bytes())
        assert [s.score for s in again.score([IMPLICIT, UNRELATED])] == first

    def test_training_twice_on_the_same_sentences_gives_the_same_model(self):
        examples = training.written_examples()
        assert training.fit(examples).to_bytes() == training.fit(examples).to_bytes()


def paper(path) -> list[SentenceContext]:
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    return training.contexts(evaluation.read_lines(path))


class TestPaperPrior:
    def test_a_paper_about_seed_variance_raises_its_own_sentences(self):
        """Reimers and Gurevych (2017), unseen by the model, is a fifth seed talk: read in that
        paper, "a less favorable sequence of random numbers" is about seeds, and no score goes
        down."""
        name = "reimers2017-score-distributions.pdf"
        sentences = paper(CORPUS2_DIR / name)
        model = training.fit([e for e in training.shipped_examples() if e.paper != name])
        alone = model.score(sentences)
        read = model.score_paper(sentences)
        in_paper = read.sentences
        assert read.share > 10 * read.expected
        assert all(p.score > a.score for a, p in zip(alone, in_paper, strict=True))
        luck = next(i for i, s in enumerate(sentences) if "less favorable sequence" in s.text)
        assert alone[luck].score < 0.1 and in_paper[luck].score > 0.4

    def test_a_paper_that_says_little_about_seeds_reads_as_before(self):
        sentences = paper(CORPUS_DIR / "li2022-discourse-deixis.pdf")
        alone = [s.score for s in shipped().score(sentences)]
        read = shipped().score_paper(sentences)
        assert read.share < read.expected
        assert [s.score for s in read.sentences] == pytest.approx(alone)

    def test_a_model_stored_before_the_paper_prior_never_raises_a_score(self):
        model = shipped()
        old = SeedUseModel.from_bytes(replace(model, reference_share=None).to_bytes())
        assert old.reference_share is None
        sentences = [IMPLICIT, UNRELATED]
        assert old.score_paper(sentences).sentences == model.score(sentences)
        assert old.score_paper(sentences).share is None


def evaluate(gold_dir) -> dict:
    if not gold_dir.is_dir():
        pytest.skip(f"{gold_dir} is not present")
    out = io.StringIO()
    call_command("evaluate", "detection", gold_dir / "gold.jsonl", gold_dir, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
class TestEvaluateDetection:
    """The shipped model learned from both shared corpora, so both are measured leave one paper
    out; the floors are the figures measured when the model was trained, less a margin."""

    def test_the_explicit_corpus(self):
        figures = evaluate(CORPUS_DIR)
        assert figures["evaluation"] == "leave-one-paper-out"
        assert (figures["papers"], figures["gold_explicit"], figures["gold_implicit"]) == (
            12,
            21,
            0,
        )
        assert figures["recall_explicit"] == 1.0
        assert figures["recall_implicit"] is None
        # Measured: precision 0.955, suggestions 0.810, primary categories 0.833.
        assert figures["precision"] >= 0.9
        assert figures["suggestion_accuracy"] >= 0.78
        assert figures["paper_primary_accuracy"] >= 0.8

    def test_the_implicit_corpus(self):
        figures = evaluate(CORPUS2_DIR)
        assert figures["evaluation"] == "leave-one-paper-out"
        assert (figures["papers"], figures["gold_explicit"], figures["gold_implicit"]) == (
            16,
            37,
            72,
        )
        # Measured: explicit 1.000, implicit 0.917, precision 0.895, suggestions 0.835, primary
        # categories 0.750.
        assert figures["recall_explicit"] >= 0.97
        assert figures["recall_implicit"] >= 0.85
        assert figures["precision"] >= 0.88
        assert figures["suggestion_accuracy"] >= 0.8
        assert figures["paper_primary_accuracy"] >= 0.7


class TestProbesByScore:
    def test_the_estimate_of_missed_sentences_is_unbiased(self):
        """Unflagged sentences, the likelier a seed sentence the higher their score, drawn by
        score as a project draws them: over many draws the estimate averages the true count."""
        rng = np.random.default_rng(7)
        scores = rng.beta(0.3, 6, size=4000)
        missed = rng.random(4000) < 0.5 * scores
        weights = np.array([recall.weight(s) for s in scores])
        rate = recall.probe_rate(0.2, 200, weights.sum())
        probabilities = np.minimum(1, rate * weights)
        estimates = []
        for _ in range(400):
            drawn = np.flatnonzero(rng.random(4000) < probabilities)
            probes = [recall.Probe(probabilities[i], True, bool(missed[i])) for i in drawn]
            estimates.append(recall.estimate_recall(200, 200, 180, probes).estimated_missed)
        error = np.std(estimates) / np.sqrt(len(estimates))
        assert abs(np.mean(estimates) - missed.sum()) < 3 * error
        # Drawing by score finds the misses: most probes come from the few high scores.
        assert probabilities[missed].mean() > 3 * probabilities[~missed].mean()


@pytest.mark.django_db
class TestPaperPage:
    def test_each_highlight_says_why_and_what_the_model_suggests(self, client, alice, corpus):
        (paper,) = ingest(corpus, CORPUS_DIR, "li2022-discourse-deixis.pdf")
        client.force_login(alice)
        page = client.get(f"/papers/{paper.pk}/").content.decode()
        assert "matched “random seed of 11”" in page
        assert "Suggested: <strong>Single fixed seed</strong>" in page
        assert '<dd id="suggested-primary">Single fixed seed</dd>' in page
        assert 'id="seed-share"' not in page

    def test_a_paper_about_seed_variance_says_its_scores_were_raised(self, client, alice, corpus):
        (paper,) = ingest(corpus, CORPUS2_DIR, "reimers2017-score-distributions.pdf")
        assert paper.seed_share > 10 * paper.usual_seed_share
        client.force_login(alice)
        page = client.get(f"/papers/{paper.pk}/").content.decode()
        assert f"About {percent(paper.seed_share)} of its sentences, where " in page
        assert "the model's scores are raised to match" in page

    def test_a_sentence_only_the_model_flags_names_its_score_and_words(self):
        sentence = Sentence(
            text="Scores are averaged over three runs.", seed_score=0.734, drivers=["runs", "over"]
        )
        assert sentence.why == "model score 0.73 from “runs”, “over”"
        assert sentence.implicit
        assert marks(sentence) == [[31, 35], [20, 24]]
