"""The corpus spreadsheet of real ingested and annotated papers: a row per paper, a row per
labelled sentence, as CSV and XLSX, from the command line and the corpus page."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from audit import actions
from audit.reports.spreadsheet import PAPER_COLUMNS, SENTENCE_COLUMNS
from tests.test_annotator_support import person
from tests.test_reports_support import labelled_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(corpus, corpus_dir, bob):
    return labelled_corpus(corpus, corpus_dir, bob, person("dave"))


def by_file(rows: list[dict], key: str = "file") -> dict[str, dict]:
    return {row[key].rsplit("/", 1)[-1].split("-")[0]: row for row in rows}


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


class TestCsv:
    def test_metadata_that_looks_like_a_formula_is_written_as_text(
        self, client, alice, corpus, project
    ):
        li = corpus.papers.get(original_name__contains="li2022")
        actions.update_metadata(
            li,
            {
                "title": '=HYPERLINK("http://x.example","click")',
                "authors": ["=cmd|' /C calc'!A0", "Vincent Ng"],
                "venue": "+SUM(1,1)",
                "anthology_id": "@SUM(1,1)",
            },
        )
        client.force_login(alice)

        response = client.get(f"/corpora/{corpus.pk}/seed-uses/spreadsheet-papers.csv")

        row = by_file(read_csv(response.content.decode()))["li2022"]
        # The name it was uploaded (or ingested) under, not a path on the server.
        assert row["file"] == "li2022-discourse-deixis.pdf"
        assert row["title"] == '\'=HYPERLINK("http://x.example","click")'
        assert row["authors"] == "'=cmd|' /C calc'!A0; Vincent Ng"
        assert (row["venue"], row["anthology_id"]) == ("'+SUM(1,1)", "'@SUM(1,1)")
        assert (row["year"], row["snippet_page"]) == ("2022", "6")

    def test_a_row_per_paper_with_its_category_and_the_snippet_that_justifies_it(
        self, corpus, project, tmp_path, capsys
    ):
        out = tmp_path / "acl.csv"

        call_command("export", "spreadsheet", "--corpus", "acl", "--format", "csv", "--out", out)

        papers = read_csv(out.read_text())
        assert tuple(papers[0]) == PAPER_COLUMNS
        assert len(papers) == 12
        li = by_file(papers)["li2022"]
        assert (li["primary_category"], li["group"], li["state"]) == (
            "fixed_seed",
            "risky",
            "counted",
        )
        assert li["snippet"].startswith("Each experiment is run using a random seed of 11")
        assert (li["snippet_page"], li["year"], li["basis"], li["project"]) == (
            "6", "2022", "primary", "pilot"
        )  # fmt: skip
        zhang = by_file(papers)["zhang2023"]
        assert zhang["labels"] == "model_selection; performance_comparison; not_seed_use"
        assert zhang["primary_category"] == "performance_comparison"
        fan, choshen = by_file(papers)["fan2018"], by_file(papers)["choshen2019"]
        assert (fan["primary_category"], fan["state"]) == ("not_seed_use", "no_seed_use")
        assert (choshen["primary_category"], choshen["seed_sentences"]) == ("", "0")
        summary = capsys.readouterr().out
        # The 20 of the next test and fan2018's EM initialisation, labelled not a seed use.
        assert "Wrote 12 papers and 21 labelled sentences" in summary
        assert "primary category (project pilot)" in summary

    def test_a_second_file_has_a_row_per_labelled_sentence(self, corpus, project, tmp_path):
        out = tmp_path / "acl.csv"

        call_command("export", "spreadsheet", "--corpus", "acl", "--format", "csv", "--out", out)

        sentences = read_csv((tmp_path / "acl-sentences.csv").read_text())
        assert tuple(sentences[0]) == SENTENCE_COLUMNS
        # 22 highlighted sentences (21 gold, and fan2018's EM initialisation, which annotators
        # call not a seed use); dave has not labelled kecp's second one: undecided.
        assert len(sentences) == 21
        (aralikatte,) = [row for row in sentences if "aralikatte2019" in row["file"]]
        assert (aralikatte["label"], aralikatte["group"], aralikatte["label_source"]) == (
            "sensitivity", "safe", "final"
        )  # fmt: skip
        assert aralikatte["annotators"] == "bob: sensitivity; dave: performance_comparison"
        assert aralikatte["page"] == "4" and aralikatte["section"] == "5 Analysis"

    def test_with_suggestions_the_undecided_sentence_is_counted_and_says_so(
        self, client, alice, corpus, project
    ):
        client.force_login(alice)

        response = client.get(
            f"/corpora/{corpus.pk}/seed-uses/spreadsheet-sentences.csv", {"basis": "suggested"}
        )

        sentences = read_csv(response.content.decode())
        assert response["Content-Disposition"] == (
            'attachment; filename="acl-seed-uses-sentences.csv"'
        )
        assert len(sentences) == 22
        (undecided,) = [row for row in sentences if row["label_source"] == "suggested"]
        assert "wang2022-kecp" in undecided["file"] and undecided["label"] == "not_seed_use"
        assert {row["basis"] for row in sentences} == {"suggested"}


class TestXlsx:
    def test_the_workbook_has_papers_sentences_and_how_labels_count(
        self, corpus, project, tmp_path
    ):
        out = tmp_path / "acl.xlsx"

        call_command("export", "spreadsheet", "--corpus", "acl", "--format", "xlsx", "--out", out)

        book = load_workbook(out)
        assert book.sheetnames == ["Papers", "Sentences", "About"]
        papers = list(book["Papers"].values)
        assert papers[0] == PAPER_COLUMNS and len(papers) == 13
        rows = [dict(zip(PAPER_COLUMNS, row, strict=True)) for row in papers[1:]]
        cui = by_file(rows)["cui2017"]
        assert (cui["primary_category"], cui["group"], cui["year"]) == ("ensemble", "safe", 2017)
        sentences = list(book["Sentences"].values)
        assert sentences[0] == SENTENCE_COLUMNS and len(sentences) == 22  # a header and 21 rows
        about = dict(book["About"].values)
        assert about["Counted by"].startswith("primary category (project pilot) — one category")
        assert about["Basis"] == "primary" and about["Papers"] == "corpus acl"

    def test_text_that_looks_like_a_formula_stays_text(self, client, alice, corpus, project):
        li = corpus.papers.get(original_name__contains="li2022")
        actions.update_metadata(li, {"title": '=HYPERLINK("http://x.example","click")'})
        client.force_login(alice)

        response = client.get(f"/corpora/{corpus.pk}/seed-uses/spreadsheet.xlsx")

        sheet = load_workbook(io.BytesIO(response.content))["Papers"]
        (cell,) = [row[2] for row in sheet.iter_rows(min_row=2) if row[0].value == li.pk]
        assert cell.value == '=HYPERLINK("http://x.example","click")'
        assert cell.data_type == "s"
