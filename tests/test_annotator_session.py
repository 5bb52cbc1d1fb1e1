"""The session's server side: next cards, saving, retries, undo, skip, two tabs, access."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model

from annotator import actions
from annotator.models import Assignment, LabelEvent, PrimaryCategory
from tests.test_annotator_support import (
    PAPERS,
    ingest,
    person,
    project_with,
    queue_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dave(db):
    return person("dave")


@pytest.fixture
def project(corpus, corpus_dir, bob, dave):
    ingest(corpus, corpus_dir, *PAPERS)
    return project_with(corpus, [bob, dave], reviewers=[person("erin")], overlap=2)


def api(project, name: str) -> str:
    return f"/annotate/projects/{project.pk}/api/{name}/"


def post(client, project, name: str, **body):
    body.setdefault("client_id", str(uuid.uuid4()))
    return client.post(api(project, name), body, content_type="application/json")


class TestNext:
    def test_it_shows_the_sentence_in_its_paragraph_with_the_paper(self, client, project, bob):
        client.force_login(bob)
        cards = client.get(api(project, "next"), {"limit": 6}).json()["cards"]
        assert len(cards) == 6
        table = next(c for c in cards if "5 random seeds" in c["sentence"])
        assert table["paper"]["title"].startswith("Towards Adaptive Prefix Tuning")
        assert table["paper"]["year"] == 2023
        assert table["section"] and table["page"] == 3
        assert '<mark class="term">5 random seeds</mark>' in table["sentence"]
        caption = next(c for c in cards if c["sentence"].startswith("Table 7:"))
        assert "The numbers following" in caption["after"]  # the rest of the caption

    def test_a_card_hides_other_labels_the_suggestion_and_probes(self, client, project, bob, dave):
        first = queue_of(project, dave)[0]
        client.force_login(dave)
        post(client, project, "label", assignment=first.pk, label="ensemble", note="dave's note")
        client.force_login(bob)
        response = client.get(api(project, "next"), {"limit": 6})
        body = response.content.decode()
        assert "ensemble" not in body and "dave" not in body
        card = response.json()["cards"][0]
        assert set(card) == {
            "assignment", "paper", "section", "page", "before", "sentence", "after", "skipped",
            "note", "why", "closes_paper",
        }  # fmt: skip
        assert card["why"].startswith("Highlighted")

    def test_the_last_card_of_each_paper_says_it_closes_the_paper(self, client, project, bob):
        client.force_login(bob)

        cards = client.get(api(project, "next"), {"limit": 6}).json()["cards"]

        papers = [c["paper"]["id"] for c in cards]
        closing = [c["closes_paper"] for c in cards]
        assert len(set(papers)) == 2 and papers == sorted(papers, key=papers.index)
        assert closing == [papers[i] != papers[i + 1] for i in range(5)] + [True]
        # A skipped card goes last: the paper now closes with it.
        post(client, project, "skip", assignment=cards[0]["assignment"])
        again = client.get(api(project, "next"), {"limit": 6}).json()["cards"]
        assert again[-1]["assignment"] == cards[0]["assignment"] and again[-1]["closes_paper"]
        assert not again[1]["closes_paper"]

    def test_cards_the_browser_holds_are_left_out(self, client, project, bob):
        client.force_login(bob)
        first = client.get(api(project, "next"), {"limit": 2}).json()["cards"]
        held = ",".join(str(c["assignment"]) for c in first)
        more = client.get(api(project, "next"), {"limit": 2, "exclude": held}).json()["cards"]
        assert not {c["assignment"] for c in first} & {c["assignment"] for c in more}


class TestLabel:
    def test_a_label_is_saved_at_once_and_counts_in_the_progress(self, client, project, bob):
        client.force_login(bob)
        first = queue_of(project, bob)[0]
        answer = post(client, project, "label", assignment=first.pk, label="fixed_seed").json()
        assert Assignment.objects.get(pk=first.pk).label == "fixed_seed"
        assert answer["progress"] == {"done": 1, "assigned": 6}

    def test_a_retried_submission_is_saved_once(self, client, project, bob):
        client.force_login(bob)
        first, second = queue_of(project, bob)[:2]
        client_id = str(uuid.uuid4())
        post(client, project, "label", assignment=first.pk, label="fixed_seed", client_id=client_id)
        post(client, project, "undo", assignment=first.pk)
        retry = post(
            client, project, "label", assignment=first.pk, label="fixed_seed", client_id=client_id
        )
        assert retry.json()["duplicate"] is True
        assert Assignment.objects.get(pk=first.pk).label == ""  # the undo stands
        assert LabelEvent.objects.filter(action="label").count() == 1
        assert retry.json()["progress"]["done"] == 0
        post(client, project, "label", assignment=second.pk, label="ensemble")
        assert Assignment.objects.exclude(label="").count() == 1

    def test_two_tabs_labelling_one_sentence_make_one_label(self, client, project, bob):
        client.force_login(bob)
        first = queue_of(project, bob)[0]
        post(client, project, "label", assignment=first.pk, label="fixed_seed")
        other_tab = post(client, project, "label", assignment=first.pk, label="sensitivity")
        assert other_tab.json()["replaced"] == "fixed_seed"
        assert list(
            Assignment.objects.filter(annotator=bob)
            .exclude(label="")
            .values_list("label", flat=True)
        ) == ["sensitivity"]
        assert other_tab.json()["progress"]["done"] == 1

    def test_a_bad_label_is_refused_and_another_annotators_item_is_not_found(
        self, client, project, bob, dave
    ):
        client.force_login(bob)
        mine, theirs = queue_of(project, bob)[0], queue_of(project, dave)[0]
        assert post(client, project, "label", assignment=mine.pk, label="lucky").status_code == 400
        assert (
            post(
                client, project, "label", assignment=mine.pk, label="ensemble", client_id="x"
            ).status_code
            == 400
        )
        assert (
            post(client, project, "label", assignment=theirs.pk, label="ensemble").status_code
            == 404
        )

    def test_numbers_too_large_for_any_id_are_not_found(self, client, project, bob):
        client.force_login(bob)
        huge = 2**63
        assert post(client, project, "label", assignment=huge, label="ensemble").status_code == 404
        assert client.get(f"/annotate/projects/{huge}/api/next/").status_code == 404
        assert client.get(api(project, "next"), {"exclude": str(huge)}).json()["cards"]


class TestUndoAndSkip:
    def test_undo_takes_back_the_latest_label_and_it_comes_first_again(self, client, project, bob):
        client.force_login(bob)
        first, second = queue_of(project, bob)[:2]
        post(client, project, "label", assignment=first.pk, label="fixed_seed")
        post(client, project, "label", assignment=second.pk, label="ensemble")
        undone = post(client, project, "undo").json()
        assert undone["card"]["assignment"] == second.pk
        assert undone["progress"]["done"] == 1
        cards = client.get(api(project, "next")).json()["cards"]
        assert cards[0]["assignment"] == second.pk

    def test_a_retried_undo_takes_back_one_label_only(self, client, project, bob):
        client.force_login(bob)
        first, second = queue_of(project, bob)[:2]
        post(client, project, "label", assignment=first.pk, label="fixed_seed")
        post(client, project, "label", assignment=second.pk, label="ensemble")
        client_id = str(uuid.uuid4())
        post(client, project, "undo", client_id=client_id)
        post(client, project, "undo", client_id=client_id)
        assert Assignment.objects.get(pk=first.pk).label == "fixed_seed"

    def test_a_skipped_sentence_comes_back_last(self, client, project, bob):
        client.force_login(bob)
        first = queue_of(project, bob)[0]
        post(client, project, "skip", assignment=first.pk)
        cards = client.get(api(project, "next"), {"limit": 10}).json()["cards"]
        assert [c["assignment"] for c in cards][-1] == first.pk
        assert cards[-1]["skipped"] is True


class TestPrimaryCategory:
    def test_finishing_a_paper_asks_for_its_primary_category(self, client, project, bob):
        client.force_login(bob)
        queue = queue_of(project, bob)
        first_paper = [
            a for a in queue if a.item.sentence.paper_id == queue[0].item.sentence.paper_id
        ]
        answers = [
            post(client, project, "label", assignment=a.pk, label=value).json()
            for a, value in zip(
                first_paper, ["ensemble", "fixed_seed", "not_seed_use"], strict=True
            )
        ]
        assert [a["papers"] for a in answers[:-1]] == [[], []]
        (step,) = answers[-1]["papers"]
        assert step["default"] == "fixed_seed"  # risky before safe
        post(client, project, "paper", paper=step["paper"], label="ensemble")
        assert PrimaryCategory.objects.get(annotator=bob).label == "ensemble"
        post(client, project, "undo")
        assert not PrimaryCategory.objects.exists()


class TestAccess:
    def test_an_outsider_gets_404(self, client, project, charlie):
        client.force_login(charlie)
        assert client.get(f"/annotate/projects/{project.pk}/session/").status_code == 404
        assert client.get(api(project, "next")).status_code == 404
        assert client.get(f"/annotate/projects/{project.pk}/").status_code == 404

    def test_an_annotator_never_sees_the_project_page_with_the_others_labels(
        self, client, project, bob
    ):
        client.force_login(bob)
        assert client.get(f"/annotate/projects/{project.pk}/").status_code == 404
        assert client.get(f"/annotate/projects/{project.pk}/adjudicate/").status_code == 404
        assert client.get(f"/annotate/projects/{project.pk}/annotations.jsonl").status_code == 404

    def test_an_annotator_taken_off_the_project_can_no_longer_label(self, client, project, bob):
        client.force_login(bob)
        mine = queue_of(project, bob)[0]
        post(client, project, "label", assignment=mine.pk, label="ensemble")
        actions.set_roles(project, bob, [])
        response = post(client, project, "label", assignment=mine.pk, label="fixed_seed")
        assert response.status_code == 404
        assert Assignment.objects.get(pk=mine.pk).label == "ensemble"

    def test_a_reviewer_reads_the_project_but_has_no_queue(self, client, project):
        client.force_login(project.memberships.get(role="reviewer").user)
        assert client.get(f"/annotate/projects/{project.pk}/").status_code == 200
        assert client.get(f"/annotate/projects/{project.pk}/session/").status_code == 404
        response = client.post(f"/annotate/projects/{project.pk}/sync/")
        assert response.status_code == 404

    def test_the_projects_page_lists_only_your_own_queues(self, client, project, bob, charlie):
        client.force_login(bob)
        page = client.get("/annotate/")
        assert [p.name for p, _ in page.context["work"].queues] == ["pilot"]
        client.force_login(charlie)
        assert client.get("/annotate/").context["work"].queues == []


def test_the_admin_lists_what_the_annotator_app_holds(client, project):
    client.force_login(get_user_model().objects.create_superuser("root", password="root-password"))
    for model in (
        "project",
        "item",
        "assignment",
        "labelevent",
        "primarycategory",
        "paperdecision",
    ):
        assert client.get(f"/admin/annotator/{model}/").status_code == 200
    assert client.get(f"/admin/annotator/project/{project.pk}/change/").status_code == 200
