"""Export and import of annotations: commands and the project page, round trips, bad files."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from annotator import actions
from annotator.exchange import FIELDS
from annotator.models import Assignment, Item, Project
from audit.models import Sentence
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
def labelled(corpus, corpus_dir, bob):
    """Two annotators, one disagreement adjudicated, one sentence not labelled by dave."""
    dave = person("dave")
    ingest(corpus, corpus_dir, *PAPERS)
    project = project_with(corpus, [bob, dave], overlap=2)
    for given in queue_of(project, bob):
        label(given, "performance_comparison", note="mean over seeds")
    dave_queue = queue_of(project, dave)
    for given in dave_queue[:4]:
        label(given, "performance_comparison")
    label(dave_queue[4], "fixed_seed")
    actions.adjudicate(dave_queue[4].item, "fixed_seed", person("maria", staff=True))
    return project


def export(tmp_path, fmt: str = "jsonl", **options) -> str:
    out = tmp_path / f"out.{fmt}"
    call_command(
        "export", "annotations", "--corpus", "acl", "--format", fmt, "--out", str(out), **options
    )
    return out.read_text()


class TestExport:
    def test_one_row_per_highlighted_sentence_with_labels_and_final_label(self, labelled, tmp_path):
        rows = [json.loads(line) for line in export(tmp_path).splitlines()]
        assert len(rows) == 6
        assert all(tuple(row) == FIELDS for row in rows)
        first = rows[0]
        assert first["file"].endswith("bhargava2022-discosense.pdf")
        assert len(first["sha256"]) == 64 and first["page"] >= 1 and first["text"]
        assert first["labels"] == [
            {"annotator": "bob", "label": "performance_comparison", "note": "mean over seeds"},
            {"annotator": "dave", "label": "performance_comparison", "note": ""},
        ]
        assert first["final_label"] == "performance_comparison"
        finals = [row["final_label"] for row in rows]
        assert finals.count("fixed_seed") == 1  # the adjudicated one
        assert finals.count(None) == 1  # only bob labelled it: agreed by one is not final
        unlabelled = [row for row in rows if len(row["labels"]) == 1]
        assert len(unlabelled) == 1

    def test_csv_has_the_same_columns_and_the_labels_as_json(self, labelled, tmp_path):
        rows = list(csv.DictReader(io.StringIO(export(tmp_path, "csv"))))
        assert tuple(rows[0]) == FIELDS
        assert json.loads(rows[0]["labels"])[0]["annotator"] == "bob"

    def test_an_unknown_corpus_or_project_is_an_error(self, labelled, tmp_path):
        with pytest.raises(CommandError, match="no project named 'nope'"):
            export(tmp_path, project="nope")


class TestImport:
    def test_a_round_trip_into_a_new_project_gives_the_same_export(
        self, labelled, corpus, tmp_path
    ):
        original = export(tmp_path, project="pilot")
        path = tmp_path / "annotations.jsonl"
        path.write_text(original)
        copy = actions.create_project(corpus, "copy", probe_share=0)
        call_command("import", "annotations", str(path), "--project", "copy")
        assert export(tmp_path, project="copy") == original
        assert Item.objects.get(project=copy, final_label="fixed_seed").adjudicated_at

    def test_text_that_looks_like_a_formula_is_written_as_text_and_read_back_exactly(
        self, labelled, corpus, tmp_path
    ):
        sentence = Sentence.objects.filter(paper__corpus=corpus, is_seed=True).first()
        sentence.text = "-2+3+cmd|' /C calc'!A0 " + sentence.text
        sentence.save(update_fields=["text"])
        sentence.paper.title = '=HYPERLINK("http://x.example","click")'
        sentence.paper.save(update_fields=["title"])
        original = export(tmp_path, "csv", project="pilot")
        row = next(r for r in csv.DictReader(io.StringIO(original)) if r["text"][1:3] == "-2")
        assert row["text"].startswith("'-2+3+cmd") and row["title"].startswith("'=HYPERLINK")

        path = tmp_path / "annotations.csv"
        path.write_text(original)
        actions.create_project(corpus, "copy", probe_share=0)
        call_command("import", "annotations", str(path), "--project", "copy")

        assert export(tmp_path, "csv", project="copy") == original

    def test_importing_twice_changes_nothing(self, labelled, tmp_path, capsys):
        path = tmp_path / "annotations.csv"
        path.write_text(export(tmp_path, "csv"))
        before = list(Assignment.objects.order_by("pk").values())
        call_command("import", "annotations", str(path))
        assert "0 labels added, 0 changed, 0 final labels set" in capsys.readouterr().out
        assert list(Assignment.objects.order_by("pk").values()) == before

    def test_a_bad_row_rejects_the_whole_file_naming_its_line(self, labelled, tmp_path):
        lines = export(tmp_path).splitlines()
        good = json.loads(lines[0])
        good["labels"][0]["label"] = "ensemble"
        bad = json.loads(lines[2])
        bad["labels"] = [{"annotator": "bob", "label": "lucky_seed", "note": ""}]
        path = tmp_path / "bad.jsonl"
        path.write_text("\n".join([json.dumps(good), lines[1], json.dumps(bad)]))
        with pytest.raises(CommandError, match="line 3: label 'lucky_seed' is not one of"):
            call_command("import", "annotations", str(path))
        assert not Assignment.objects.filter(label="ensemble").exists()

    def test_an_unknown_annotator_is_named(self, labelled, tmp_path):
        row = json.loads(export(tmp_path).splitlines()[0])
        row["labels"].append({"annotator": "zoe", "label": "ensemble", "note": ""})
        path = tmp_path / "zoe.jsonl"
        path.write_text(json.dumps(row))
        with pytest.raises(CommandError, match="line 1: there is no user named 'zoe'"):
            call_command("import", "annotations", str(path))

    def test_without_a_project_it_goes_to_the_corpus_default_one(
        self, corpus, corpus_dir, bob, tmp_path
    ):
        ingest(corpus, corpus_dir, PAPERS[0])
        rows = [json.loads(line) for line in export(tmp_path).splitlines()]
        rows[0]["labels"] = [{"annotator": "bob", "label": "sensitivity", "note": ""}]
        path = tmp_path / "new.jsonl"
        path.write_text("\n".join(json.dumps(row) for row in rows))
        call_command("import", "annotations", str(path))
        project = Project.objects.get(corpus=corpus, is_default=True)
        assert Assignment.objects.get(project=project, annotator=bob, label="sensitivity")


class TestProjectPage:
    def test_a_manager_downloads_and_uploads_annotations(self, client, labelled):
        client.force_login(person("ines", staff=True))
        response = client.get(f"/annotate/projects/{labelled.pk}/annotations.jsonl")
        assert response["Content-Disposition"].endswith('annotations.jsonl"')
        rows = [json.loads(line) for line in response.content.decode().splitlines()]
        rows[0]["final_label"] = "sensitivity"
        upload = SimpleUploadedFile("edited.txt", "\n".join(json.dumps(r) for r in rows).encode())
        page = client.post(
            f"/annotate/projects/{labelled.pk}/import/", {"file": upload}, follow=True
        )
        assert "set 1 final labels" in page.content.decode()
        assert Item.objects.filter(final_label="sensitivity").count() == 1

    def test_a_corpus_name_with_a_line_break_downloads_under_a_safe_name(
        self, client, labelled, corpus
    ):
        corpus.name = "line1\r\nX-Injected: yes"
        corpus.save(update_fields=["name"])
        client.force_login(person("ines", staff=True))

        for fmt in ("csv", "jsonl"):
            response = client.get(f"/annotate/projects/{labelled.pk}/annotations.{fmt}")

            assert response.status_code == 200
            assert response["Content-Disposition"] == (
                f'attachment; filename="line1_X-Injected:_yes-pilot-annotations.{fmt}"'
            )
            assert not response.has_header("X-Injected")

    def test_an_upload_with_an_error_says_where(self, client, labelled):
        client.force_login(person("ines", staff=True))
        upload = SimpleUploadedFile("x.jsonl", b'{"sentence_id": 1}\n')
        page = client.post(
            f"/annotate/projects/{labelled.pk}/import/", {"file": upload}, follow=True
        )
        assert "Nothing was imported: line 1: missing file, sha256" in page.content.decode()
