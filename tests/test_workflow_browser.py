"""The whole workflow as a team uses it, in a real Chromium: managers see results, annotators
land on their work, questions come in place, adjudication settles sentences and papers."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from annotator import actions
from annotator.models import Membership, PaperDecision, PrimaryCategory
from audit.lab import actions as lab_actions
from audit.lab.models import Experiment
from tests.conftest import OUTPUT_DIR, log_in
from tests.test_annotator_support import PAPERS, ingest, label, person, project_with, queue_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=OUTPUT_DIR / f"workflow-{name}.png", full_page=True)


@pytest.fixture
def papers(corpus, corpus_dir):
    return ingest(corpus, corpus_dir, *PAPERS)


def test_a_manager_who_is_the_only_annotator_sees_the_results(page, live_server, corpus, papers):
    """`make demo`: the manager is the one annotator of the default project."""
    demo = person("demo", staff=True)
    project = project_with(corpus, [demo], overlap=1)
    for given in queue_of(project, demo):
        label(given, "fixed_seed")
    log_in(page, live_server, "demo", "demo-password")

    page.goto(
        f"{live_server.url}/corpora/{corpus.pk}/seed-uses/?basis=primary&project={project.pk}"
    )

    expect(page.locator(".counting-note").first).to_contain_text("project pilot")
    fixed = page.locator("tr", has_text="Single fixed seed").first
    expect(fixed).to_contain_text("2")
    shot(page, "1-manager-sees-results")
    page.goto(f"{live_server.url}/corpora/{corpus.pk}/seed-uses/?project=999")
    expect(page.get_by_role("alert")).to_contain_text(
        "Labels from: this corpus has no such project"
    )
    shot(page, "1-bad-parameter")


def test_an_annotator_sees_the_results_once_the_manager_opens_them(
    page, live_server, corpus, papers
):
    ann = person("ann")
    project = project_with(corpus, [ann], overlap=1)
    label(queue_of(project, ann)[0], "fixed_seed")  # the rest undecided
    log_in(page, live_server, "ann", "ann-password")
    url = f"{live_server.url}/corpora/{corpus.pk}/seed-uses/"

    page.goto(url)
    expect(page.locator(".counting-note").last).to_contain_text("left out for you")
    actions.open_results(project, True)
    page.goto(url)

    expect(page.locator(".counting-note").first).to_contain_text("project pilot")
    expect(page.locator("tr", has_text="Single fixed seed").first).to_contain_text("1")
    shot(page, "1-annotator-after-opening")


def test_the_primary_category_is_asked_as_the_paper_ends_even_on_a_slow_network(
    page, live_server, corpus, papers
):
    ann = person("ann")
    project = project_with(corpus, [ann], overlap=1)
    first_paper = queue_of(project, ann)[0].item.sentence.paper
    in_first = sum(a.item.sentence.paper_id == first_paper.pk for a in queue_of(project, ann))

    def slow(route):
        time.sleep(0.6)
        route.continue_()

    page.route(re.compile(r".*/api/label/$"), slow)
    log_in(page, live_server, "ann", "ann-password")
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/session/")
    seen = []
    for _ in range(in_first):
        expect(page.locator("#card")).to_be_visible()
        seen.append(page.locator("#paper-title").inner_text())
        page.keyboard.press("4")  # without waiting for the server

    # Asked at once, in place: before any sentence of the next paper.
    expect(page.locator("#paper-step")).to_be_visible()
    expect(page.locator("#step-title")).to_contain_text(first_paper.title)
    assert set(seen) == {first_paper.title}
    shot(page, "2-paper-question-in-place")
    page.keyboard.press("Enter")
    expect(page.locator("#card")).to_be_visible()
    assert page.locator("#paper-title").inner_text() != first_paper.title
    expect(page.locator("#sync")).to_have_text("All saved", timeout=10000)
    assert PrimaryCategory.objects.get(annotator=ann).paper == first_paper


def test_an_annotator_lands_on_their_queues_with_progress(page, live_server, corpus, papers):
    ann = person("ann")
    project = project_with(corpus, [ann], overlap=1)
    label(queue_of(project, ann)[0], "ensemble")

    log_in(page, live_server, "ann", "ann-password")

    expect(page.get_by_role("heading", name="Your queues")).to_be_visible()
    expect(page.locator(".project-row")).to_contain_text("1 of 6 labelled")
    expect(page.get_by_role("link", name="Continue →")).to_be_visible()
    expect(page.locator("details:not([open])", has_text="New corpus")).to_be_visible()
    shot(page, "4-annotator-home")
    page.get_by_role("link", name="Continue →").click()
    expect(page.locator("#card")).to_be_visible()


def test_a_manager_lands_on_projects_and_corpora(page, live_server, corpus, papers):
    person("mona", staff=True)
    project_with(corpus, [person("ann")], overlap=1)

    log_in(page, live_server, "mona", "mona-password")

    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    expect(page.get_by_role("link", name="pilot")).to_be_visible()
    expect(page.get_by_role("heading", name="Corpora")).to_be_visible()
    shot(page, "4-manager-home")


def test_a_manager_makes_an_annotator_an_adjudicator_too(page, live_server, corpus, papers):
    person("mona", staff=True)
    ann = person("ann")
    project = project_with(corpus, [ann, person("bea")], overlap=2, probe_share=0.05)
    log_in(page, live_server, "mona", "mona-password")
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/")

    page.locator("select[name=user]").select_option("ann")
    page.get_by_role("checkbox", name="Annotator").check()
    page.get_by_role("checkbox", name="Adjudicator").check()
    page.get_by_role("button", name="Apply").click()

    expect(page.locator(".messages")).to_contain_text("ann: Annotator, Adjudicator.")
    roles = Membership.objects.filter(project=project, user=ann).values_list("role", flat=True)
    assert sorted(roles) == ["adjudicator", "annotator"]
    expect(page.locator(".page-head")).to_contain_text("5% of each queue are recall probes")
    shot(page, "5-two-roles")
    # Their home has their queue and what they may adjudicate: nothing dealt to them.
    page.context.clear_cookies()
    log_in(page, live_server, "ann", "ann-password")
    expect(page.get_by_role("heading", name="To adjudicate")).to_be_visible()
    page.get_by_role("link", name="Adjudicate →").click()
    expect(page.locator(".empty")).to_contain_text("No undecided disagreements")
    shot(page, "5-annotator-adjudicator")


def test_adjudication_shows_the_paragraph_progress_and_settles_a_papers_primary(
    page, live_server, corpus, papers
):
    person("mona", staff=True)
    dave, erin = person("dave"), person("erin")
    project = project_with(corpus, [dave, erin], overlap=2)
    for annotator, first in ((dave, "fixed_seed"), (erin, "performance_comparison")):
        queue = queue_of(project, annotator)
        label(queue[0], first)
        for given in queue[1:]:
            label(given, "performance_comparison")
    label(queue_of(project, dave)[4], "sensitivity")
    paper = queue_of(project, dave)[0].item.sentence.paper
    actions.confirm_primary(project, paper, dave, "fixed_seed")
    actions.confirm_primary(project, paper, erin, "performance_comparison")
    log_in(page, live_server, "mona", "mona-password")

    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/adjudicate/")

    expect(page.locator(".adjudication-progress")).to_contain_text("0 of 3 decided")
    expect(page.locator(".disagreement .around").first).to_contain_text("In the full data setting")
    page.keyboard.press("4")
    expect(page.locator(".adjudication-progress")).to_contain_text("1 of 3 decided")
    row = page.locator(".paper-disagreement")
    row.get_by_role("button", name=re.compile("Performance comparison")).click()
    expect(row.locator("[data-final]")).to_have_text("decided by you")
    expect(page.locator(".adjudication-progress")).to_contain_text("2 of 3 decided")
    shot(page, "6-adjudication")
    assert PaperDecision.objects.get(project=project, paper=paper).label == (
        "performance_comparison"
    )
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/")
    primary = page.locator("section", has=page.locator("#primary-title"))
    expect(primary).to_contain_text("decided")
    expect(primary).not_to_contain_text("Not a seed use")
    shot(page, "3-6-project-primaries")


@pytest.mark.parametrize("width", [1366, 1920])
def test_the_annotators_card_shows_every_label_column_whole(
    browser, live_server, corpus, papers, width
):
    person("mona", staff=True)
    people = [person(name) for name in ("annotator-with-a-long-name", "bea", "cy")]
    project = project_with(corpus, people, overlap=3)
    for n, annotator in enumerate(people):
        for k, given in enumerate(queue_of(project, annotator)):
            label(given, ["fixed_seed", "performance_comparison", "sensitivity", "ensemble",
                          "model_selection", "not_seed_use"][(n + k) % 6])  # fmt: skip
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, live_server, "mona", "mona-password")
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/")

    card = page.locator(".annotators-card")
    scroller = card.locator(".scroll-x")
    overflow = scroller.evaluate("el => el.scrollWidth - el.clientWidth")
    last_chip = card.locator("td.label-chips .chip-label").last.bounding_box()
    box = card.bounding_box()
    card.screenshot(path=OUTPUT_DIR / f"workflow-8-annotators-card-{width}.png")
    context.close()

    assert overflow <= 0
    assert last_chip["x"] + last_chip["width"] <= box["x"] + box["width"]


def test_the_bar_offers_log_in_and_the_site_has_a_favicon(page, live_server):
    page.goto(f"{live_server.url}/compare/")

    page.get_by_role("link", name="Log in").click()

    expect(page.get_by_label("Username")).to_be_visible()
    icon = page.request.get(f"{live_server.url}/favicon.ico")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg")
    shot(page, "8-log-in-link")


def test_cancelling_a_claim_asks_first(page, live_server, corpus, corpus_dir, alice):
    (paper,) = ingest(corpus, corpus_dir, "li2022-discourse-deixis.pdf")
    sentence = paper.sentences.get(is_seed=True)
    claim = lab_actions.create_claim(
        sentence, setups=["digits-mlp"], claimed_score=0.9, seeds=[11], runs=2, user=alice
    )
    log_in(page, live_server, "alice", "alice-password")
    page.goto(f"{live_server.url}/lab/claims/{claim.pk}/")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_timeout(300)
    assert not claim.experiments.filter(status=Experiment.Status.CANCELLED).exists()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Cancel").click()

    expect(page.locator(".messages")).to_contain_text("Cancelled")
    assert "Runs already finished are kept" in asked[0]
    shot(page, "8-cancel-confirmed")


def test_the_lab_form_starts_from_the_seed_the_sentence_names(
    page, live_server, corpus, corpus_dir, alice
):
    (paper,) = ingest(corpus, corpus_dir, "li2022-discourse-deixis.pdf")
    sentence = paper.sentences.get(is_seed=True)  # "... using a random seed of 11 ..."
    log_in(page, live_server, "alice", "alice-password")
    page.goto(f"{live_server.url}/papers/{paper.pk}/")

    page.get_by_role("link", name="Test this claim").click()

    expect(page.locator("input[name=seeds]")).to_have_value("11")
    assert page.url.endswith(f"/lab/sentences/{sentence.pk}/test/")
    shot(page, "8-lab-form-seed")


def test_a_failed_paper_is_retried_or_deleted_from_its_page(page, live_server, corpus, alice):
    failed = corpus.papers.create(original_name="notes.pdf", status="failed", error="Not a PDF.")
    log_in(page, live_server, "alice", "alice-password")
    page.goto(f"{live_server.url}/papers/{failed.pk}/")
    shot(page, "8-failed-paper")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()

    expect(page.locator(".messages")).to_contain_text("Deleted notes.pdf")
    assert not corpus.papers.filter(pk=failed.pk).exists()
