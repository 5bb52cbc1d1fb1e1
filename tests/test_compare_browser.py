"""Someone without an account compares two systems in Chromium: pastes scores or picks an example,
reads the verdict and the charts, and downloads the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.test_compare_csv import example

pytestmark = pytest.mark.browser


def loaded_images(page) -> int:
    return page.locator('img[src^="data:image/svg+xml"]').evaluate_all(
        "images => images.filter(img => img.complete && img.naturalWidth > 0).length"
    )


def test_a_visitor_pastes_seed_only_runs_is_warned_and_downloads_the_json(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("navigation").get_by_role("link", name="Compare").click()
    expect(page.get_by_role("heading", name="Compare systems")).to_be_visible()

    page.get_by_label("Paste scores (CSV)").fill(example("runs-seeds.csv"))
    page.get_by_role("button", name="Compare", exact=True).click()

    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("10 runs of bert-base with 10 runs of roberta-base")
    expect(verdict).to_contain_text("that vary only the random seed")
    expect(page.get_by_role("note")).to_contain_text("Only the random seed varied")
    expect(page.locator('img[src^="data:image/svg+xml"]')).to_have_count(3)
    assert loaded_images(page) == 3
    expect(page.locator("#tests")).to_contain_text("Almost Stochastic Order")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download JSON").click()
    report = json.loads(Path(download.value.path()).read_text())
    assert report["comparison"]["verdict"] == verdict.inner_text()
    assert report["input"]["seed_only"] is True


def test_a_visitor_tries_the_per_example_example_and_downloads_the_pdf(page, live_server):
    page.goto(f"{live_server.url}/compare/")

    page.get_by_role("button", name="per-example scores").click()
    expect(page.get_by_label("Paste scores (CSV)")).to_have_value(example("examples-scores.csv"))
    page.get_by_role("button", name="Compare", exact=True).click()

    expect(page.locator("#verdict")).to_contain_text(
        "Compared bert-base with roberta-base by mean on the same 500 test examples: "
        "roberta-base is better than bert-base"
    )
    expect(page.get_by_role("note")).to_have_count(0)
    assert loaded_images(page) == 2
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename == "comparison.pdf"


def test_a_visitor_compares_three_systems_and_reads_the_matrix_and_the_ranking(page, live_server):
    rows = [
        f"{name},{0.80 + offset + (seed % 4) / 1000:.4f},{seed}"
        for name, offset in (("small", 0.0), ("base", 0.05), ("large", 0.1))
        for seed in range(6)
    ]
    page.goto(f"{live_server.url}/compare/")

    page.get_by_label("Paste scores (CSV)").fill("system,score,seed\n" + "\n".join(rows))
    page.get_by_role("button", name="Compare", exact=True).click()

    expect(page.locator("#verdict")).to_contain_text("Ranked by mean: large > base > small.")
    matrix = page.locator("table.pairs-matrix")
    expect(matrix.locator("thead th")).to_have_text(["", "large", "base", "small"])
    expect(matrix.locator("tbody tr").first.locator("td")).to_contain_text(
        ["—", "better", "better"]
    )
    expect(page.locator("table.ranking-steps")).to_contain_text("large over base")
    assert loaded_images(page) == 1


def test_a_visitor_states_a_claim_and_reads_whether_the_runs_support_it(page, live_server):
    page.goto(f"{live_server.url}/compare/")

    page.get_by_label("Paste scores (CSV)").fill(example("runs-search.csv"))
    page.get_by_label("Claimed better (optional)").fill("bert-base")
    page.get_by_role("button", name="Compare", exact=True).click()

    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text(
        "the claim that bert-base beats roberta-base is not supported (one-sided test, decided "
        "before seeing the scores)"
    )
    expect(verdict).to_contain_text("the two-sided test shows the opposite")
    # The form keeps the claim for the next comparison, and the download carries it.
    expect(page.get_by_label("Claimed better (optional)")).to_have_value("bert-base")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download JSON").click()
    report = json.loads(Path(download.value.path()).read_text())
    assert report["input"]["claimed_better"] == "bert-base"
    assert report["comparison"]["verdict"] == verdict.inner_text()
