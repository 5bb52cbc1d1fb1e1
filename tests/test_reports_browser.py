"""The report pages in a real Chromium: Table 1 with the chart, switching how labels count, and
the checklist on screen and in print. Screenshots land in test-output/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import OUTPUT_DIR, log_in
from tests.test_annotator_support import person
from tests.test_reports_support import bethard_corpus, labelled_corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bethards_table_and_chart_are_on_one_page(page, live_server, alice):
    corpus, _ = bethard_corpus(alice)
    log_in(page, live_server, "alice", "alice-password")

    page.goto(f"{live_server.url}/corpora/{corpus.pk}/seed-uses/")

    table = page.locator("#table1")
    expect(table.locator("tr.subtotal.group-safe")).to_contain_text("37")
    expect(table.locator("tr.subtotal.group-risky")).to_contain_text("56.5")
    chart = page.locator("figure.chart svg")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] > 500 and 0.7 < box["height"] / box["width"] < 0.85
    page.get_by_text("The numbers behind the chart").click()
    expect(page.locator("table.by-year tr.total")).to_contain_text("854856%46%–67%")


def test_switching_to_every_final_label_recounts_and_says_so(
    page, live_server, alice, bob, corpus, corpus_dir
):
    labelled_corpus(corpus, corpus_dir, bob, person("dave"))
    log_in(page, live_server, "alice", "alice-password")
    page.goto(f"{live_server.url}/corpora/{corpus.pk}/")

    page.get_by_role("link", name="Seed uses: Table 1 and by year").click()
    expect(page.locator(".counting-note").first).to_contain_text("primary category (project pilot)")
    expect(page.locator("#table1 tr.total")).to_contain_text("8")
    page.locator("select[name=basis]").select_option("final")
    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(r"/seed-uses/\?basis=final&"))
    expect(page.locator(".counting-note").first).to_contain_text("all final labels (project pilot)")
    # zhang2023 also tunes its seed: with every final label it counts under model selection too.
    expect(page.locator("#table1 tr", has_text="Model selection")).to_contain_text("1")
    csv_link = page.get_by_role("link", name="CSV", exact=True)
    assert "basis=final" in csv_link.get_attribute("href")


def test_the_checklist_is_on_screen_with_boxes_to_tick_and_prints_alone(
    page, live_server, alice, bob, corpus, corpus_dir
):
    labelled_corpus(corpus, corpus_dir, bob, person("dave"))
    zhang = corpus.papers.get(original_name__contains="zhang2023")
    log_in(page, live_server, "alice", "alice-password")
    page.goto(f"{live_server.url}/papers/{zhang.pk}/")

    page.get_by_role("link", name="Open the checklist").click()

    expect(page.locator(".use-group.group-risky h3")).to_have_text(["Performance comparison"])
    expect(page.locator(".use-group.group-safe h3")).to_have_text(["Model selection"])
    expect(page.locator(".advice").first).to_contain_text("bootstrap samples of the test set")
    tuned = page.get_by_label("Treats the seed as a hyperparameter")
    expect(tuned).to_be_checked()
    spread = page.get_by_label("Reports how much results vary across runs")
    spread.check()
    expect(spread).to_be_checked()

    page.emulate_media(media="print")
    expect(page.locator(".report-controls")).to_be_hidden()
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".checklist")).to_be_visible()
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=OUTPUT_DIR / "checklist-print.png", full_page=True)
    page.emulate_media(media="screen")
