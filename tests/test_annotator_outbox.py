"""What the session sends, when things go wrong: undos side by side or retried, and actions the
server refuses or keeps failing on, which must not hold up the ones behind them."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection
from playwright.sync_api import expect

from annotator import actions
from annotator.models import Assignment
from tests.test_annotator_browser import open_session
from tests.test_annotator_support import PAPERS, ingest, label, project_with, queue_of


@pytest.fixture
def project(corpus, corpus_dir, bob):
    ingest(corpus, corpus_dir, *PAPERS)
    return project_with(corpus, [bob], overlap=1)


def labelled(bob) -> int:
    return Assignment.objects.filter(annotator=bob).exclude(label="").count()


class TestUndo:
    @pytest.mark.django_db(transaction=True)
    def test_five_undos_side_by_side_take_back_five_labels(self, project, bob):
        for given in queue_of(project, bob)[:6]:
            label(given, "fixed_seed")
        start = threading.Barrier(5)
        errors = []

        def undo() -> None:
            try:
                start.wait()
                actions.undo_label(project, bob, uuid.uuid4(), None)
            except Exception as error:  # reported below, in the test's thread
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=undo) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        assert labelled(bob) == 1

    @pytest.mark.django_db
    def test_a_retried_undo_answers_with_the_same_card_and_takes_back_one_label(
        self, client, project, bob
    ):
        first, second = queue_of(project, bob)[:2]
        label(first, "fixed_seed")
        label(second, "ensemble")
        client.force_login(bob)
        url = f"/annotate/projects/{project.pk}/api/undo/"
        body = {"client_id": str(uuid.uuid4())}
        answers = [client.post(url, body, content_type="application/json").json() for _ in "ab"]
        assert answers[0]["card"]["assignment"] == answers[1]["card"]["assignment"] == second.pk
        assert Assignment.objects.get(pk=first.pk).label == "fixed_seed"
        assert labelled(bob) == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_label_the_server_keeps_failing_on_is_set_aside_and_the_next_ones_are_saved(
    page, live_server, project, bob
):
    first, second, third = queue_of(project, bob)[:3]
    tries = []

    def server_fails_on_the_first(route):
        # A server fault cannot be caused on purpose any more (the NUL note that made one is
        # stored now), so the browser is told the server failed, as a proxy would say it.
        body = route.request.post_data_json
        if body.get("assignment") == first.pk:
            tries.append(body["client_id"])
            route.fulfill(status=500, body="Internal Server Error")
        else:
            route.continue_()

    page.route("**/api/label/", server_fails_on_the_first)
    open_session(page, live_server, project, "bob")
    for key in "123":
        page.keyboard.press(key)

    unsaved = page.locator("#unsaved")
    expect(unsaved).to_be_visible(timeout=15_000)
    expect(unsaved).to_contain_text("Model selection: the server failed (500)")
    expect(page.locator("#sync")).to_have_text("All saved")
    assert len(tries) == 3 and len(set(tries)) == 1  # one action, tried three times
    assert Assignment.objects.get(pk=second.pk).label == "ensemble"
    assert Assignment.objects.get(pk=third.pk).label == "sensitivity"
    assert Assignment.objects.get(pk=first.pk).label == ""

    page.reload()
    expect(unsaved).to_contain_text("Model selection: the server failed (500)")
    page.unroute("**/api/label/")
    page.get_by_role("button", name="Send again").click()
    expect(unsaved).to_be_hidden()
    expect(page.locator("#sync")).to_have_text("All saved")
    assert Assignment.objects.get(pk=first.pk).label == "model_selection"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_label_the_server_refuses_is_shown_and_does_not_block_the_next(
    page, live_server, project, bob
):
    first, second = queue_of(project, bob)[:2]
    open_session(page, live_server, project, "bob")
    page.keyboard.press("n")
    page.locator("#note").fill("x" * 1999)
    # Longer than the server takes (the box stops at 2,000; a script need not).
    page.evaluate("document.getElementById('note').value += 'yy'")
    page.keyboard.press("Enter")
    page.keyboard.press("4")
    page.keyboard.press("5")

    expect(page.locator("#unsaved")).to_contain_text("note must be text of at most 2000")
    expect(page.locator("#sync")).to_have_text("All saved")
    assert Assignment.objects.get(pk=second.pk).label == "performance_comparison"
    assert Assignment.objects.get(pk=first.pk).label == ""
