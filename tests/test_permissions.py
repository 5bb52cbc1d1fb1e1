"""README's permission table, cell by cell: each test is one row (an action), tried as every role.

Personas: a manager (staff), alice who owns the corpus, bob who reads it (a corpus member), an
annotator, an adjudicator and a reviewer of its project, and charlie, an outsider. Answers are
what the person sees: 200/302 done, 403 refused (they may see it), 404 (they may not even see it).
"""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator import actions as annotator_actions
from annotator.models import Assignment, Membership
from audit.lab import actions as lab_actions
from audit.lab.models import Claim
from audit.models import Paper, Sentence
from tests.test_annotator_support import ingest, person

pytestmark = pytest.mark.django_db

ROLES = ("manager", "owner", "reader", "annotator", "adjudicator", "reviewer", "outsider")
DONE = "done"


def row(**answers) -> dict[str, object]:
    """A table row: every role refused (403) unless named; the outsider always gets 404."""
    cells = dict.fromkeys(ROLES, 403) | {"outsider": 404}
    return cells | answers


@pytest.fixture
def people(alice, bob, charlie) -> dict:
    return {
        "manager": person("mona", staff=True),
        "owner": alice,
        "reader": bob,
        "annotator": person("ann"),
        "adjudicator": person("adam"),
        "reviewer": person("rita"),
        "outsider": charlie,
    }


@pytest.fixture
def paper(corpus, corpus_dir) -> Paper:
    (paper,) = ingest(corpus, corpus_dir, "li2022-discourse-deixis.pdf")
    return paper


@pytest.fixture
def project(corpus, paper, people):
    return annotator_actions.create_project(
        corpus,
        "pilot",
        overlap=1,
        seed=1,
        probe_share=0,
        members=[
            (people["annotator"], Membership.Role.ANNOTATOR),
            (people["adjudicator"], Membership.Role.ADJUDICATOR),
            (people["reviewer"], Membership.Role.REVIEWER),
        ],
    )


@pytest.fixture
def seed_sentence(paper) -> Sentence:
    return paper.sentences.get(is_seed=True)


def answers(client, people, attempt) -> dict[str, object]:
    """What each role gets from `attempt(client, user)`: a status, or DONE for a redirect."""
    found = {}
    for role in ROLES:
        client.force_login(people[role])
        response = attempt(client, people[role])
        found[role] = DONE if response.status_code in (200, 302) else response.status_code
    return found


class TestCorpus:
    def test_it_lets_everyone_in_the_corpus_or_its_projects_read_it(
        self, client, people, corpus, paper, project
    ):
        def read(client, user):
            pages = [f"/corpora/{corpus.pk}/", f"/papers/{paper.pk}/"]
            codes = {client.get(url).status_code for url in pages}
            return type("R", (), {"status_code": codes.pop() if len(codes) == 1 else codes})

        assert answers(client, people, read) == row(
            manager=DONE, owner=DONE, reader=DONE, annotator=DONE, adjudicator=DONE, reviewer=DONE
        )

    def test_only_the_owner_and_managers_upload(self, client, people, corpus, project):
        def upload(client, user):
            pdf = SimpleUploadedFile(f"{user}.pdf", b"%PDF-1.4 " + user.username.encode())
            return client.post(f"/corpora/{corpus.pk}/upload/", {"files": [pdf]})

        assert answers(client, people, upload) == row(manager=DONE, owner=DONE)
        uploaded = corpus.papers.exclude(pk__in=project.corpus.papers.filter(status="done"))
        assert sorted(uploaded.values_list("original_name", flat=True)) == ["alice.pdf", "mona.pdf"]

    def test_only_the_owner_and_managers_edit_metadata(self, client, people, paper, project):
        def edit(client, user):
            form = {"title": f"By {user}", "authors": "", "year": "", "venue": ""}
            return client.post(f"/papers/{paper.pk}/metadata/", form | {"anthology_id": ""})

        assert answers(client, people, edit) == row(manager=DONE, owner=DONE)
        paper.refresh_from_db()
        assert paper.title == "By alice"  # the manager's edit, then the owner's; nobody else's

    def test_only_the_owner_and_managers_process_a_paper_again(
        self, client, people, corpus, project
    ):
        failed = Paper.objects.create(
            corpus=corpus,
            original_name="x.pdf",
            file="papers/x.pdf",
            sha256="0" * 64,
            status="failed",
            error="?",
        )

        def reprocess(client, user):
            Paper.objects.filter(pk=failed.pk).update(status="failed", error="?")
            return client.post(f"/papers/{failed.pk}/reprocess/")

        assert answers(client, people, reprocess) == row(manager=DONE, owner=DONE)

    def test_only_the_owner_and_managers_delete_a_failed_paper(
        self, client, people, corpus, project
    ):
        def delete(client, user):
            failed = Paper.objects.create(
                corpus=corpus, original_name=f"{user}.pdf", status="failed", error="Not a PDF."
            )
            return client.post(f"/papers/{failed.pk}/delete/")

        assert answers(client, people, delete) == row(manager=DONE, owner=DONE)
        left = corpus.papers.filter(status="failed").values_list("original_name", flat=True)
        assert sorted(left) == sorted(
            f"{people[role]}.pdf" for role in ROLES if role not in ("manager", "owner")
        )


