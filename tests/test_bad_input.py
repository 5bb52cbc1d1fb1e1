"""Bad input anywhere it enters: odd file names, NUL bytes, damaged pages and zips, values the
database refuses. Each fails alone, with a message that says what to do; nothing else is lost.

Several of these only failed on PostgreSQL (which refuses NUL in text); run them there too.
"""

from __future__ import annotations

import io
import json
import os
import re
import uuid
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from reportlab.pdfgen import canvas

from annotator.models import Assignment
from audit import actions
from audit.ingest import pipeline
from audit.ingest.sentences import nlp
from audit.models import Paper
from tests import pdfs
from tests.test_annotator_support import PAPERS, ingest, project_with, queue_of
from tests.test_ingest_command import ingest as ingest_json

pytestmark = pytest.mark.django_db


def seed_paper(path, *, title: str = "Seeds", author: str = "") -> os.PathLike:
    """A small valid PDF with seed sentences and the given metadata."""
    c = canvas.Canvas(str(path))
    c.setTitle(title)
    c.setAuthor(author)
    for line in range(40):
        c.drawString(72, 760 - 14 * line, f"We fix the random seed to {line} for every run here.")
    c.save()
    return path


def broken_page(path, corpus_dir) -> os.PathLike:
    """A two-page PDF whose second page object is missing: PDFium opens it, then fails on it."""
    pdfs.merged(path, [corpus_dir / "li2022-discourse-deixis.pdf"])
    data = path.read_bytes()
    document = pdfs.pdfium.PdfDocument(str(path))
    assert len(document) > 1
    document.close()
    # Point the page tree's second kid at an object that does not exist.
    kids = re.search(rb"/Kids\s*\[\s*(\d+) 0 R\s+(\d+) 0 R", data)
    start, end = kids.span(2)
    path.write_bytes(data[:start] + b"9" * (end - start) + data[end:])
    return path


class TestFileNames:
    def test_a_name_that_is_not_utf8_fails_alone_and_a_rerun_finishes_the_rest(
        self, tmp_path, corpus_dir
    ):
        folder = tmp_path / "d"
        folder.mkdir()
        (folder / "a.pdf").write_bytes((corpus_dir / "li2022-discourse-deixis.pdf").read_bytes())
        # A Latin-1 name, as old systems and some zip tools write them.
        with open(os.path.join(os.fsencode(folder), b"caf\xe9.pdf"), "wb") as f:
            f.write(b"x")
        seed_paper(folder / "z.pdf")

        rows = {r["file"].rsplit("/", 1)[-1]: r for r in ingest_json(folder)}

        assert rows["café.pdf"]["status"] == "failed"
        assert "not a PDF" in rows["café.pdf"]["error"]
        assert rows["a.pdf"]["status"] == rows["z.pdf"]["status"] == "done"
        again = {r["file"].rsplit("/", 1)[-1]: r["status"] for r in ingest_json(folder)}
        assert again == {"a.pdf": "duplicate", "café.pdf": "duplicate", "z.pdf": "duplicate"}

    def test_papers_left_pending_by_a_run_cut_short_are_finished_not_called_duplicates(
        self, tmp_path, corpus_dir
    ):
        (first,) = ingest_json(corpus_dir / "li2022-discourse-deixis.pdf")
        # As an interrupted run leaves it: registered, never processed.
        Paper.objects.update(status=Paper.Status.PENDING, progress=0)
        (again,) = ingest_json(corpus_dir / "li2022-discourse-deixis.pdf")
        assert (again["status"], again["pages"]) == ("done", 13)
        assert again["seed_sentences"] == first["seed_sentences"]


class TestNulBytes:
    def test_nul_in_pdf_metadata_is_dropped_and_the_paper_done(self, tmp_path):
        path = seed_paper(
            tmp_path / "nul.pdf", title="Random seeds\x00 in the wild", author="Ada\x00 Lovelace"
        )
        (row,) = ingest_json(path)
        assert (row["status"], row["title"]) == ("done", "Random seeds in the wild")
        assert row["seed_sentences"]

    def test_nul_in_a_label_note_is_dropped(self, client, corpus, corpus_dir, bob):
        ingest(corpus, corpus_dir, PAPERS[0])
        project = project_with(corpus, [bob], overlap=1)
        first = queue_of(project, bob)[0]
        client.force_login(bob)
        response = client.post(
            f"/annotate/projects/{project.pk}/api/label/",
            {
                "assignment": first.pk,
                "label": "fixed_seed",
                "note": "seed\x00 42 \ud800",
                "client_id": str(uuid.uuid4()),
            },
            content_type="application/json",
        )
        assert response.status_code == 200
        assert Assignment.objects.get(pk=first.pk).note == "seed 42 \ufffd"

    def test_nul_in_imported_notes_is_dropped(self, corpus, corpus_dir, bob, tmp_path):
        ingest(corpus, corpus_dir, PAPERS[0])
        project = project_with(corpus, [bob], overlap=1)
        first = queue_of(project, bob)[0]
        out = tmp_path / "labels.jsonl"
        call_command("export", "annotations", "--corpus", "acl", "--format", "jsonl", "--out", out)
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        rows[0]["labels"] = [{"annotator": "bob", "label": "ensemble", "note": "a\x00b\udc80"}]
        out.write_text("\n".join(json.dumps(row) for row in rows))
        call_command("import", "annotations", out, stdout=io.StringIO())
        given = Assignment.objects.get(item__sentence_id=rows[0]["sentence_id"], annotator=bob)
        assert (given.label, given.note) == ("ensemble", "ab\ufffd")
        assert given.pk == first.pk

    def test_nul_in_an_uploaded_bib_file_is_dropped(self, client, alice, corpus):
        client.force_login(alice)
        bib = b'@article{x, title = "Random\x00 seeds", journal = "TACL\x00", year = 2022}'
        response = client.post(
            f"/corpora/{corpus.pk}/upload/",
            {"files": [SimpleUploadedFile("refs.bib", bib)]},
            follow=True,
        )
        assert response.status_code == 200
        assert "refs.bib: metadata matched 0 papers" in response.content.decode()
        corpus.refresh_from_db()
        assert "\x00" not in corpus.bibtex and 'title = "Random seeds"' in corpus.bibtex


