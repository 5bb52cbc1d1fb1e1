"""Adjudication: disagreements listed, a final label picked, and used by what comes after."""

from __future__ import annotations

import pytest

from annotator.actions import confirm_primary
from annotator.labels import final_labels, item_labels
from annotator.models import Item
from annotator.primary import default_primary, project_primaries
from tests.test_annotator_support import (
    PAPERS,
    ingest,
    label,
    person,
    project_with,
    queue_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        name: person(name, staff=name == "maria")
        for name in ("dave", "erin", "adam", "rita", "maria")
    }


@pytest.fixture
def project(corpus, corpus_dir, people):
    """dave and erin agree on all sentences but the first, which they label 4 and 5."""
    ingest(corpus, corpus_dir, *PAPERS)
    project = project_with(
        corpus,
        [people["dave"], people["erin"]],
        reviewers=[people["rita"]],
        adjudicators=[people["adam"]],
        overlap=2,
    )
    for annotator, first in (("dave", "fixed_seed"), ("erin", "performance_comparison")):
        queue = queue_of(project, people[annotator])
        label(queue[0], first, note=f"{annotator} thinks so")
        for given in queue[1:]:
            label(given, "performance_comparison")
    return project


def adjudicate(client, project, item, value):
    url = f"/annotate/projects/{project.pk}/api/items/{item.pk}/final/"
    return client.post(url, {"label": value}, content_type="application/json")


class TestAdjudication:
    def test_the_list_shows_each_disagreement_with_who_said_what(self, client, project, people):
        client.force_login(people["adam"])
        page = client.get(f"/annotate/projects/{project.pk}/adjudicate/")
        ((entry, _before, _after),) = page.context["entries"]
        assert [(g.annotator, g.label) for g in entry.labels] == [
            ("dave", "fixed_seed"),
            ("erin", "performance_comparison"),
        ]
        body = page.content.decode()
        assert "dave thinks so" in body and "Single fixed seed" in body
        assert '<strong id="decided-count">0</strong> of 1 decided' in body

    def test_a_disagreement_shows_its_sentence_inside_its_paragraph(self, client, project, people):
        # The fifth item opens with "For low resources setting"; dave changes his mind on it.
        label(queue_of(project, people["dave"])[4], "sensitivity")
        client.force_login(people["adam"])

        page = client.get(f"/annotate/projects/{project.pk}/adjudicate/")

        entry, before, _after = page.context["entries"][1]
        assert entry.item.sentence.text.startswith("For low resources setting")
        assert before.startswith("In the full data setting, all train-dev-test splits follow")
        assert f'<span class="around">{before}</span>' in page.content.decode()

    def test_an_adjudicator_picks_the_final_label_and_exports_use_it(self, client, project, people):
        item = Item.objects.get(project=project, position=1)
        assert item.sentence_id not in final_labels(project)
        client.force_login(people["adam"])
        assert adjudicate(client, project, item, "fixed_seed").status_code == 200
        assert final_labels(project)[item.sentence_id] == "fixed_seed"
        page = client.get(f"/annotate/projects/{project.pk}/adjudicate/")
        assert page.context["entries"] == []
        decided = client.get(f"/annotate/projects/{project.pk}/adjudicate/", {"show": "all"})
        assert "decided by adam" in decided.content.decode()

    def test_a_manager_can_adjudicate_and_clear_a_decision(self, client, project, people):
        item = Item.objects.get(project=project, position=1)
        client.force_login(people["maria"])
        adjudicate(client, project, item, "performance_comparison")
        adjudicate(client, project, item, "")
        item.refresh_from_db()
        assert item.final_label == "" and item.adjudicated_at is None

    def test_reviewers_read_but_cannot_decide_and_annotators_cannot_see(
        self, client, project, people
    ):
        item = Item.objects.get(project=project, position=1)
        client.force_login(people["rita"])
        assert client.get(f"/annotate/projects/{project.pk}/adjudicate/").status_code == 200
        assert adjudicate(client, project, item, "fixed_seed").status_code == 404
        client.force_login(people["dave"])
        assert client.get(f"/annotate/projects/{project.pk}/adjudicate/").status_code == 404
        assert adjudicate(client, project, item, "fixed_seed").status_code == 404
        assert Item.objects.get(pk=item.pk).final_label == ""


class TestPrimaryCategory:
    def test_the_default_is_the_most_frequent_risky_label_then_safe(self):
        assert default_primary(["ensemble", "ensemble", "fixed_seed"]) == "fixed_seed"
        assert default_primary(["fixed_seed", "performance_comparison"] * 2) == "fixed_seed"
        assert default_primary(["sensitivity", "ensemble", "ensemble", "not_seed_use"]) == (
            "ensemble"
        )
        assert default_primary(["not_seed_use"]) == "not_seed_use"

    def test_each_paper_gets_its_primary_category_from_its_final_labels(self, project):
        rows = {row.paper.original_name.split("/")[-1]: row for row in project_primaries(
            project, item_labels(project)
        )}  # fmt: skip
        assert set(rows) == set(PAPERS)
        assert {row.final for row in rows.values()} == {"performance_comparison"}


class TestPaperPrimaries:
    def test_an_adjudicator_settles_a_split_on_a_papers_primary_category(
        self, client, project, people
    ):
        paper = Item.objects.get(project=project, position=1).sentence.paper
        confirm_primary(project, paper, people["dave"], "fixed_seed")
        confirm_primary(project, paper, people["erin"], "performance_comparison")
        client.force_login(people["adam"])

        page = client.get(f"/annotate/projects/{project.pk}/adjudicate/")
        url = f"/annotate/projects/{project.pk}/api/papers/{paper.pk}/final/"
        decided = client.post(url, {"label": "fixed_seed"}, content_type="application/json")
        after = client.get(f"/annotate/projects/{project.pk}/adjudicate/", {"show": "all"})

        assert [row.paper for row in page.context["papers"]] == [paper]
        assert "of 2 decided (1 of them papers" in page.content.decode()
        assert decided.status_code == 200
        (row,) = [r for r in project_primaries(project, item_labels(project)) if r.paper == paper]
        assert (row.final, row.decided) == ("fixed_seed", "fixed_seed")
        assert '<strong id="decided-count">1</strong> of 2 decided' in after.content.decode()

    def test_a_paper_nobody_labelled_is_not_labelled_yet_not_a_non_use(
        self, client, corpus, corpus_dir, people
    ):
        ingest(corpus, corpus_dir, *PAPERS)
        project = project_with(corpus, [people["dave"]], overlap=1)
        first = queue_of(project, people["dave"])[0]
        label(first, "fixed_seed")
        client.force_login(people["maria"])

        rows = {row.paper.pk: row for row in project_primaries(project, item_labels(project))}
        page = client.get(f"/annotate/projects/{project.pk}/").content.decode()

        untouched = [row for row in rows.values() if not row.labelled]
        assert untouched and all(row.final == "" for row in untouched)
        assert "not labelled yet" in page
        assert "Not a seed use" not in page.split('id="primary-title"')[1]
