"""Annotations in and out as JSON lines or CSV: one row per highlighted sentence.

A row: {"sentence_id", "file", "sha256", "title", "page", "section", "text",
"labels": [{"annotator", "label", "note"}], "final_label"}. In CSV, `labels` is that list as JSON
and an undecided `final_label` is empty (null in JSON lines). Reading validates every row and
names the line of the first problem; nothing is written unless the whole file is valid.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import TextIO

from django.contrib.auth import get_user_model

from annotator.actions import ImportedRow, default_project
from annotator.labels import item_labels
from annotator.models import Membership, Project
from audit.csv_cells import restore, safe_dict
from audit.models import Corpus, Paper, Sentence
from audit.taxonomy import Label
from audit.text import clean_json

FIELDS = (
    "sentence_id",
    "file",
    "sha256",
    "title",
    "page",
    "section",
    "text",
    "labels",
    "final_label",
)
FORMATS = ("jsonl", "csv")
SHA256 = re.compile(r"[0-9a-f]{64}")


class InvalidAnnotations(ValueError):
    """The file cannot be imported; the message names the line."""


def export_rows(corpus: Corpus, project: Project | None) -> list[dict]:
    """Every highlighted sentence of the corpus, labelled or not, with `project`'s labels."""
    sentences = (
        Sentence.objects.filter(paper__corpus=corpus, paper__status=Paper.Status.DONE, is_seed=True)
        .select_related("paper")
        .order_by("paper__original_name", "paper_id", "index")
    )
    entries = {e.item.sentence_id: e for e in item_labels(project)} if project else {}
    rows = []
    for sentence in sentences:
        entry = entries.get(sentence.pk)
        rows.append(
            {
                "sentence_id": sentence.pk,
                "file": sentence.paper.original_name,
                "sha256": sentence.paper.sha256,
                "title": sentence.paper.title,
                "page": sentence.page,
                "section": sentence.section,
                "text": sentence.text,
                "labels": [
                    {"annotator": g.annotator, "label": g.label, "note": g.note}
                    for g in (entry.labels if entry else [])
                ],
                "final_label": (entry.final if entry else "") or None,
            }
        )
    return rows


def write(rows: Iterable[dict], fmt: str, out: TextIO) -> None:
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    for row in rows:
        labels = json.dumps(row["labels"], ensure_ascii=False)
        writer.writerow(
            safe_dict({**row, "labels": labels, "final_label": row["final_label"] or ""})
        )


def sniff_format(text: str) -> str:
    """JSON lines start with an object; anything else is taken for CSV (its header row)."""
    return "jsonl" if text.lstrip().startswith("{") else "csv"


def read(text: str, fmt: str) -> list[tuple[int, dict]]:
    """(line number, row) for every row of the file, each checked for shape and labels."""
    if fmt == "jsonl":
        rows = []
        for line_number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise InvalidAnnotations(f"line {line_number}: not JSON ({error.msg})") from error
            rows.append((line_number, row))
    else:
        reader = csv.DictReader(io.StringIO(text))
        missing = [name for name in FIELDS if name not in (reader.fieldnames or [])]
        if missing:
            raise InvalidAnnotations(f"line 1: the header lacks {', '.join(missing)}")
        rows = []
        for row in reader:
            rows.append((reader.line_num, _from_csv(reader.line_num, row)))
    if not rows:
        raise InvalidAnnotations("the file has no rows")
    # NUL and lone surrogates (raw, or as JSON escapes) would be refused by the database.
    rows = [(line_number, clean_json(row)) for line_number, row in rows]
    seen: dict[int, int] = {}
    for line_number, row in rows:
        _check(line_number, row)
        if row["sentence_id"] in seen:
            raise InvalidAnnotations(
                f"line {line_number}: sentence {row['sentence_id']} is also on line "
                f"{seen[row['sentence_id']]}"
            )
        seen[row["sentence_id"]] = line_number
    return rows


def _from_csv(line_number: int, row: dict) -> dict:
    row = {key: restore(value) if isinstance(value, str) else value for key, value in row.items()}
    try:
        labels = json.loads(row["labels"] or "[]")
        sentence_id, page = int(row["sentence_id"]), int(row["page"])
    except (ValueError, TypeError) as error:
        raise InvalidAnnotations(
            f"line {line_number}: sentence_id and page must be numbers and labels a JSON list"
        ) from error
    final = row["final_label"] or None
    return {**row, "sentence_id": sentence_id, "page": page, "labels": labels, "final_label": final}


