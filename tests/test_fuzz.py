"""Generated bad input, everywhere it enters: file names, PDF bytes and metadata, zip archives,
notes, BibTeX, annotation files and query strings. Whatever comes in, each paper ends done or
failed with a message for people, the good paper beside them is done, nothing answers 500.

`SEEDAUDIT_FUZZ_CASES` sets how many cases of each kind (CI: the small default); the seed is
printed on failure, and `SEEDAUDIT_FUZZ_SEED` replays it.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import uuid
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from audit import actions
from audit.models import Paper
from tests import pdfs
from tests.test_annotator_support import PAPERS, ingest, project_with, queue_of
from tests.test_bad_input import seed_paper

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore:Duplicate name")]

CASES = int(os.environ.get("SEEDAUDIT_FUZZ_CASES", 6))
SEED = int(os.environ.get("SEEDAUDIT_FUZZ_SEED", random.randrange(2**32)))
# Characters that have broken storage or display somewhere: NUL and other controls, lone
# surrogates, bidi overrides, non-characters, emoji, markup.
NASTY = ["\x00", "\x01", "\x1b", "\x7f", "\ud800", "\udfff", "\u202e", "\ufffe", "\uffff"]
NASTY += ["😀", "é", "\r\n", "\t", "<script>", "'; --", "%00", "=cmd|' /C calc'!A0", " "]
# What the user sees instead of a message written for people.
NOT_FOR_PEOPLE = ("Traceback", "<ZipInfo", "(PDFium:", "object at 0x", "\x00")


@pytest.fixture
def rng(request) -> random.Random:
    request.node.user_properties.append(("fuzz seed", SEED))
    print(f"SEEDAUDIT_FUZZ_SEED={SEED}")
    return random.Random(f"{SEED}:{request.node.name}")


def nasty_text(rng: random.Random, length: int = 12) -> str:
    return "".join(
        rng.choice(NASTY) if rng.random() < 0.4 else chr(rng.randrange(32, 0x2FFF))
        for _ in range(length)
    )


def sendable(text: str) -> str:
    """`text` as a browser can send it in a form: lone surrogates have no UTF-8 bytes."""
    return text.encode("utf-8", "replace").decode("utf-8")


def nasty_name(rng: random.Random) -> bytes:
    """A file name as bytes: not UTF-8, control characters, very long, odd suffixes."""
    stem = bytes(rng.randrange(1, 256) for _ in range(rng.randrange(1, 40)))
    stem = stem.replace(b"/", b"_").replace(b"\x00", b"_")
    if rng.random() < 0.2:
        stem = stem * (200 // len(stem) + 1)
    return stem[:240] + rng.choice([b".pdf", b".PDF", b".zip", b".pdf.zip"])


def mutated_pdf(rng: random.Random, good: bytes) -> bytes:
    data = bytearray(good)
    kind = rng.randrange(4)
    if kind == 0:  # flipped bytes
        for _ in range(rng.randrange(1, 60)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1:  # cut short, or cut in the middle
        cut = rng.randrange(1, len(data))
        data = data[:cut] if rng.random() < 0.5 else data[:cut] + data[cut + cut // 3 :]
    elif kind == 2:  # a metadata string PDFium reads as UTF-16 with lone surrogates
        units = [rng.choice([0xD800, 0xDC00, 0x0000, 0x0041, 0xFFFE]) for _ in range(6)]
        hex_string = "<FEFF" + "".join(f"{u:04X}" for u in units) + ">"
        data = bytearray(re.sub(rb"/Title \([^)]*\)", f"/Title {hex_string}".encode(), data))
    else:  # garbage after a PDF header
        data = bytearray(b"%PDF-1.7\n" + rng.randbytes(rng.randrange(10, 5000)) + b"\n%%EOF")
    return bytes(data)


def nasty_zip(rng: random.Random, good: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for _ in range(rng.randrange(0, 4)):
            name = rng.choice(
                [
                    f"../{nasty_text(rng, 5)}.pdf",
                    f"/abs/{rng.randrange(99)}.pdf",
                    f"C:\\x{rng.randrange(99)}.pdf",
                    f"{nasty_text(rng, 8)}.pdf".replace("\x00", "_").replace("/", "_"),
                    "inner.zip",
                    "notes.txt",
                    "dir/",
                    "__MACOSX/._x.pdf",
                ]
            )
            name = name.encode("utf-8", "replace").decode("utf-8")
            content = rng.choice([good, mutated_pdf(rng, good), b"", rng.randbytes(100)])
            archive.writestr(name, content)
    data = bytearray(buffer.getvalue())
    if data and rng.random() < 0.3:  # damage it: flipped bytes or cut short
        for _ in range(rng.randrange(1, 10)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    if rng.random() < 0.2:
        data = data[: rng.randrange(4, len(data) + 1)]
    return bytes(data)


def made_paper(path: Path, rng: random.Random) -> bytes:
    """A small valid paper whose metadata is full of nasty characters."""
    title, author = nasty_text(rng), nasty_text(rng)
    try:
        seed_paper(path, title=title, author=author)
    except (UnicodeError, ValueError):  # reportlab cannot write it; the bytes case covers it
        seed_paper(path, title=title.encode("ascii", "replace").decode(), author="x")
    return path.read_bytes()


def check_failures_read_well(rows: list[dict]) -> None:
    for row in rows:
        assert row["status"] in {"done", "failed", "duplicate"}, row
        if row["status"] == "failed":
            assert row["error"], row
            assert not any(bad in row["error"] for bad in NOT_FOR_PEOPLE), row["error"]
    assert not Paper.objects.filter(status__in=actions.UNFINISHED).exists()


def test_bad_files_on_the_command_line_fail_alone(tmp_path, rng, corpus_dir):
    folder = os.fsencode(tmp_path / "in")
    os.mkdir(folder)
    good = made_paper(tmp_path / "base.pdf", rng)
    for n in range(CASES):
        made_paper(tmp_path / "meta.pdf", rng)
        cases = [
            (nasty_name(rng), good),
            (b"%d-meta.pdf" % n, (tmp_path / "meta.pdf").read_bytes()),
            (b"%d-mutated.pdf" % n, mutated_pdf(rng, good)),
            (b"%d-archive.zip" % n, nasty_zip(rng, good)),
        ]
        for name, data in cases:
            with open(os.path.join(folder, b"%d-" % n + name), "wb") as f:
                f.write(data)
    real = corpus_dir / "li2022-discourse-deixis.pdf"
    with open(os.path.join(folder, b"zz-real.pdf"), "wb") as f:
        f.write(real.read_bytes())

    out = io.StringIO()
    call_command("ingest", folder.decode("utf-8", "surrogateescape"), "--sync", "--json",
                 stdout=out, stderr=io.StringIO())  # fmt: skip
    # One object a line; splitlines() would also split at U+2028 inside a name.
    rows = [json.loads(line) for line in out.getvalue().split("\n") if line]

    assert len(rows) >= 4 * CASES
    check_failures_read_well(rows)
    assert [r["status"] for r in rows if r["file"].endswith("zz-real.pdf")] == ["done"]


def test_bad_uploads_answer_with_a_page_not_an_error(client, alice, corpus, rng, tmp_path):
    client.force_login(alice)
    good = made_paper(tmp_path / "base.pdf", rng)
    for _ in range(CASES):
        name = nasty_name(rng).decode("utf-8", "replace")
        files = [
            SimpleUploadedFile(name, rng.choice([mutated_pdf(rng, good), nasty_zip(rng, good)])),
            SimpleUploadedFile(sendable(f"{nasty_text(rng, 4)}.bib"), _nasty_bibtex(rng)),
        ]
        response = client.post(f"/corpora/{corpus.pk}/upload/", {"files": files}, follow=True)
        assert response.status_code == 200
    for paper in Paper.objects.filter(status=Paper.Status.PENDING):
        actions.process_paper(paper.pk)
    check_failures_read_well(list(Paper.objects.values("status", "error")))


def _nasty_bibtex(rng: random.Random) -> bytes:
    title, year = nasty_text(rng), nasty_text(rng, 3)
    text = f'@article{{k{rng.randrange(99)}, title = "{title}", year = {year}}}'
    return text.encode("utf-8", "surrogatepass") + rng.randbytes(rng.randrange(0, 50))


def test_nasty_notes_are_stored_clean(client, corpus, corpus_dir, bob, rng):
    ingest(corpus, corpus_dir, PAPERS[0])
    project = project_with(corpus, [bob], overlap=1)
    client.force_login(bob)
    for given in queue_of(project, bob)[:CASES]:
        note = nasty_text(rng, 30)
        # json.dumps writes lone surrogates as \ud800 escapes, as a browser may send them.
        response = client.post(
            f"/annotate/projects/{project.pk}/api/label/",
            json.dumps({"assignment": given.pk, "label": "fixed_seed", "note": note,
                        "client_id": str(uuid.uuid4())}),
            content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 200
        given.refresh_from_db()
        assert "\x00" not in given.note and given.note.encode("utf-8")


def test_mangled_annotation_files_are_refused_or_imported_never_crash(
    corpus, corpus_dir, bob, rng, tmp_path
):
    ingest(corpus, corpus_dir, PAPERS[0])
    project_with(corpus, [bob], overlap=1)
    exported = tmp_path / "labels.jsonl"
    call_command("export", "annotations", "--corpus", "acl", "--format", "jsonl", "--out", exported)
    lines = exported.read_text().splitlines()
    for n in range(CASES):
        rows = [json.loads(line) for line in lines]
        row = rng.choice(rows)
        key = rng.choice([*row, "labels"])
        row[key] = rng.choice(
            [
                nasty_text(rng),
                None,
                -1,
                [{"annotator": "bob", "label": "fixed_seed", "note": nasty_text(rng)}],
                [{"annotator": nasty_text(rng), "label": nasty_text(rng)}],
                {"nested": [nasty_text(rng)]},
            ]
        )
        path = tmp_path / f"mangled-{n}.jsonl"
        path.write_text(
            "\n".join(json.dumps(r) for r in rows), encoding="utf-8", errors="surrogatepass"
        )
        try:
            call_command("import", "annotations", path, stdout=io.StringIO())
        except CommandError as error:
            assert re.match(r"(line \d+|the file)", str(error)) or str(error), error


@pytest.mark.parametrize("page", ["/corpora/{id}/", "/corpora/{id}/seed-uses/", "/compare/"])
def test_nasty_query_strings_get_a_page_or_a_400(client, alice, corpus, rng, page):
    client.force_login(alice)
    for _ in range(CASES):
        params = {
            key: sendable(nasty_text(rng, 6))
            for key in ("venue", "year", "years", "status", "seeds", "basis", "project", "q")
        }
        response = client.get(page.format(id=corpus.pk), params)
        assert response.status_code in {200, 400}, response.status_code


def test_the_base_paper_of_the_fuzz_is_read(tmp_path, rng):
    # Mutations of an unreadable paper would prove nothing.
    path = tmp_path / "base.pdf"
    made_paper(path, rng)
    assert len(pdfs.pdfium.PdfDocument(str(path))) == 1
    out = io.StringIO()
    call_command("ingest", str(path), "--sync", "--json", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())["status"] == "done"
