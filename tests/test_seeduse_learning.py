"""Learning from annotators: retraining on a project's labels through a real worker, and making
a version the corpus default, which re-scores the corpus without touching a label."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotator.learning import project_examples
from annotator.models import Assignment, Item
from audit.models import Paper, SeedModel, Sentence
from audit.seeduse.model import SeedUseModel
from tests.conftest import wait_for
from tests.test_annotator_support import ingest, label, person, project_with, queue_of

pytestmark = pytest.mark.worker

PAPERS = (
    "aralikatte2019-coref-rl.pdf",
    "li2022-discourse-deixis.pdf",
    "wang2022-kecp.pdf",
    "cui2017-aoa.pdf",
)


def test_labels_retrain_the_model_and_a_manager_makes_it_the_default(
    celery_worker, corpus, corpus_dir, bob, client, settings
):
    papers = ingest(corpus, corpus_dir, *PAPERS)
    project = project_with(corpus, [bob], overlap=1)
    queue = queue_of(project, bob)
    settings.SEEDAUDIT_RETRAIN_EVERY = len(queue)
    for given in queue:
        label(given, "performance_comparison")
    # The last label queued the retraining; the worker trains, cross-validates and stores it.
    version = wait_for(
        lambda: SeedModel.objects.filter(project=project).exclude(status="running").first(),
        timeout=240,
        what="the worker to retrain the model",
        worker=celery_worker,
    )
    assert version.status == SeedModel.Status.DONE, version.error
    assert version.labels == len(queue) == len(project_examples(project))
    cross_validated = version.figures["cross_validated"]
    assert cross_validated["papers"] == len(PAPERS) and cross_validated["folds"] == len(PAPERS)
    assert 0 < cross_validated["recall"] <= 1
    assert not version.is_default

    maria = person("maria", staff=True)
    client.force_login(maria)
    page = client.get(f"/annotate/projects/{project.pk}/").content.decode()
    assert "Make corpus default" in page
    assert f"{cross_validated['recall']:.2f}" in page

    before = {s.pk: (s.seed_score, s.text) for s in Sentence.objects.filter(paper__in=papers)}
    labels = sorted(Assignment.objects.values_list("pk", "label", "labelled_at"))
    items = sorted(Item.objects.values_list("pk", "sentence_id", "final_label"))
    client.post(f"/annotate/projects/{project.pk}/seed-models/{version.pk}/default/")
    version.refresh_from_db()
    assert version.is_default

    def rescored() -> bool:
        now = dict(Sentence.objects.filter(paper__in=papers).values_list("pk", "seed_score"))
        return now.keys() == before.keys() and any(
            abs(now[pk] - score) > 1e-4 for pk, (score, _) in before.items()
        )

    wait_for(rescored, timeout=120, what="the worker to re-score the corpus", worker=celery_worker)
    # Each paper's share of seed talk is the new version's estimate, against its expectation.
    expected = SeedUseModel.from_bytes(bytes(version.weights)).reference_share
    wait_for(
        lambda: all(
            usual == pytest.approx(expected)
            for usual in Paper.objects.filter(pk__in=[p.pk for p in papers]).values_list(
                "usual_seed_share", flat=True
            )
        ),
        timeout=60,
        what="every paper re-scored",
        worker=celery_worker,
    )
    assert sorted(Assignment.objects.values_list("pk", "label", "labelled_at")) == labels
    assert sorted(Item.objects.values_list("pk", "sentence_id", "final_label")) == items
    # Every label still points at the same sentence text.
    for _, sentence_id, _ in items:
        assert Sentence.objects.get(pk=sentence_id).text == before[sentence_id][1]


@pytest.mark.django_db
def test_the_train_command_learns_a_projects_labels(corpus, corpus_dir, bob, tmp_path):
    ingest(corpus, corpus_dir, "li2022-discourse-deixis.pdf")
    project = project_with(corpus, [bob], overlap=1)
    for given in queue_of(project, bob):
        label(given, "fixed_seed")
    out = io.StringIO()
    model = tmp_path / "model.npz"
    call_command("train", "detector", "--project", "pilot", "--out", model, "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["out"] == str(model) and model.is_file()
    # The project's labels replace the shipped sentences of the same paper.
    assert "li2022-discourse-deixis.pdf" in result["paper_names"]
    assert SeedUseModel.from_bytes(model.read_bytes()).vocabulary

    with pytest.raises(CommandError, match="No project is named 'nope'"):
        call_command("train", "detector", "--project", "nope", "--out", model)
