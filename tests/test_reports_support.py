"""Corpora the report tests share: the shared corpus labelled by two annotators with its gold
categories, and Bethard's 85 papers with his published counts."""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path

from annotator import actions
from annotator.models import Assignment, Project
from audit.models import Corpus, Paper, Sentence
from audit.taxonomy import BY_LABEL, CATEGORIES, Label
from tests.conftest import CORPUS_DIR
from tests.test_annotator_support import ingest, label, person, project_with, queue_of

ALL_PAPERS = tuple(sorted(path.name for path in CORPUS_DIR.glob("*.pdf")))
# Bethard (2022), Table 1: articles per category, over 85 articles.
BETHARD_COUNTS = {
    Label.MODEL_SELECTION.value: 12,
    Label.ENSEMBLE.value: 13,
    Label.SENSITIVITY.value: 12,
    Label.FIXED_SEED.value: 24,
    Label.PERFORMANCE_COMPARISON.value: 24,
}
BETHARD_YEARS = range(2015, 2022)  # "publications between 2015 and 2021"


@cache
def _scorer():
    """The shared gold scorer, whose sentence matching is the one the corpus README defines."""
    path = CORPUS_DIR.parent / "tools" / "score_gold.py"
    spec = importlib.util.spec_from_file_location("score_gold", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def _gold() -> dict[str, dict]:
    return {row["file"]: row for row in map(json.loads, (CORPUS_DIR / "gold.jsonl").open())}


def gold_category(sentence: Sentence) -> str:
    """The gold category of a highlighted sentence of the shared corpus; a false alarm is not a
    seed use, as an annotator would say."""
    paper = _gold()[Path(sentence.paper.original_name).name]
    for gold in paper["seed_sentences"]:
        if gold["page"] == sentence.page and _scorer().same(gold["text"], sentence.text):
            return gold["category"]
    return Label.NOT_SEED_USE.value


def labelled_corpus(corpus: Corpus, corpus_dir: Path, bob, dave) -> Project:
    """Every paper of the shared corpus, ingested for real, in a project where bob and dave
    label every highlighted sentence with its gold category; except that dave first says
    aralikatte2019's sensitivity sentence is a performance comparison (maria adjudicates it
    back), and leaves kecp's second sentence (a data-sampling seed) unlabelled."""
    ingest(corpus, corpus_dir, *ALL_PAPERS)
    project = project_with(corpus, [bob, dave], overlap=2)
    maria = person("maria", staff=True)
    for annotator in (bob, dave):
        for given in queue_of(project, annotator):
            sentence = given.item.sentence
            name = Path(sentence.paper.original_name).name
            category = gold_category(sentence)
            if annotator == dave and name.startswith("aralikatte2019"):
                label(given, Label.PERFORMANCE_COMPARISON.value)
                actions.adjudicate(given.item, category, maria)
            elif annotator == dave and name.startswith("wang2022") and sentence.page == 11:
                continue
            else:
                label(given, category)
    return project


def bethard_corpus(owner) -> tuple[Corpus, Project]:
    """Bethard's 100 search results: 85 papers whose primary categories give his Table 1, and
    15 he left out (seeds not of a neural network, or no seed at all).

    Lightweight papers made in the database (no PDF: Table 1 needs only papers, sentences and
    labels), each quoting his example of its category; labelled through the annotator's actions.
    Three ensemble papers also use a fixed seed; their annotator confirms ensemble as the primary
    category, as Bethard picked one "arbitrarily" when several applied.
    """
    corpus = Corpus.objects.create(name="bethard", owner=owner)
    plan: list[tuple[str, ...]] = []
    for label_value, count in BETHARD_COUNTS.items():
        plan += [(label_value,)] * count
    for n in range(3):
        plan[plan.index((Label.ENSEMBLE.value,)) + n] = (
            Label.ENSEMBLE.value,
            Label.FIXED_SEED.value,
        )
    plan += [(Label.NOT_SEED_USE.value,)] * 8 + [()] * 7
    wanted: dict[int, str] = {}
    primaries: dict[int, str] = {}
    for number, labels in enumerate(plan):
        paper = Paper.objects.create(
            corpus=corpus,
            original_name=f"bethard/{number:03d}.pdf",
            sha256=f"{number:064x}",
            status=Paper.Status.DONE,
            progress=100,
            pages=8,
            title=f"Article {number + 1}",
            year=BETHARD_YEARS[number % len(BETHARD_YEARS)],
            venue=("ACL", "EMNLP")[number % 2],
        )
        Sentence.objects.create(
            paper=paper, index=0, paragraph=0, page=1, text="We train a neural network."
        )
        for index, label_value in enumerate(labels, start=1):
            sentence = Sentence.objects.create(
                paper=paper,
                index=index,
                paragraph=1,
                page=5,
                section="4 Experiments",
                text=_example(label_value),
                is_seed=True,
                terms=["random seed"],
            )
            wanted[sentence.pk] = label_value
        if len(labels) > 1:
            primaries[paper.pk] = labels[0]
    annotator = person("annotator")
    project = project_with(corpus, [annotator], overlap=1)
    for given in Assignment.objects.filter(project=project).select_related("item"):
        label(given, wanted[given.item.sentence_id])
    for paper_id, primary in primaries.items():
        actions.confirm_primary(project, Paper.objects.get(pk=paper_id), annotator, primary)
    return corpus, project


def _example(label_value: str) -> str:
    if label_value == Label.NOT_SEED_USE.value:
        return BY_LABEL[label_value].example
    category = next(c for c in CATEGORIES if c.label == label_value)
    return f"{category.example} ({category.example_source})"
