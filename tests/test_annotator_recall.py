"""Measuring the highlighter's recall with probes: the draw, the estimate, what the page shows."""

from __future__ import annotations

import pytest

from annotator import actions, recall
from annotator.models import Assignment, Item
from annotator.queue import next_cards
from annotator.recall import Probe, estimate_recall
from tests.test_annotator_support import (
    PAPERS,
    ingest,
    label,
    person,
    project_with,
)


class TestDraw:
    def test_a_sentence_the_model_nearly_flags_weighs_more(self):
        assert recall.weight(0.0) == 1
        assert recall.weight(0.1) == pytest.approx(11)

    def test_a_sentence_is_drawn_the_same_way_every_time(self):
        draws = [recall.is_drawn(42, sentence, 0.3) for sentence in range(2000)]
        assert draws == [recall.is_drawn(42, sentence, 0.3) for sentence in range(2000)]
        assert 0.27 < sum(draws) / len(draws) < 0.33

    def test_the_rate_makes_probes_the_share_of_the_queue(self):
        # 95 flagged sentences and a 5% share want 5 probes, from a frame weighing 500.
        rate = recall.probe_rate(0.05, 95, 500.0)
        assert rate * 500 == pytest.approx(5)
        assert recall.inclusion_probability(rate, 10) == pytest.approx(0.1)
        assert recall.inclusion_probability(1.0, 10) == 1.0


class TestEstimate:
    def test_misses_are_weighted_back_by_their_chance_of_being_drawn(self):
        # 40 seed uses flagged; probes: a miss drawn with p=0.1 stands for 10 sentences, and the
        # 18 others for 10 (p=0.1) or 100 (p=0.01) each: about 10 misses among 1,090 unflagged.
        probes = [Probe(0.1, True, True)] + [Probe(0.1, True, False)] * 8
        probes += [Probe(0.01, True, False)] * 10
        found = estimate_recall(40, 40, 40, probes)
        assert found.estimated_missed == pytest.approx(10.0)
        assert found.recall == pytest.approx(40 / 50)
        assert found.low < found.recall < found.high <= 1

    def test_no_miss_yet_still_leaves_room_below_one(self):
        found = estimate_recall(20, 20, 20, [Probe(0.05, True, False)] * 12)
        assert found.recall == 1.0
        assert found.high == 1.0 and found.low < 0.9

    def test_undecided_flagged_sentences_scale_the_count_and_undecided_probes_wait(self):
        found = estimate_recall(10, 5, 4, [Probe(0.5, False, False)])
        assert found.flagged_seed_uses == 8
        assert found.recall is None and found.probes_decided == 0

    def test_a_candidate_pattern_starts_at_the_weak_cue(self):
        pattern = recall.candidate_pattern("Scores are averaged over 10 runs.")
        assert 'name = "candidate: averaged over 10 runs"' in pattern
        assert '{ LOWER = "averaged" }, { LOWER = "over" }, { LIKE_NUM = true }' in pattern
        assert recall.candidate_pattern("We thank the reviewers.") is None


@pytest.mark.django_db
class TestInProject:
    @pytest.fixture
    def project(self, corpus, corpus_dir, bob):
        ingest(corpus, corpus_dir, *PAPERS)
        return project_with(corpus, [bob, person("dave")], overlap=1, probe_share=0.5)

    def test_probes_join_the_queues_drawn_with_their_weights(self, project):
        probes = list(project.items.filter(is_probe=True).select_related("sentence"))
        highlighted = project.items.filter(is_probe=False).count()
        assert highlighted == 6 and len(probes) >= 1
        for probe in probes:
            assert not probe.sentence.is_seed and probe.sentence.kind != "reference"
            rate = project.probe_rate * recall.weight(probe.sentence.seed_score)
            assert probe.inclusion_probability == pytest.approx(min(1, rate))
        assert actions.sync_items(project) == 0

    def test_a_probe_card_looks_like_a_highlighted_one(self, project, bob):
        cards = next_cards(project, bob, limit=100)
        probe_ids = set(
            Assignment.objects.filter(item__is_probe=True, annotator=bob).values_list(
                "pk", flat=True
            )
        )
        shown = [c for c in cards if c["assignment"] in probe_ids]
        flagged = [c for c in cards if c["assignment"] not in probe_ids]
        assert shown and flagged
        assert {tuple(c) for c in shown} == {tuple(c) for c in flagged}

    def test_the_project_page_shows_recall_and_the_missed_sentence_with_a_pattern(
        self, client, project, bob
    ):
        maria = person("maria", staff=True)
        probe = (
            Item.objects.filter(project=project, is_probe=True).select_related("sentence").first()
        )
        for given in Assignment.objects.filter(project=project).exclude(item=probe):
            label(given, "not_seed_use" if given.item.is_probe else "performance_comparison")
        label(Assignment.objects.get(item=probe), "sensitivity")
        client.force_login(maria)
        page = client.get(f"/annotate/projects/{project.pk}/")
        estimate = page.context["recall"]
        assert estimate.misses == 1 and 0 < estimate.recall < 1
        body = page.content.decode()
        assert "estimated recall" in body
        assert probe.sentence.text[:40] in body
        if recall.WEAK_CUES.search(probe.sentence.text):
            assert "[[pattern]]" in body
