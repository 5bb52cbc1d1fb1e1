"""A person uploads papers in Chromium and watches them being processed by a real worker."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import pdfs
from tests.conftest import OUTPUT_DIR, log_in

pytestmark = [pytest.mark.browser, pytest.mark.worker]


@pytest.mark.parametrize("celery_worker", ["filesystem://"], indirect=True)
def test_upload_and_watch_papers_being_processed(
    page, live_server, celery_worker, alice, corpus_dir, tmp_path
):
    bad = tmp_path / "notes.pdf"
    bad.write_text("not a pdf at all")
    archive = pdfs.zip_of(
        tmp_path / "more.zip",
        {"aralikatte.pdf": (corpus_dir / "aralikatte2019-coref-rl.pdf").read_bytes()},
    )
    log_in(page, live_server, "alice", "alice-password")

    page.get_by_label("Name").fill("My audit")
    page.get_by_role("button", name="Create corpus").click()
    expect(page.get_by_role("heading", name="My audit")).to_be_visible()
    page.wait_for_load_state()

    page.locator('input[type="file"]').set_input_files(
        [corpus_dir / "li2022-discourse-deixis.pdf", corpus_dir / "cui2017-aoa.pdf", archive, bad]
    )
    expect(page.locator("#dz-files")).to_contain_text("4 selected")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Added 3 papers")).to_be_visible()
    expect(page.get_by_text("1 file could not be read")).to_be_visible()
    page.screenshot(path=OUTPUT_DIR / "upload-in-progress.png", full_page=True)

    # The rows change by themselves: nobody reloads the page from here on.
    rows = page.locator("#papers tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator('tr[data-status="done"]')).to_have_count(3, timeout=90_000)
    expect(page.locator('tr[data-status="failed"]')).to_have_count(1)
    failed = page.locator('tr[data-status="failed"]')
    expect(failed).to_contain_text("This file is not a PDF")
    li = page.locator("tr", has_text="End-to-End Neural Discourse Deixis")
    expect(li.locator('[data-field="seed_count"]')).to_have_text("1")

    li.get_by_role("link").click()
    seed = page.locator(".sentence.seed")
    expect(seed).to_have_count(1)
    expect(seed.locator("mark.term")).to_have_text("random seed of 11")
    expect(page.locator(".meta")).to_contain_text("2022")
    page.get_by_role("link", name="p. 6 · 6.1 Experimental Setup").click()
    expect(seed).to_be_in_viewport()