class TestLab:
    FORM = {"setup": "digits-mlp", "claimed_score": "95.3", "seeds": "11", "runs": "2"}

    def test_only_the_owner_and_managers_start_a_claim(
        self, client, people, seed_sentence, project
    ):
        def start(client, user):
            return client.post(
                f"/lab/sentences/{seed_sentence.pk}/test/", self.FORM | {"device": "cpu"}
            )

        assert answers(client, people, start) == row(manager=DONE, owner=DONE)
        assert Claim.objects.count() == 2

    def test_everyone_who_reads_the_corpus_reads_a_claim(
        self, client, people, seed_sentence, project
    ):
        claim = lab_actions.create_claim(
            seed_sentence, setups=["digits-mlp"], claimed_score=0.9, seeds=[11], runs=2
        )

        def read(client, user):
            return client.get(f"/lab/claims/{claim.pk}/")

        assert answers(client, people, read) == row(
            manager=DONE, owner=DONE, reader=DONE, annotator=DONE, adjudicator=DONE, reviewer=DONE
        )

    def test_only_managers_and_its_author_cancel_a_claim(
        self, client, people, seed_sentence, project
    ):
        by_owner = lab_actions.create_claim(
            seed_sentence,
            setups=["digits-mlp"],
            claimed_score=0.9,
            seeds=[11],
            runs=2,
            user=people["owner"],
        )

        def cancel(client, user):
            return client.post(f"/lab/claims/{by_owner.pk}/cancel/")

        assert answers(client, people, cancel) == row(manager=DONE, owner=DONE)

    def test_the_owner_cannot_cancel_a_managers_claim(self, client, people, seed_sentence):
        by_manager = lab_actions.create_claim(
            seed_sentence,
            setups=["digits-mlp"],
            claimed_score=0.9,
            seeds=[11],
            runs=2,
            user=people["manager"],
        )
        client.force_login(people["owner"])

        assert client.post(f"/lab/claims/{by_manager.pk}/cancel/").status_code == 403

    def test_a_claim_larger_than_the_setting_is_refused_with_its_size(
        self, client, people, seed_sentence, settings
    ):
        settings.SEEDAUDIT_MAX_CLAIM_RUNS = 64
        client.force_login(people["owner"])
        url = f"/lab/sentences/{seed_sentence.pk}/test/"

        refused = client.post(
            url, self.FORM | {"runs": "16", "other_setup": "digits-knn-graph", "device": "cpu"}
        )
        accepted = client.post(url, self.FORM | {"runs": "16", "device": "cpu"})

        assert refused.status_code == 400
        assert "This claim would train 128 models; a claim may train at most 64" in (
            refused.content.decode()
        )
        assert accepted.status_code == 302
        assert list(Claim.objects.values_list("runs", flat=True)) == [16]


class TestProject:
    def test_the_project_page_and_its_exports_show_labels_to_managers_reviewers_adjudicators(
        self, client, people, project
    ):
        def read(client, user):
            pages = [
                f"/annotate/projects/{project.pk}/",
                f"/annotate/projects/{project.pk}/annotations.csv",
            ]
            codes = {client.get(url).status_code for url in pages}
            assert len(codes) == 1
            return type("R", (), {"status_code": codes.pop()})

        assert answers(client, people, read) == row(
            manager=DONE, adjudicator=DONE, reviewer=DONE, owner=404, reader=404, annotator=404
        )

    def test_only_managers_change_the_project(self, client, people, project):
        def change(client, user):
            base = f"/annotate/projects/{project.pk}"
            codes = {
                client.post(f"{base}/overlap/", {"overlap": 1}).status_code,
                client.post(f"{base}/sync/").status_code,
                client.post(f"{base}/members/", {"user": "bob", "roles": []}).status_code,
                client.post(f"{base}/results/", {"open": "1"}).status_code,
                client.post(f"{base}/seed-models/train/").status_code,
            }
            assert len(codes) == 1
            return type("R", (), {"status_code": codes.pop()})

        assert answers(client, people, change) == row(manager=DONE, **dict.fromkeys(ROLES[1:], 404))

    def test_only_its_annotators_label(self, client, people, project):
        def label(client, user):
            assigned = Assignment.objects.filter(project=project).first()
            body = {
                "assignment": assigned.pk,
                "label": "fixed_seed",
                "client_id": str(uuid.uuid4()),
            }
            return client.post(
                f"/annotate/projects/{project.pk}/api/label/", body, content_type="application/json"
            )

        assert answers(client, people, label) == row(
            annotator=DONE, **{role: 404 for role in ROLES if role != "annotator"}
        )

    def test_only_managers_and_adjudicators_decide_final_labels(self, client, people, project):
        item = project.items.first()

        def decide(client, user):
            return client.post(
                f"/annotate/projects/{project.pk}/api/items/{item.pk}/final/",
                {"label": "sensitivity"},
                content_type="application/json",
            )

        assert answers(client, people, decide) == row(
            manager=DONE, adjudicator=DONE, owner=404, reader=404, annotator=404, reviewer=404
        )


