"""The annotation tool in a real Chromium: keyboard, undo, reload, offline, adjudication."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from annotator.models import Assignment, Item, LabelEvent, PrimaryCategory
from tests.conftest import log_in
from tests.test_annotator_support import (
    PAPERS,
    ingest,
    label,
    person,
    project_with,
    queue_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dave(transactional_db):
    return person("dave")


@pytest.fixture
def project(corpus, corpus_dir, bob, dave):
    ingest(corpus, corpus_dir, *PAPERS)
    return project_with(corpus, [bob, dave], overlap=2)


def open_session(page, live_server, project, username: str) -> None:
    log_in(page, live_server, username, f"{username}-password")
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/session/")
    expect(page.locator("#card")).to_be_visible()


def press(page, key: str) -> None:
    """Press a key, then wait until the browser has sent what it did."""
    page.keyboard.press(key)
    expect(page.locator("#sync")).to_have_text("All saved")


def label_shown(page, key: str) -> str:
    """Label the sentence on screen (confirming a paper first if one is asked); its text."""
    if page.locator("#paper-step").is_visible():
        press(page, "Enter")
    text = page.locator("#sentence").inner_text()
    press(page, key)
    return text


def test_an_annotator_labels_five_sentences_undoes_one_and_a_reload_keeps_the_rest(
    page, live_server, project, bob
):
    open_session(page, live_server, project, "bob")
    expect(page.locator(".item-paper")).to_contain_text("DISCOSENSE")
    labelled = [label_shown(page, key) for key in ["5", "5", "0", "4", "3"]]
    expect(page.locator("#done")).to_have_text("5")
    assert PrimaryCategory.objects.filter(annotator=bob).count() == 1  # the first paper

    press(page, "u")
    expect(page.locator("#sentence")).to_have_text(labelled[-1])
    expect(page.locator("#done")).to_have_text("4")

    page.reload()
    expect(page.locator("#done")).to_have_text("4")
    expect(page.locator("#sentence")).to_have_text(labelled[-1])
    expect(page.locator("#recent li")).to_have_count(4)
    stored = Assignment.objects.filter(annotator=bob).exclude(label="").order_by("labelled_at")
    assert list(stored.values_list("label", flat=True)) == [
        "performance_comparison", "performance_comparison", "not_seed_use", "fixed_seed",
    ]  # fmt: skip


def test_a_label_made_offline_is_sent_once_when_the_network_is_back(
    page, live_server, project, bob
):
    open_session(page, live_server, project, "bob")
    page.context.set_offline(True)
    page.keyboard.press("2")
    expect(page.locator("#sync")).to_contain_text("Offline")
    expect(page.locator("#done")).to_have_text("1")  # counted here already
    page.context.set_offline(False)
    expect(page.locator("#sync")).to_have_text("All saved", timeout=10_000)
    assert LabelEvent.objects.filter(action="label").count() == 1
    assert Assignment.objects.get(annotator=bob, label="ensemble")


def test_a_second_annotator_labels_the_same_sentences_and_gets_a_summary(
    page, live_server, project, bob, dave
):
    for given in queue_of(project, bob):
        label(given, "performance_comparison")
    open_session(page, live_server, project, "dave")
    for key in ["4", "5", "0", "5", "5", "3"]:
        label_shown(page, key)
    if page.locator("#paper-step").is_visible():
        press(page, "Enter")
    expect(page.locator("#summary")).to_be_visible()
    expect(page.locator("#summary-text")).to_contain_text("You labelled 6 sentences")
    expect(page.locator("#summary-text")).to_contain_text("6 of 6 in all")
    assert {a.item_id for a in queue_of(project, dave)} == {
        a.item_id for a in queue_of(project, bob)
    }
    assert Assignment.objects.filter(annotator=dave).exclude(label="").count() == 6


def test_the_manager_sees_kappa_and_adjudicates_a_disagreement_with_one_key(
    page, live_server, project, bob, dave
):
    person("maria", staff=True)
    for annotator, first in ((bob, "fixed_seed"), (dave, "performance_comparison")):
        queue = queue_of(project, annotator)
        label(queue[0], first)
        for given in queue[1:]:
            label(given, "performance_comparison")
    log_in(page, live_server, "maria", "maria-password")
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/")
    table = page.locator("table.agreement").first
    expect(table).to_contain_text("Cohen's κ bob–dave")
    expect(table.locator("tr.overall")).to_contain_text(re.compile(r"0\.\d\d"))
    page.get_by_role("link", name=re.compile("Adjudicate")).click()
    row = page.locator(".disagreement").first
    expect(row).to_be_focused()
    expect(row).to_contain_text("bob")
    page.keyboard.press("4")
    expect(row.locator("[data-final]")).to_have_text("decided by you")
    expect(row.locator('button[data-label="fixed_seed"]')).to_have_attribute("aria-pressed", "true")
    assert Item.objects.get(project=project, position=1).final_label == "fixed_seed"
