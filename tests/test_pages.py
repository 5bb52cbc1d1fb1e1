"""Corpus and paper pages: access, upload, live status, highlights, metadata editing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit import actions
from audit.ingest.sources import Limits, from_paths
from audit.models import Corpus, Paper
from tests import pdfs

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper(corpus, corpus_dir) -> Paper:
    limits = Limits(max_pdf_bytes=50 * 2**20, max_zip_bytes=0)
    (source,) = from_paths([corpus_dir / "li2022-discourse-deixis.pdf"], limits)
    paper = actions.add_source(corpus, source).paper
    actions.process_paper(paper.pk)
    paper.refresh_from_db()
    return paper


def upload(client, corpus, *files):
    return client.post(f"/corpora/{corpus.pk}/upload/", {"files": list(files)}, follow=True)


class TestAccess:
    def test_it_asks_anonymous_visitors_to_log_in(self, client, corpus):
        response = client.get(f"/corpora/{corpus.pk}/")
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")

    def test_the_owner_and_a_member_see_the_corpus(self, client, corpus, alice, bob):
        for user in (alice, bob):
            client.force_login(user)
            assert client.get(f"/corpora/{corpus.pk}/").status_code == 200

    def test_an_outsider_gets_404_not_403(self, client, corpus, paper, charlie):
        client.force_login(charlie)
        assert client.get(f"/corpora/{corpus.pk}/").status_code == 404
        assert client.get(f"/papers/{paper.pk}/").status_code == 404
        assert client.get(f"/corpora/{corpus.pk}/status.json").status_code == 404
        assert client.get("/").context["corpora"].count() == 0

    def test_creating_a_corpus_makes_you_its_owner(self, client, charlie):
        client.force_login(charlie)
        response = client.post("/corpora/new/", {"name": "mine", "description": ""})
        corpus = Corpus.objects.get(name="mine")
        assert response.url == f"/corpora/{corpus.pk}/"
        assert corpus.owner == charlie


class TestUpload:
    def test_several_pdfs_and_a_zip_become_pending_papers(
        self, client, alice, corpus, corpus_dir, tmp_path
    ):
        client.force_login(alice)
        li = (corpus_dir / "li2022-discourse-deixis.pdf").read_bytes()
        archive = pdfs.zip_of(
            tmp_path / "more.zip",
            {"a.pdf": (corpus_dir / "choshen2019-darknet.pdf").read_bytes(), "b/c.pdf": li},
        )
        response = upload(
            client,
            corpus,
            SimpleUploadedFile("li.pdf", li, "application/pdf"),
            SimpleUploadedFile("cui.pdf", (corpus_dir / "cui2017-aoa.pdf").read_bytes()),
            SimpleUploadedFile("more.zip", archive.read_bytes(), "application/zip"),
        )
        assert "Added 3 papers" in response.content.decode()
        assert "1 file was already in this corpus" in response.content.decode()
        assert sorted(corpus.papers.values_list("original_name", "status")) == [
            ("cui.pdf", "pending"),
            ("li.pdf", "pending"),
            ("more.zip/a.pdf", "pending"),
        ]

    def test_a_bad_file_is_listed_as_failed_with_its_reason(self, client, alice, corpus):
        client.force_login(alice)
        upload(client, corpus, SimpleUploadedFile("paper.pdf", b"<html>not a pdf</html>"))
        response = client.get(f"/corpora/{corpus.pk}/")
        assert "This file is not a PDF" in response.content.decode()

    def test_a_bib_file_fills_in_metadata(self, client, alice, corpus, paper):
        client.force_login(alice)
        # An author copy: no publisher's footer, nothing in the PDF's metadata.
        assert paper.venue == ""
        before = client.get(f"/papers/{paper.pk}/").content.decode()
        assert '<dt>Venue</dt><dd><span class="muted"' in before and ">unknown</span>" in before
        bib = (
            b'@inproceedings{x, title = "End-to-End Neural Discourse Deixis Resolution in '
            b'Dialogue", booktitle = "EMNLP", year = 2022, author = "Li, Shengjie and Ng, Vincent"}'
        )
        response = upload(client, corpus, SimpleUploadedFile("refs.bib", bib))
        assert "metadata matched 1 paper." in response.content.decode()
        paper.refresh_from_db()
        assert paper.venue == "EMNLP"
        assert "<dt>Venue</dt><dd>EMNLP</dd>" in client.get(f"/papers/{paper.pk}/").content.decode()

    def test_the_status_endpoint_reports_progress(self, client, alice, corpus, paper):
        client.force_login(alice)
        data = client.get(f"/corpora/{corpus.pk}/status.json").json()
        assert data["papers"] == [
            {
                "pk": paper.pk,
                "status": "done",
                "progress": 100,
                "error": "",
                "title": "End-to-End Neural Discourse Deixis Resolution in Dialogue",
                "original_name": paper.original_name,
                "year": 2022,
                "pages": 13,
                "seed_count": 1,
            }
        ]


class TestCorpusPage:
    def test_filters_narrow_the_list(self, client, alice, corpus, paper):
        Paper.objects.create(
            corpus=corpus, original_name="bad.pdf", status="failed", error="Broken."
        )
        client.force_login(alice)
        page = f"/corpora/{corpus.pk}/"
        assert len(client.get(page).context["papers"]) == 2
        assert list(client.get(page, {"seeds": "yes"}).context["papers"]) == [paper]
        assert list(client.get(page, {"year": "2022"}).context["papers"]) == [paper]
        assert len(client.get(page, {"year": "2019"}).context["papers"]) == 0
        assert [
            p.original_name for p in client.get(page, {"status": "failed"}).context["papers"]
        ] == ["bad.pdf"]


class TestPaperPage:
    def test_it_shows_metadata_and_highlights_the_seed_terms(self, client, alice, paper):
        client.force_login(alice)
        html = client.get(f"/papers/{paper.pk}/").content.decode()
        assert "End-to-End Neural Discourse Deixis Resolution in Dialogue" in html
        assert "Shengjie Li, Vincent Ng" in html
        assert (
            'Each experiment is run using a <mark class="term">random seed of 11</mark> and takes'
            in html
        )
        assert 'class="sentence seed"' in html

    def test_metadata_can_be_edited_and_survives_reprocessing(self, client, alice, paper):
        client.force_login(alice)
        client.post(
            f"/papers/{paper.pk}/metadata/",
            {
                "title": paper.title,
                "authors": "Shengjie Li\nVincent Ng",
                "year": 2022,
                "venue": "EMNLP 2022",
                "anthology_id": "2022.emnlp-main.841",
            },
        )
        client.post(f"/papers/{paper.pk}/reprocess/")
        actions.process_paper(paper.pk)
        paper.refresh_from_db()
        assert (paper.venue, paper.anthology_id, paper.status) == (
            "EMNLP 2022",
            "2022.emnlp-main.841",
            "done",
        )

    def test_an_impossible_year_is_refused(self, client, alice, paper):
        client.force_login(alice)
        response = client.post(
            f"/papers/{paper.pk}/metadata/",
            {"title": "T", "authors": "", "year": 3022, "venue": "", "anthology_id": ""},
        )
        assert response.status_code == 400
        paper.refresh_from_db()
        assert paper.year == 2022

    def test_the_pdf_can_be_downloaded(self, client, alice, paper):
        client.force_login(alice)
        response = client.get(f"/papers/{paper.pk}/pdf/")
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


class TestFailedPaper:
    def test_a_paper_that_failed_on_its_file_is_retried_from_its_page(
        self, client, alice, corpus, corpus_dir
    ):
        limits = Limits(max_pdf_bytes=50 * 2**20, max_zip_bytes=0)
        (source,) = from_paths([corpus_dir / "li2022-discourse-deixis.pdf"], limits)
        failed = actions.add_source(corpus, source).paper
        Paper.objects.filter(pk=failed.pk).update(status="failed", error="Worker lost.")
        client.force_login(alice)

        page = client.get(f"/papers/{failed.pk}/").content.decode()
        client.post(f"/papers/{failed.pk}/reprocess/")
        actions.process_paper(failed.pk)

        assert ">Retry</button>" in page and ">Delete</button>" in page
        failed.refresh_from_db()
        assert (failed.status, failed.error) == ("done", "")

    def test_a_done_paper_cannot_be_deleted(self, client, alice, paper):
        client.force_login(alice)

        response = client.post(f"/papers/{paper.pk}/delete/", follow=True)

        assert "Only a paper that failed can be deleted." in response.content.decode()
        assert Paper.objects.filter(pk=paper.pk).exists()

    def test_a_reader_sees_no_button_that_changes_the_paper(self, client, bob, corpus):
        failed = Paper.objects.create(
            corpus=corpus, original_name="notes.pdf", status="failed", error="Not a PDF."
        )
        client.force_login(bob)

        page = client.get(f"/papers/{failed.pk}/").content.decode()
        corpus_page = client.get(f"/corpora/{corpus.pk}/").content.decode()

        assert "Edit metadata" not in page and ">Delete</button>" not in page
        assert 'id="upload-form"' not in corpus_page
