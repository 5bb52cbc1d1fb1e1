"""Table 1: Bethard's published counts reproduced exactly, how labels count, filters, downloads."""

from __future__ import annotations

import csv
import io

import pytest

from audit.reports.basis import Basis, Selection
from audit.reports.table1 import table1
from audit.reports.uses import selected_uses
from tests.test_reports_support import bethard_corpus

pytestmark = pytest.mark.django_db

BETHARD_ROWS = [
    ("Safe", "Model selection", 12, 14.1),
    ("Safe", "Ensemble creation", 13, 15.3),
    ("Safe", "Sensitivity analysis", 12, 14.1),
    ("Safe sub-total", "", 37, 43.5),
    ("Risky", "Single fixed seed", 24, 28.2),
    ("Risky", "Performance comparison", 24, 28.2),
    ("Risky sub-total", "", 48, 56.5),
]


@pytest.fixture
def bethard(alice):
    return bethard_corpus(alice)


def rows_of(table) -> list[tuple]:
    return [
        (row.name if row.is_subtotal else row.group.title(), "" if row.is_subtotal else row.name,
         row.count, round(row.percent, 1))
        for row in table.rows
    ]  # fmt: skip


def download(client, corpus, fmt: str, **query) -> str:
    response = client.get(f"/corpora/{corpus.pk}/seed-uses/table1.{fmt}", query)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{corpus.name}-table1.{fmt}"'
    return response.content.decode()


class TestBethardTable1:
    def test_it_reproduces_his_counts_and_subtotals_exactly(self, bethard):
        corpus, project = bethard
        selection = Selection(corpus, project, Basis.PRIMARY)

        table = table1(selected_uses(selection), selection.basis)

        assert rows_of(table) == BETHARD_ROWS
        assert (table.papers, table.no_seed_use, table.unlabelled) == (85, 15, 0)

    def test_the_csv_download_has_his_rows_and_says_how_they_were_counted(
        self, client, alice, bethard
    ):
        corpus, _ = bethard
        client.force_login(alice)

        rows = list(csv.DictReader(io.StringIO(download(client, corpus, "csv"))))

        assert [
            (r["type"], r["purpose"], int(r["count"]), float(r["percent"])) for r in rows[:-1]
        ] == BETHARD_ROWS
        assert rows[-1] == {
            "type": "Total papers", "purpose": "", "label": "", "count": "85",
            "percent": "100.0", "basis": "primary", "project": "pilot", "scope": "corpus bethard",
        }  # fmt: skip
        assert rows[0]["label"] == "model_selection"

    def test_a_project_name_that_looks_like_a_formula_is_written_as_text(
        self, client, alice, bethard
    ):
        corpus, project = bethard
        project.name = "=cmd|' /C calc'!A0 <script>x</script>"
        project.save(update_fields=["name"])
        client.force_login(alice)

        rows = list(csv.DictReader(io.StringIO(download(client, corpus, "csv"))))
        markdown = download(client, corpus, "md")

        assert {row["project"] for row in rows} == {"'=cmd|' /C calc'!A0 <script>x</script>"}
        assert "<script>" not in markdown and "&lt;script&gt;x&lt;/script&gt;" in markdown

    def test_the_markdown_and_latex_downloads_are_ready_to_paste(self, client, alice, bethard):
        corpus, _ = bethard
        client.force_login(alice)

        markdown = download(client, corpus, "md")
        latex = download(client, corpus, "tex")

        assert "| Safe | Ensemble creation | 13 | 15.3 |" in markdown
        assert "| **Risky sub-total** | | **48** | **56.5** |" in markdown
        assert "| **Total papers** | | **85** | |" in markdown
        assert "Table 1: Uses of neural network random seeds for 85 papers (corpus bethard)." in (
            markdown
        )
        assert "Counted by primary category (project pilot) — one category per paper" in markdown
        assert "Not counted: 15 papers without a neural-network seed use, 0 not yet labelled." in (
            markdown
        )
        assert r"Risky & Single fixed seed & 24 & 28.2 \\" in latex
        assert r"\multicolumn{2}{l}{Safe sub-total} & 37 & 43.5 \\" in latex
        assert latex.startswith(r"\begin{table}") and latex.rstrip().endswith(r"\end{table}")
        assert r"\caption{Uses of neural network random seeds for 85 papers" in latex

    def test_latex_escapes_what_latex_would_choke_on(self, client, alice, bethard):
        corpus, _ = bethard
        corpus.name = "acl_2021 & 50% more"
        corpus.save(update_fields=["name"])
        client.force_login(alice)

        response = client.get(f"/corpora/{corpus.pk}/seed-uses/table1.tex", {"year_from": 2019})

        latex = response.content.decode()
        assert (
            response["Content-Disposition"] == 'attachment; filename="acl_2021-50-more-table1.tex"'
        )
        assert r"(corpus acl\_2021 \& 50\% more, 2019--\ldots{})." in latex
        assert r"project pilot) --- one category per paper" in latex

    def test_the_page_shows_the_table_and_how_labels_count(self, client, alice, bethard):
        corpus, _ = bethard
        client.force_login(alice)

        response = client.get(f"/corpora/{corpus.pk}/seed-uses/")

        html = response.content.decode()
        assert response.status_code == 200
        assert [
            (row.name, row.count, f"{row.percent:.1f}") for row in response.context["table"].rows
        ][3] == ("Safe sub-total", 37, "43.5")
        assert '<th colspan="2" scope="row">Risky sub-total</th><td class="num">48</td>' in html
        assert '<td class="num">56.5</td>' in html
        assert "<strong>Counted by</strong> primary category (project pilot)" in html
        assert "<svg" in html