class TestRoleSets:
    def test_an_annotator_may_also_adjudicate_but_never_the_items_dealt_to_them(
        self, client, corpus, corpus_dir, people
    ):
        ingest(corpus, corpus_dir, "zhang2023-adaptive-prefix-tuning.pdf")
        both, other = people["annotator"], people["reviewer"]
        project = annotator_actions.create_project(
            corpus,
            "pair",
            overlap=1,
            seed=1,
            probe_share=0,
            members=[
                (both, Membership.Role.ANNOTATOR),
                (both, Membership.Role.ADJUDICATOR),
                (other, Membership.Role.ANNOTATOR),
            ],
        )
        mine = Assignment.objects.filter(project=project, annotator=both).first().item
        theirs = Assignment.objects.filter(project=project, annotator=other).first().item
        client.force_login(both)

        def decide(item):
            url = f"/annotate/projects/{project.pk}/api/items/{item.pk}/final/"
            body = {"label": "sensitivity"}
            return client.post(url, body, content_type="application/json").status_code

        assert (decide(mine), decide(theirs)) == (404, 200)
        # The project page shows every label, theirs to come included: not for an annotator.
        assert client.get(f"/annotate/projects/{project.pk}/").status_code == 403

    def test_annotating_and_reviewing_together_is_refused(self, client, people, project):
        client.force_login(people["manager"])

        response = client.post(
            f"/annotate/projects/{project.pk}/members/",
            {"user": "ann", "roles": ["annotator", "reviewer"]},
            follow=True,
        )

        assert "An annotator cannot also be a reviewer" in response.content.decode()
        roles = project.memberships.filter(user=people["annotator"]).values_list("role", flat=True)
        assert list(roles) == ["annotator"]

    def test_a_manager_gives_a_person_two_roles_at_once(self, client, people, project):
        client.force_login(people["manager"])

        client.post(
            f"/annotate/projects/{project.pk}/members/",
            {"user": "ann", "roles": ["annotator", "adjudicator"]},
        )

        roles = project.memberships.filter(user=people["annotator"]).values_list("role", flat=True)
        assert sorted(roles) == ["adjudicator", "annotator"]


class TestNewProjectRoles:
    def form(self, corpus, **people) -> dict:
        return (
            {"corpus": corpus.pk, "name": "new", "overlap": 2, "order": "paper"}
            | {"probe_share": 0.05}
            | people
        )

    def test_a_new_project_takes_an_annotator_who_also_adjudicates(
        self, client, people, corpus, paper
    ):
        client.force_login(people["manager"])
        ann = people["annotator"].pk

        response = client.post(
            "/annotate/projects/new/", self.form(corpus, annotators=[ann], adjudicators=[ann])
        )

        assert response.status_code == 302
        roles = Membership.objects.filter(user=people["annotator"]).values_list("role", flat=True)
        assert sorted(roles) == ["adjudicator", "annotator"]

    def test_annotating_and_reviewing_is_refused_with_the_reason_not_an_empty_page(
        self, client, people, corpus, paper
    ):
        client.force_login(people["manager"])
        ann = people["annotator"].pk

        response = client.post(
            "/annotate/projects/new/", self.form(corpus, annotators=[ann], reviewers=[ann])
        )

        body = response.content.decode()
        assert response.status_code == 400
        assert "ann: an annotator cannot also be a reviewer" in body
        assert "Nothing to label yet" not in body


class TestBlindLabelling:
    def test_the_claim_link_does_not_tell_an_annotator_that_the_others_agreed(
        self, client, corpus, corpus_dir, people
    ):
        (paper,) = ingest(corpus, corpus_dir, "li2022-discourse-deixis.pdf")
        sentence = paper.sentences.get(is_seed=True)
        Sentence.objects.filter(pk=sentence.pk).update(suggested_label="sensitivity")
        # The owner labels their own corpus beside someone else: the claim link is theirs.
        first, second = people["owner"], people["annotator"]
        project = annotator_actions.create_project(
            corpus,
            "blind",
            overlap=2,
            seed=1,
            probe_share=0,
            members=[(first, Membership.Role.ANNOTATOR), (second, Membership.Role.ANNOTATOR)],
        )
        for user in (first, second):
            assigned = Assignment.objects.get(project=project, annotator=user)
            annotator_actions.record_label(assigned, "fixed_seed", "", uuid.uuid4())
        url = f"/papers/{paper.pk}/"

        client.force_login(first)
        blind = client.get(url).content.decode()
        client.force_login(people["manager"])
        managed = client.get(url).content.decode()

        # Both labelled it a fixed seed; the highlighter said sensitivity: only the manager, who
        # may see the agreement, is offered the claim.
        assert "Test this claim" not in blind
        assert "Test this claim" in managed
        annotator_actions.adjudicate(project.items.get(), "fixed_seed", people["manager"])
        client.force_login(first)
        assert "Test this claim" in client.get(url).content.decode()