def _check(line_number: int, row: object) -> None:
    def fail(problem: str):
        raise InvalidAnnotations(f"line {line_number}: {problem}")

    if not isinstance(row, dict):
        fail("a row must be a JSON object")
    missing = [name for name in FIELDS if name not in row]
    if missing:
        fail(f"missing {', '.join(missing)}")
    if not isinstance(row["sentence_id"], int) or isinstance(row["sentence_id"], bool):
        fail("sentence_id must be a number")
    if not isinstance(row["page"], int) or isinstance(row["page"], bool):
        fail("page must be a number")
    if not isinstance(row["sha256"], str) or not SHA256.fullmatch(row["sha256"]):
        fail("sha256 must be 64 lowercase hex digits")
    if not isinstance(row["text"], str) or not row["text"].strip():
        fail("text must be the sentence")
    if row["final_label"] is not None and row["final_label"] not in Label.values:
        fail(f"final_label {row['final_label']!r} is not one of {', '.join(Label.values)}")
    if not isinstance(row["labels"], list):
        fail("labels must be a list")
    annotators = set()
    for given in row["labels"]:
        if not isinstance(given, dict) or not {"annotator", "label"} <= set(given):
            fail('each label must be {"annotator", "label", "note"}')
        if given["label"] not in Label.values:
            fail(f"label {given['label']!r} is not one of {', '.join(Label.values)}")
        if not isinstance(given["annotator"], str) or not given["annotator"]:
            fail("each label needs its annotator's user name")
        if not isinstance(given.get("note", ""), str):
            fail("a note must be text")
        if given["annotator"] in annotators:
            fail(f"{given['annotator']} has two labels for this sentence")
        annotators.add(given["annotator"])


def target_project(rows: list[tuple[int, dict]], project_name: str | None) -> Project:
    """The named project, found by the papers in the file; else their corpus's default one."""
    held_by: dict[str, set[int]] = {}
    for sha256, corpus_id in Paper.objects.filter(
        sha256__in={row["sha256"] for _, row in rows}
    ).values_list("sha256", "corpus_id"):
        held_by.setdefault(sha256, set()).add(corpus_id)
    corpora: set[int] | None = None
    for line_number, row in rows:
        if row["sha256"] not in held_by:
            raise InvalidAnnotations(
                f"line {line_number}: no paper here has the content of {row['file']} "
                f"(sha256 {row['sha256'][:12]}…): ingest it first"
            )
        corpora = held_by[row["sha256"]] if corpora is None else corpora & held_by[row["sha256"]]
        if not corpora:
            raise InvalidAnnotations(f"line {line_number}: the papers are in different corpora")
    projects = Project.objects.filter(corpus__in=corpora)
    if project_name:
        matches = list(projects.filter(name=project_name))
        if not matches:
            raise InvalidAnnotations(f"no project named {project_name!r} holds these papers")
    else:
        matches = list(projects.filter(is_default=True))
        if not matches and len(corpora) == 1:
            return default_project(Corpus.objects.get(pk=corpora.pop()))
    if len(matches) != 1:
        raise InvalidAnnotations("these papers are in several corpora: name the project")
    return matches[0]


def resolve(rows: list[tuple[int, dict]], project: Project) -> list[ImportedRow]:
    """Find each row's sentence in the project's corpus and each annotator's account.

    A row's sentence is the one with its id when that one has its paper and text (the same
    database), else the one with its text in the paper with its content (another database).
    """
    users = {user.get_username(): user for user in get_user_model().objects.all()}
    annotators = project.memberships.filter(role=Membership.Role.ANNOTATOR).values("user_id")
    other_roles = dict(
        project.memberships.exclude(user__in=annotators).values_list("user__username", "role")
    )
    candidates = Sentence.objects.filter(
        paper__corpus=project.corpus_id,
        paper__sha256__in={row["sha256"] for _, row in rows},
        is_seed=True,
    ).values_list("pk", "paper__sha256", "text")
    by_id, by_text = {}, {}
    for pk, sha256, text in candidates.order_by("-index"):
        by_id[pk] = (sha256, text)
        by_text[sha256, text] = pk
    resolved = []
    for line_number, row in rows:
        key = (row["sha256"], row["text"])
        sentence_id = (
            row["sentence_id"] if by_id.get(row["sentence_id"]) == key else by_text.get(key)
        )
        if sentence_id is None:
            raise InvalidAnnotations(
                f"line {line_number}: no highlighted sentence of {row['file']} in corpus "
                f"{project.corpus.name} reads {row['text'][:60]!r}"
            )
        labels = []
        for given in row["labels"]:
            name = given["annotator"]
            if name not in users:
                raise InvalidAnnotations(f"line {line_number}: there is no user named {name!r}")
            if name in other_roles:
                raise InvalidAnnotations(
                    f"line {line_number}: {name} is {other_roles[name]} in {project.name}, "
                    "not an annotator"
                )
            labels.append((users[name], given["label"], given.get("note", "")))
        resolved.append(ImportedRow(line_number, sentence_id, labels, row["final_label"] or ""))
    return resolved
