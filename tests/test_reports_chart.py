"""Seed uses by year (Bethard's Figure 1) and the risky share with its interval: the numbers,
and the chart as SVG, PNG and PDF."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ElementTree

import pdfplumber
import pytest
from PIL import Image

from audit.reports.basis import Basis, Selection
from audit.reports.usage_chart import share, usage_by_year
from audit.reports.uses import selected_uses
from tests.test_annotator_support import person
from tests.test_reports_support import BETHARD_COUNTS, bethard_corpus, labelled_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def bethard(alice):
    return bethard_corpus(alice)


def chart(client, corpus, fmt: str, **query) -> bytes:
    response = client.get(f"/corpora/{corpus.pk}/seed-uses/by-year.{fmt}", query)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{corpus.name}-seed-uses-by-year.{fmt}"'
    )
    return response.content


class TestNumbers:
    def test_the_risky_share_has_wilsons_interval(self):
        half = share(5, 10)
        none = share(0, 4)

        # Wilson score interval for 5/10 at 95%, as tabulated (Brown, Cai and DasGupta 2001).
        assert (round(half.low, 4), round(half.high, 4)) == (0.2366, 0.7634)
        assert none.low == 0 and 0.45 < none.high < 0.5
        assert (half.percent, half.interval) == ("50%", "24%–76%")

    def test_every_paper_of_bethards_table_is_in_one_year(self, bethard):
        corpus, project = bethard

        usage = usage_by_year(
            selected_uses(Selection(corpus, project, Basis.PRIMARY)), Basis.PRIMARY
        )

        assert [year.year for year in usage.years] == list(range(2015, 2022))
        totals = {
            label: sum(year.counts[label] for year in usage.years) for label in BETHARD_COUNTS
        }
        assert totals == BETHARD_COUNTS
        assert sum(year.risky.risky for year in usage.years) == 48
        assert (usage.overall.papers, usage.overall.risky, usage.undated) == (85, 48, 0)

    def test_years_without_a_counted_paper_stay_on_the_axis(self, corpus, corpus_dir, bob):
        project = labelled_corpus(corpus, corpus_dir, bob, person("dave"))

        usage = usage_by_year(
            selected_uses(Selection(corpus, project, Basis.PRIMARY)), Basis.PRIMARY
        )

        assert [(y.year, y.risky.papers, y.risky.risky) for y in usage.years] == [
            (2017, 1, 0),  # cui2017: an ensemble
            (2018, 0, 0),  # fan2018: "seed" in other senses only
            (2019, 2, 1),  # aralikatte2019 (sensitivity), hershcovich2019-tupa (comparison)
            (2020, 0, 0),
            (2021, 1, 1),
            (2022, 3, 3),
            (2023, 1, 1),  # zhang2023; yan2023's garden seeds do not count
        ]


class TestDownloads:
    def test_svg_png_and_pdf_are_the_same_labelled_chart(self, client, alice, bethard):
        corpus, _ = bethard
        client.force_login(alice)

        svg = ElementTree.fromstring(chart(client, corpus, "svg"))
        png = Image.open(io.BytesIO(chart(client, corpus, "png")))
        with pdfplumber.open(io.BytesIO(chart(client, corpus, "pdf"))) as pdf:
            text = " ".join(pdf.pages[0].extract_text().split())

        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        assert png.format == "PNG" and png.size == (1350, 1050)
        # (The y-axis labels are rotated: pdfplumber reads them backwards.)
        for words in (
            "Uses of neural network random seeds by year",
            "corpus bethard; counted by primary category (project pilot)",
            "Safe (left bar)",
            "Risky (right bar,",
            "Single fixed seed",
            "Each year, with its 95% Wilson interval",
            "Year of publication (n: papers counted)",
            "All years: 56%",
            "2015",
            "n = 13",
        ):
            assert words in text, words

    def test_a_selection_without_papers_still_gives_a_chart_that_says_so(
        self, client, alice, bethard
    ):
        corpus, _ = bethard
        client.force_login(alice)

        page = client.get(f"/corpora/{corpus.pk}/seed-uses/", {"year_from": 2030}).content
        with pdfplumber.open(io.BytesIO(chart(client, corpus, "pdf", year_from=2030))) as pdf:
            text = pdf.pages[0].extract_text()

        assert b"No counted paper with a year in this selection" in page
        assert "No counted paper with a year in this selection." in text
        assert "2030–" in text
