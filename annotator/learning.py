"""Learning from annotators: the seed-use model retrained on a project's final labels.

Every `SEEDAUDIT_RETRAIN_EVERY` labels, a Celery task retrains the model on the shipped data plus
the project's final labels, measures it by cross-validation over the project's papers (each fold's
papers scored by a model that never saw their labels), and stores the version with its figures.
A manager may then make it the corpus's default (audit.seeduse.versions).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotator.labels import final_labels
from annotator.models import Project
from audit.models import SeedModel, Sentence
from audit.seeduse import training
from audit.seeduse.features import SentenceContext, is_implicit
from audit.seeduse.model import Scored, SeedUseModel
from audit.seeduse.training import Example
from audit.seeduse.versions import corpus_model, stored_lines
from audit.taxonomy import Label

logger = logging.getLogger(__name__)
FOLDS = 5


def named_project(name: str) -> Project:
    projects = list(Project.objects.filter(name=name))
    if len(projects) != 1:
        raise ValueError(
            f"No project is named {name!r}."
            if not projects
            else f"{len(projects)} projects are named {name!r}; rename one."
        )
    return projects[0]


@dataclass(frozen=True)
class ProjectPaper:
    """A paper with decided sentences: all its sentences as the model reads them, and each one's
    training example (None where the project has not decided it)."""

    name: str
    sentences: list[SentenceContext]
    examples: list[Example | None]

    @property
    def decided(self) -> list[Example]:
        return [e for e in self.examples if e is not None]


def project_papers(project: Project) -> list[ProjectPaper]:
    """The papers of the project's decided sentences, read as ingestion reads them: each
    sentence with its paragraph neighbours and how seed-heavy its paper and section are.

    A sentence is a seed sentence when it is labelled a seed use or says "seed" in any sense
    (the gold's rule); "not a seed use" without the word is a false alarm to unlearn.
    """
    finals = final_labels(project)
    papers = Sentence.objects.filter(pk__in=finals).values_list("paper_id", flat=True)
    rows = Sentence.objects.filter(paper_id__in=papers).select_related("paper")
    by_paper: dict[int, list[Sentence]] = {}
    for s in rows.order_by("paper_id", "index"):
        by_paper.setdefault(s.paper_id, []).append(s)
    result = []
    for sentences in by_paper.values():
        name = sentences[0].paper.file_name
        contexts = training.contexts(stored_lines(sentences))
        examples: list[Example | None] = []
        for s, context in zip(sentences, contexts, strict=True):
            label = finals.get(s.pk)
            if label is None:
                examples.append(None)
                continue
            is_seed = label != Label.NOT_SEED_USE or not is_implicit(s.text)
            examples.append(Example(context, name, is_seed, label if is_seed else ""))
        result.append(ProjectPaper(name, contexts, examples))
    return result


def project_examples(project: Project) -> list[Example]:
    """The project's decided sentences as training examples (`project_papers`)."""
    return [e for paper in project_papers(project) for e in paper.decided]


def figures(model: SeedUseModel, papers: list[ProjectPaper]) -> dict:
    """Recall, precision and suggestion accuracy of `model` on the papers' decided sentences,
    each paper read whole as ingestion reads it."""
    return _figures(*_scored(model, papers))


def _scored(model: SeedUseModel, papers: list[ProjectPaper]) -> tuple[list[Example], list[Scored]]:
    examples: list[Example] = []
    scored: list[Scored] = []
    for paper in papers:
        read = model.score_paper(paper.sentences).sentences
        for example, s in zip(paper.examples, read, strict=True):
            if example is not None:
                examples.append(example)
                scored.append(s)
    return examples, scored


def _figures(examples: list[Example], scored: list[Scored]) -> dict:
    threshold = settings.SEEDAUDIT_SEED_THRESHOLD
    flagged = [
        bool(e.sentence.pattern) or s.score >= threshold
        for e, s in zip(examples, scored, strict=True)
    ]
    seeds = [i for i, e in enumerate(examples) if e.is_seed]
    found = [i for i in seeds if flagged[i]]
    right = [i for i in found if scored[i].label == examples[i].label]

    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    return {
        "recall": share(len(found), len(seeds)),
        "precision": share(len(found), sum(flagged)),
        "suggestion_accuracy": share(len(right), len(found)),
        "sentences": len(examples),
    }


def cross_validate(shipped: list[Example], papers: list[ProjectPaper]) -> dict | None:
    """Figures over the project's labels, each paper scored by a model trained without its
    fold's labels (the papers dealt round-robin into up to five folds)."""
    names = sorted(paper.name for paper in papers)
    if len(names) < 2:
        return None
    count = min(FOLDS, len(names))
    own = [e for paper in papers for e in paper.decided]
    held_out: list[Example] = []
    scored: list[Scored] = []
    for fold in (set(names[i::count]) for i in range(count)):
        model = training.fit(
            [e for e in [*shipped, *own] if e.paper not in fold], whole_papers=whole(shipped)
        )
        examples, read = _scored(model, [p for p in papers if p.name in fold])
        held_out += examples
        scored += read
    return {**_figures(held_out, scored), "papers": len(names), "folds": count}


def whole(shipped: list[Example]) -> set[str]:
    """The papers read whole, whose out-of-fold scores set a model's reference share of seed
    sentences: the shipped corpora's. A project's labels are only the sentences decided."""
    return {e.paper for e in shipped} - {training.WRITTEN}


def train_version(project_id: int) -> SeedModel | None:
    """Retrain on the project's final labels; None when there are none or this count was
    trained already (the task is safe to run twice)."""
    project = Project.objects.select_related("corpus").get(pk=project_id)
    papers = project_papers(project)
    own = [e for paper in papers for e in paper.decided]
    if not own:
        return None
    try:
        with transaction.atomic():
            version = SeedModel.objects.create(
                corpus=project.corpus,
                project=project,
                labels=len(own),
                status=SeedModel.Status.RUNNING,
            )
    except IntegrityError:
        return None
    try:
        replaced = {e.paper for e in own}
        shipped = [e for e in training.shipped_examples() if e.paper not in replaced]
        model = training.fit(
            [*shipped, *own],
            about=training.describe([*shipped, *own]),
            whole_papers=whole(shipped),
        )
        version.figures = {
            "cross_validated": cross_validate(shipped, papers),
            # The model that reads the corpus now, on all of the project's labels: it may have
            # learned from some of them, so it is a reference, not a held-out figure.
            "current": figures(corpus_model(project.corpus_id), papers),
        }
        version.weights = model.to_bytes()
        version.status = SeedModel.Status.DONE
    except Exception as error:
        logger.exception("Retraining the seed-use model on project %s failed", project_id)
        version.status = SeedModel.Status.FAILED
        version.error = f"{type(error).__name__}: {error}"
    version.finished_at = timezone.now()
    version.save(update_fields=["figures", "weights", "status", "error", "finished_at"])
    return version


def retrain_is_due(labels_given: int) -> bool:
    """Every `SEEDAUDIT_RETRAIN_EVERY` labels given in the project (its tally after a label)."""
    every = settings.SEEDAUDIT_RETRAIN_EVERY
    return every > 0 and labels_given > 0 and labels_given % every == 0
