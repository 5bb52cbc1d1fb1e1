"""Handing out work: each sentence reaches its overlap, nobody gets one twice, in order."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models import RestrictedError

from annotator import actions
from annotator.assignment import OpenItem, deal
from annotator.models import Assignment, Project
from tests.test_annotator_support import (
    PAPERS,
    ingest,
    label,
    person,
    project_with,
    queue_of,
)

pytestmark = pytest.mark.django_db


class TestDeal:
    def test_each_item_reaches_its_overlap_with_different_annotators(self):
        dealt = deal([OpenItem(i) for i in range(30)], [1, 2, 3], {}, overlap=2)
        holders: dict[int, list[int]] = {}
        for d in dealt:
            holders.setdefault(d.item_id, []).append(d.annotator_id)
        assert all(len(h) == 2 and len(set(h)) == 2 for h in holders.values())
        assert len(holders) == 30
        assert Counter(d.annotator_id for d in dealt) == {1: 20, 2: 20, 3: 20}

    def test_slots_of_an_item_are_distinct(self):
        dealt = deal([OpenItem(7, holders={1}, slots={0})], [1, 2, 3], {}, overlap=3)
        assert sorted((d.annotator_id, d.slot) for d in dealt) == [(2, 1), (3, 2)]

    def test_an_annotator_who_holds_an_item_is_passed_over(self):
        dealt = deal([OpenItem(1, holders={1}, slots={0})], [1, 2], {1: 0, 2: 5}, overlap=2)
        assert [(d.annotator_id, d.slot) for d in dealt] == [(2, 1)]

    def test_with_fewer_annotators_than_the_overlap_everyone_gets_everything(self):
        dealt = deal([OpenItem(i) for i in range(4)], [1, 2], {}, overlap=3)
        assert Counter(d.item_id for d in dealt) == {0: 2, 1: 2, 2: 2, 3: 2}

    def test_the_least_loaded_annotator_gets_the_open_places(self):
        dealt = deal([OpenItem(i) for i in range(3)], [1, 2], {1: 10, 2: 0}, overlap=1)
        assert {d.annotator_id for d in dealt} == {2}


@pytest.fixture
def papers(corpus, corpus_dir):
    return ingest(corpus, corpus_dir, *PAPERS)


@pytest.fixture
def annotators(db):
    return [person("dave"), person("erin"), person("fay")]


class TestProject:
    def test_every_highlighted_sentence_is_dealt_to_two_annotators(
        self, corpus, papers, annotators
    ):
        project = project_with(corpus, annotators, overlap=2)
        highlighted = sum(p.sentences.filter(is_seed=True).count() for p in papers)
        assert project.items.count() == highlighted == 6
        for item in project.items.all():
            holders = list(item.assignments.values_list("annotator", flat=True))
            assert len(holders) == 2 and len(set(holders)) == 2
        loads = Counter(Assignment.objects.values_list("annotator", flat=True))
        assert sorted(loads.values()) == [4, 4, 4]

    def test_paper_order_follows_each_paper_in_reading_order(self, corpus, papers, annotators):
        project = project_with(corpus, annotators[:1], overlap=1)
        queue = [
            (a.item.sentence.paper.original_name, a.item.sentence.index)
            for a in queue_of(project, annotators[0])
        ]
        assert queue == sorted(queue)

    def test_random_order_deals_every_sentence_once_in_a_shuffled_queue(
        self, corpus, papers, annotators
    ):
        project = project_with(corpus, annotators[:1], overlap=1, order=Project.Order.RANDOM)
        queue = [a.item.sentence_id for a in queue_of(project, annotators[0])]
        highlighted = [s.pk for p in papers for s in p.sentences.filter(is_seed=True)]
        assert sorted(queue) == sorted(highlighted)

    def test_a_new_annotator_gets_the_places_a_higher_overlap_opens(
        self, corpus, papers, annotators
    ):
        dave, erin, fay = annotators
        project = project_with(corpus, [dave, erin], overlap=2)
        actions.set_roles(project, fay, ["annotator"])
        assert queue_of(project, fay) == []
        actions.set_overlap(project, 3)
        assert len(queue_of(project, fay)) == 6
        assert all(item.assignments.count() == 3 for item in project.items.all())

    def test_removing_an_annotator_keeps_their_labels_and_deals_the_rest_again(
        self, corpus, papers, annotators
    ):
        dave = annotators[0]
        project = project_with(corpus, annotators, overlap=2)
        first = queue_of(project, dave)[0]
        label(first, "fixed_seed")
        actions.set_roles(project, dave, [])
        assert list(Assignment.objects.filter(annotator=dave).values_list("label", flat=True)) == [
            "fixed_seed"
        ]
        for item in project.items.all():
            holders = set(item.assignments.values_list("annotator", flat=True))
            assert len(holders) == 2
            assert dave not in holders or item == first.item

    def test_syncing_again_adds_nothing_and_a_new_paper_joins_the_queues(
        self, corpus, corpus_dir, annotators
    ):
        ingest(corpus, corpus_dir, PAPERS[0])
        project = project_with(corpus, annotators[:2], overlap=2)
        assert actions.sync_items(project) == 0
        ingest(corpus, corpus_dir, PAPERS[1])
        assert actions.sync_items(project) == 3
        assert len(queue_of(project, annotators[0])) == 6

    def test_a_sentence_with_labels_cannot_be_deleted_by_reprocessing(
        self, corpus, papers, annotators
    ):
        project = project_with(corpus, annotators[:1], overlap=1)
        label(queue_of(project, annotators[0])[0], "ensemble")
        with pytest.raises(RestrictedError):
            papers[0].sentences.all().delete()