class TestBasis:
    def test_counting_every_final_label_counts_a_paper_once_per_use(self, bethard):
        corpus, project = bethard
        selection = Selection(corpus, project, Basis.FINAL)

        table = table1(selected_uses(selection), selection.basis)

        counts = {row.name: row.count for row in table.rows}
        # The three ensemble papers that also fix a seed now count as fixed seed too.
        assert counts["Single fixed seed"] == 27
        assert counts["Ensemble creation"] == 13
        assert (counts["Safe sub-total"], counts["Risky sub-total"], table.papers) == (37, 51, 85)

    def test_the_chosen_basis_is_on_the_page_and_in_every_file(self, client, alice, bethard):
        corpus, _ = bethard
        client.force_login(alice)

        html = client.get(f"/corpora/{corpus.pk}/seed-uses/", {"basis": "final"}).content.decode()
        rows = list(csv.DictReader(io.StringIO(download(client, corpus, "csv", basis="final"))))
        markdown = download(client, corpus, "md", basis="final")

        assert "<strong>Counted by</strong> all final labels (project pilot)" in html
        assert '<option value="final" title="every category' in html
        assert {row["basis"] for row in rows} == {"final"}
        assert "a paper with several uses counts once in each" in markdown
        assert "Sub-totals count papers with at least one such use" in markdown

    def test_without_a_project_only_suggestions_can_count(self, bethard):
        corpus, _ = bethard
        selection = Selection(corpus, None, Basis.PRIMARY)

        table = table1(selected_uses(selection), selection.basis)

        assert (table.papers, table.no_seed_use, table.unlabelled) == (0, 7, 93)
        assert all(row.percent is None for row in table.rows)


class TestFilters:
    def test_venues_and_year_ranges_split_the_table_without_losing_a_paper(
        self, client, alice, bethard
    ):
        corpus, _ = bethard
        client.force_login(alice)

        def counts(**query) -> list[int]:
            rows = csv.DictReader(io.StringIO(download(client, corpus, "csv", **query)))
            return [int(row["count"]) for row in rows]

        everything = counts()
        acl, emnlp = counts(venue="ACL"), counts(venue="EMNLP")
        early, late = counts(year_to="2017"), counts(year_from="2018", year_to="2021")

        assert everything[-1] == 85
        assert 0 < acl[-1] < 85 and 0 < early[-1] < 85
        assert [a + b for a, b in zip(acl, emnlp, strict=True)] == everything
        assert [a + b for a, b in zip(early, late, strict=True)] == everything

    def test_the_filter_is_stated_in_the_files(self, client, alice, bethard):
        corpus, _ = bethard
        client.force_login(alice)

        markdown = download(client, corpus, "md", year_from="2018", year_to="2021", venue="ACL")
        rows = list(csv.DictReader(io.StringIO(download(client, corpus, "csv", year_from="2019"))))

        assert "(corpus bethard, 2018–2021, venue ACL)" in markdown
        assert rows[0]["scope"] == "corpus bethard, 2019–…"

    def test_a_bad_parameter_is_named_on_the_page_and_refused_for_a_download(
        self, client, alice, bethard
    ):
        corpus, _ = bethard
        client.force_login(alice)
        page = f"/corpora/{corpus.pk}/seed-uses/"

        basis = client.get(page, {"basis": "nope"})
        project = client.get(page, {"project": 999})
        year = client.get(page, {"year_from": "x"})

        assert [r.status_code for r in (basis, project, year)] == [200, 200, 200]
        assert "Count: Select a valid choice. nope is not one of" in basis.content.decode()
        assert "Labels from: this corpus has no such project" in project.content.decode()
        assert "From year: Enter a whole number." in year.content.decode()
        download = client.get(f"{page}table1.csv", {"year_from": "x"})
        assert download.status_code == 400