class TestMessages:
    def test_a_damaged_page_says_which_and_what_to_do(self, tmp_path, corpus_dir):
        (row,) = ingest_json(broken_page(tmp_path / "broken.pdf", corpus_dir))
        assert row["status"] == "failed"
        assert row["error"].startswith("Page 2 of the PDF is damaged and cannot be read.")
        assert "save or print it as a new PDF" in row["error"]
        assert "PdfiumError" not in row["error"]

    def test_a_damaged_file_does_not_quote_pdfium(self, tmp_path):
        path = tmp_path / "garbage.pdf"
        path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
        (row,) = ingest_json(path)
        assert row["status"] == "failed"
        assert "damaged" in row["error"] and "PDFium" not in row["error"]

    def test_zips_say_what_is_wrong_with_them(self, tmp_path, corpus_dir):
        good = (corpus_dir / "li2022-discourse-deixis.pdf").read_bytes()
        inner = pdfs.zip_of(tmp_path / "inner.zip", {"a.pdf": good})
        nested = pdfs.zip_of(tmp_path / "nested.zip", {"inner.zip": inner.read_bytes()})
        empty = pdfs.zip_of(tmp_path / "notes.zip", {"readme.txt": b"hello"})
        locked = tmp_path / "locked.zip"
        locked.write_bytes(_encrypted_member(good))
        rows = {r["file"]: r for r in ingest_json(nested, empty, locked)}

        assert "archives inside an archive are not opened" in rows[f"{nested}/inner.zip"]["error"]
        assert "holds no PDF files" in rows[str(empty)]["error"]
        assert "password-protected" in rows[f"{locked}/a.pdf"]["error"]
        assert all(r["status"] == "failed" for r in rows.values())
        assert not any("ZipInfo" in r["error"] for r in rows.values())

    def test_an_empty_upload_form_says_to_choose_a_file(self, client, alice, corpus):
        client.force_login(alice)
        response = client.post(f"/corpora/{corpus.pk}/upload/", {}, follow=True)
        assert "Choose at least one PDF" in response.content.decode()


def _encrypted_member(data: bytes) -> bytes:
    """A zip whose member has the "encrypted" flag set, as a password-protected zip has."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.pdf", data)
    raw = bytearray(buffer.getvalue())
    # zipfile writes no encrypted members: set bit 0 of the flags in both headers.
    raw[6] |= 0x1
    raw[raw.rindex(b"PK\x01\x02") + 8] |= 0x1
    return bytes(raw)


class TestFailuresStayWithTheirPaper:
    def test_a_value_the_database_refuses_fails_that_paper_and_the_batch_goes_on(
        self, tmp_path, corpus_dir, monkeypatch
    ):
        real = actions.extract_paper

        def with_impossible_page(path, **options):
            extracted = real(path, **options)
            if path.stat().st_size < 20_000:  # the small made-up paper only
                extracted.sentences[0].page = -1  # a PositiveIntegerField: refused by a CHECK
            return extracted

        monkeypatch.setattr(actions, "extract_paper", with_impossible_page)
        bad = seed_paper(tmp_path / "bad.pdf")
        rows = ingest_json(bad, corpus_dir / "li2022-discourse-deixis.pdf")

        assert [r["status"] for r in rows] == ["failed", "done"]
        assert rows[0]["error"].startswith("This PDF could not be processed (IntegrityError")
        assert "Reprocess it" in rows[0]["error"]
        assert not Paper.objects.filter(status__in=actions.UNFINISHED).exists()

    def test_a_paragraph_longer_than_spacy_takes_is_read_in_pieces(
        self, tmp_path, corpus_dir, monkeypatch
    ):
        # A valid 300-page PDF can hold a paragraph of a million characters, over spaCy's
        # limit (E088); the same happens here with a lower limit and a real paper.
        monkeypatch.setattr(nlp(""), "max_length", 300)
        (row,) = ingest_json(corpus_dir / "li2022-discourse-deixis.pdf")
        assert row["status"] == "done", row["error"]
        assert row["seed_sentences"][0]["text"].startswith("Each experiment is run using")

    def test_pieces_cut_after_a_sentence_and_keep_every_character(self):
        text = "A seed of 42 was used. " * 500
        pieces = list(pipeline._pieces(text, 1_000))
        assert "".join(piece for _, piece in pieces) == text
        assert all(len(piece) <= 1_000 and piece.endswith(". ") for _, piece in pieces[:-1])
        assert [offset for offset, _ in pieces] == [
            sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))
        ]


class TestQueryStrings:
    def test_a_nul_in_a_filter_is_a_clear_400_not_a_500(self, client, alice, corpus):
        # PostgreSQL refuses NUL in a query parameter: the corpus filter used to answer 500.
        client.force_login(alice)
        response = client.get(f"/corpora/{corpus.pk}/", {"venue": "ACL\x00"})
        assert response.status_code == 400
        assert "NUL character" in response.content.decode()
        assert client.get(f"/corpora/{corpus.pk}/", {"venue": "ACL"}).status_code == 200
