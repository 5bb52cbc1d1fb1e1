"""A person tests a paper's seed claim in Chromium and reads the report a real worker made."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from audit.lab.models import Claim
from tests.conftest import OUTPUT_DIR, log_in
from tests.test_lab_claims import li2022_seed_sentence

pytestmark = [pytest.mark.browser, pytest.mark.worker]


@pytest.mark.parametrize("celery_worker", ["filesystem://"], indirect=True)
def test_test_this_claim_from_the_paper_page_to_its_report(
    page, live_server, celery_worker, alice, corpus, corpus_dir
):
    sentence = li2022_seed_sentence(corpus, corpus_dir)
    log_in(page, live_server, "alice", "alice-password")
    page.goto(f"{live_server.url}/papers/{sentence.paper_id}/")

    page.screenshot(path=OUTPUT_DIR / "lab-paper-page.png")
    page.get_by_role("link", name="Test this claim").click()
    expect(page.get_by_role("heading", name="Test this claim")).to_be_visible()
    expect(page.locator(".claim-quote")).to_contain_text("random seed of 11")
    form = page.locator("form.stack")
    form.locator('[name="setup"]').select_option("digits-mlp")
    form.locator('[name="claimed_score"]').fill("95.3")
    form.locator('[name="seeds"]').fill("11")
    form.locator('[name="runs"]').fill("2")
    form.locator('[name="device"]').select_option("cpu")
    page.screenshot(path=OUTPUT_DIR / "lab-claim-form.png", full_page=True)
    page.get_by_role("button", name="Start the experiments").click()

    expect(page.get_by_text("The experiments are queued")).to_be_visible()
    expect(page.locator("#experiments tbody tr")).to_have_count(4)
    page.screenshot(path=OUTPUT_DIR / "lab-claim-running.png", full_page=True)
    # The page follows the worker by itself and shows the report once it is written.
    expect(page.get_by_role("heading", name="Verdict")).to_be_visible(timeout=240_000)
    expect(page.locator('#experiments tr[data-status="done"]')).to_have_count(4)
    expect(page.locator(".verdict")).to_contain_text("digits-mlp: the claimed 0.9530 is")
    chart = page.get_by_role("img", name="The four score distributions of digits-mlp")
    expect(chart).to_be_visible()
    assert chart.evaluate("image => image.naturalWidth") > 0
    claim = Claim.objects.get()
    expect(page.get_by_role("link", name="PDF")).to_have_attribute(
        "href", f"/lab/claims/{claim.pk}/report.pdf"
    )
