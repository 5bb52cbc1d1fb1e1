"""`manage.py ingest`: files, folders, zips, duplicates, BibTeX and every kind of bad input."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit import actions
from audit.ingest.sources import Limits, from_paths
from audit.models import Corpus, Paper, Sentence
from tests import pdfs

pytestmark = pytest.mark.django_db

KEYS = {
    "file", "sha256", "status", "error", "title", "year", "pages", "seed_sentences",
    "suggested_primary", "seed_share",
}  # fmt: skip


def ingest(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("ingest", *map(str, args), "--sync", "--json", stdout=out, stderr=io.StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture
def two_papers(tmp_path, corpus_dir):
    folder = tmp_path / "papers"
    folder.mkdir()
    for name in ("li2022-discourse-deixis.pdf", "choshen2019-darknet.pdf"):
        shutil.copy(corpus_dir / name, folder / name)
    return folder


class TestIngest:
    def test_it_ingests_a_folder_and_prints_one_json_object_per_paper(self, two_papers):
        rows = ingest(two_papers, "--corpus", "acl")
        assert [set(r) for r in rows] == [KEYS, KEYS]
        by_file = {r["file"].rsplit("/", 1)[-1]: r for r in rows}
        li = by_file["li2022-discourse-deixis.pdf"]
        assert li["status"] == "done"
        assert li["error"] == ""
        assert li["title"] == "End-to-End Neural Discourse Deixis Resolution in Dialogue"
        assert (li["year"], li["pages"]) == (2022, 13)
        assert len(li["sha256"]) == 64
        [seed] = li["seed_sentences"]
        assert 0.5 < seed.pop("score") <= 1
        assert seed == {
            "text": "Each experiment is run using a random seed of 11 and takes less than "
            "three hours to train on an NVIDIA RTX A6000 48GB.",
            "page": 6,
            "section": "6.1 Experimental Setup",
            "terms": ["random seed of 11"],
            "suggested": "fixed_seed",
            "implicit": False,
        }
        assert li["suggested_primary"] == "fixed_seed"
        assert 0 < li["seed_share"] < 0.02
        assert by_file["choshen2019-darknet.pdf"]["seed_sentences"] == []
        assert by_file["choshen2019-darknet.pdf"]["suggested_primary"] is None
        assert Corpus.objects.get(name="acl").papers.count() == 2

    def test_the_same_file_again_is_a_duplicate_and_creates_nothing(self, two_papers):
        ingest(two_papers, "--corpus", "acl")
        sentences = Sentence.objects.count()
        rows = ingest(two_papers / "li2022-discourse-deixis.pdf", "--corpus", "acl")
        assert [r["status"] for r in rows] == ["duplicate"]
        assert rows[0]["seed_sentences"][0]["terms"] == ["random seed of 11"]
        assert Paper.objects.count() == 2
        assert Sentence.objects.count() == sentences

    def test_the_same_file_in_another_corpus_is_a_new_paper(self, two_papers):
        ingest(two_papers / "li2022-discourse-deixis.pdf", "--corpus", "acl")
        rows = ingest(two_papers / "li2022-discourse-deixis.pdf", "--corpus", "other")
        assert rows[0]["status"] == "done"

    def test_it_reads_pdfs_inside_a_zip(self, tmp_path, two_papers):
        archive = pdfs.zip_of(
            tmp_path / "batch.zip",
            {f"batch/{p.name}": p.read_bytes() for p in sorted(two_papers.iterdir())},
        )
        rows = ingest(archive)
        assert [r["status"] for r in rows] == ["done", "done"]
        assert rows[0]["file"].endswith("batch.zip/batch/choshen2019-darknet.pdf")

    def test_bibtex_gives_metadata_matched_by_title(self, tmp_path, two_papers):
        bib = tmp_path / "anthology.bib"
        bib.write_text(
            """@inproceedings{li-ng-2022-end,
    title = "End-to-End Neural Discourse Deixis Resolution in Dialogue",
    author = "Li, Shengjie  and
      Ng, Vincent",
    booktitle = "Proceedings of the 2022 Conference on Empirical Methods in Natural Language
                 Processing",
    year = "2022",
    url = "https://aclanthology.org/2022.emnlp-main.841",
}
@inproceedings{other-2020, title = {Something {E}lse Entirely}, year = 2020}
"""
        )
        ingest(two_papers / "li2022-discourse-deixis.pdf", "--bib", bib, "--corpus", "acl")
        paper = Paper.objects.get()
        assert paper.authors == ["Shengjie Li", "Vincent Ng"]
        assert paper.venue == (
            "Proceedings of the 2022 Conference on Empirical Methods in Natural Language Processing"
        )
        assert paper.anthology_id == "2022.emnlp-main.841"
        assert paper.year == 2022

    def test_no_pdfs_at_all_is_an_error(self, tmp_path):
        with pytest.raises(CommandError, match="No PDF or zip files"):
            ingest(tmp_path)


class TestBadInput:
    """Every bad file fails with its reason; the good file next to them and older papers live on."""

    def test_each_bad_file_fails_with_a_clear_reason(self, tmp_path, corpus_dir, settings):
        settings.SEEDAUDIT_MAX_PDF_MB = 1
        earlier = ingest(corpus_dir / "li2022-discourse-deixis.pdf", "--corpus", "acl")
        earlier_sentences = Sentence.objects.count()

        good = corpus_dir / "choshen2019-darknet.pdf"
        not_pdf = tmp_path / "slides.pdf"
        not_pdf.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
        truncated = tmp_path / "truncated.pdf"
        truncated.write_bytes(good.read_bytes()[:50_000])
        locked = pdfs.encrypted(tmp_path / "locked.pdf")
        scan = pdfs.scanned(tmp_path / "scan.pdf", corpus_dir / "li2022-discourse-deixis.pdf")
        huge = pdfs.merged(
            tmp_path / "huge.pdf",
            [corpus_dir / "wang2022-kecp.pdf", corpus_dir / "yan2023-cognitive-tree.pdf"],
        )
        archive = pdfs.zip_of(
            tmp_path / "evil.zip",
            {
                "../../x.pdf": good.read_bytes(),
                "bomb.pdf": b"\0" * (200 * 2**20),
                "fine/choshen.pdf": good.read_bytes(),
            },
        )
        rows = ingest(good, not_pdf, truncated, locked, scan, huge, archive, "--corpus", "acl")
        reasons = {r["file"].rsplit("/", 1)[-1]: (r["status"], r["error"]) for r in rows}

        assert reasons["choshen2019-darknet.pdf"] == ("done", "")
        assert reasons["slides.pdf"] == (
            "failed",
            "This file is not a PDF: it does not start with a PDF header.",
        )
        assert (
            reasons["truncated.pdf"][0] == "failed" and "truncated" in reasons["truncated.pdf"][1]
        )
        assert (
            reasons["locked.pdf"][0] == "failed"
            and "password-protected" in reasons["locked.pdf"][1]
        )
        assert reasons["scan.pdf"][0] == "failed" and "no text layer" in reasons["scan.pdf"][1]
        assert reasons["huge.pdf"][0] == "failed" and "the limit is 1 MB" in reasons["huge.pdf"][1]
        assert (
            reasons["x.pdf"][0] == "failed" and "unsafe path (../../x.pdf)" in reasons["x.pdf"][1]
        )
        assert reasons["bomb.pdf"][0] == "failed" and "zip bomb" in reasons["bomb.pdf"][1]
        # The zip's good member is the same content as the good file: one paper.
        assert reasons["choshen.pdf"] == ("duplicate", "")

        failed = Paper.objects.filter(status=Paper.Status.FAILED)
        assert failed.count() == 7
        assert all(p.error for p in failed)
        assert not (tmp_path.parent / "x.pdf").exists()
        assert Paper.objects.get(sha256=earlier[0]["sha256"]).status == Paper.Status.DONE
        assert (
            Sentence.objects.filter(paper__sha256=earlier[0]["sha256"]).count() == earlier_sentences
        )


class TestProcessing:
    def test_processing_twice_replaces_the_sentences(self, corpus, corpus_dir):
        source = next(iter(from_paths([corpus_dir / "li2022-discourse-deixis.pdf"], _limits())))
        paper = actions.add_source(corpus, source).paper
        actions.process_paper(paper.pk)
        first = list(paper.sentences.values_list("pk", "index", "text", "is_seed"))
        # As if a worker died after finishing but before acknowledging: the task runs again.
        Paper.objects.filter(pk=paper.pk).update(status=Paper.Status.PROCESSING)
        actions.process_paper(paper.pk)
        # The same rows, so that labels pointing at them survive.
        assert list(paper.sentences.values_list("pk", "index", "text", "is_seed")) == first

    def test_a_finished_paper_is_not_processed_again_by_a_stray_task(self, corpus, corpus_dir):
        source = next(iter(from_paths([corpus_dir / "li2022-discourse-deixis.pdf"], _limits())))
        paper = actions.add_source(corpus, source).paper
        actions.process_paper(paper.pk)
        actions.update_metadata(paper, {"title": "A title someone typed"})
        actions.process_paper(paper.pk)
        paper.refresh_from_db()
        assert paper.title == "A title someone typed"

    def test_reprocessing_keeps_what_people_set(self, corpus, corpus_dir):
        source = next(iter(from_paths([corpus_dir / "li2022-discourse-deixis.pdf"], _limits())))
        paper = actions.add_source(corpus, source).paper
        actions.process_paper(paper.pk)
        actions.update_metadata(paper, {"year": 2021, "venue": "EMNLP 2022"})
        actions.reprocess(paper)
        actions.process_paper(paper.pk)
        paper.refresh_from_db()
        assert (paper.status, paper.year, paper.venue) == ("done", 2021, "EMNLP 2022")
        assert paper.title == "End-to-End Neural Discourse Deixis Resolution in Dialogue"


def _limits():
    return Limits(max_pdf_bytes=50 * 2**20, max_zip_bytes=100 * 2**20)
