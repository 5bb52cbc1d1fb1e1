"""Gold files (`gold.jsonl`, the format of ../shared/corpus/README.md) and how their sentences are
matched to extracted ones: normalised strings on the same page, one containing the other, a
similarity of at least 0.85, or the first and last five words in order (a sentence interrupted by
a figure or footnote)."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

SIMILAR = 0.85
# Shorter pieces of a gold sentence prove nothing: "results" is in many sentences.
MIN_CONTAINED = 25
HEAD_TAIL_WORDS = 5


@dataclass(frozen=True)
class GoldSentence:
    text: str
    page: int
    category: str
    implicit: bool


@dataclass
class GoldPaper:
    file: str
    primary: str | None
    sentences: list[GoldSentence] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # borderline: neither hit nor false alarm


def read_gold(path: Path) -> list[GoldPaper]:
    """The papers of a gold file; raises ValueError with the line number on a malformed line."""
    papers = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            papers.append(
                GoldPaper(
                    file=row["file"],
                    primary=row.get("primary_category"),
                    sentences=[
                        GoldSentence(
                            s["text"], int(s["page"]), s["category"], bool(s.get("implicit"))
                        )
                        for s in row.get("seed_sentences", [])
                    ],
                    excluded=[b["text"] for b in row.get("borderline_excluded", [])],
                )
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}, line {number}: not a gold paper ({error})") from error
    return papers


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(\w)-\s+(\w)", r"\1\2", text)
    return re.findall(r"[^\W_]+", text)


def same(gold: str, found: str) -> bool:
    """Whether an extracted sentence is the gold sentence, as the corpus README defines it."""
    gold_words = words(gold)
    g, f = "".join(gold_words), "".join(words(found))
    if not g or not f:
        return False
    if (len(f) >= MIN_CONTAINED and f in g) or g in f:
        return True
    if SequenceMatcher(None, g, f, autojunk=False).ratio() >= SIMILAR:
        return True
    if len(gold_words) >= 12:
        head = "".join(gold_words[:HEAD_TAIL_WORDS])
        tail = "".join(gold_words[-HEAD_TAIL_WORDS:])
        start = f.find(head)
        return start >= 0 and f.find(tail, start + len(head)) >= 0
    return False
