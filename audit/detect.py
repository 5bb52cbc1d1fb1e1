"""Find the sentences of a paper that talk about random seeds.

The patterns live in `seed_patterns.toml`; this module only turns them into a spaCy Matcher and
reports, per sentence, the matched terms, where they are, and a suggested category.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from audit.taxonomy import Label

PATTERNS_PATH = Path(__file__).with_name("seed_patterns.toml")


@dataclass(frozen=True)
class SeedHit:
    terms: list[str]
    # [start, end) character offsets of each term within the sentence.
    spans: list[tuple[int, int]]
    implicit: bool
    suggested_label: Label


class SeedDetector:
    def __init__(self, pipeline: Language, patterns: dict):
        self.matcher = Matcher(pipeline.vocab)
        self.implicit_ids: set[int] = set()
        for pattern in patterns["pattern"]:
            self.matcher.add(pattern["name"], [pattern["tokens"]])
            if pattern["kind"] == "implicit":
                self.implicit_ids.add(pipeline.vocab.strings[pattern["name"]])
        self.cues = [(Label(cue["label"]), re.compile(cue["regex"])) for cue in patterns["cue"]]

    def sentences(self, doc: Doc) -> list[tuple[Span, SeedHit | None]]:
        """Every sentence of `doc`, with its hit when it talks about random seeds."""
        sentences = list(doc.sents)
        starts = [s.start for s in sentences]
        matched: dict[int, list[tuple[int, Span]]] = {}
        found = [(match_id, doc[start:end]) for match_id, start, end in self.matcher(doc)]
        longest = {(span.start, span.end) for span in filter_spans([s for _, s in found])}
        for match_id, span in found:
            if (span.start, span.end) in longest:
                longest.discard((span.start, span.end))
                index = bisect_right(starts, span.start) - 1
                matched.setdefault(index, []).append((match_id, span))
        return [
            (sentence, self._hit(sentence, matched[i]) if i in matched else None)
            for i, sentence in enumerate(sentences)
        ]

    def _hit(self, sentence: Span, matches: list[tuple[int, Span]]) -> SeedHit:
        matches.sort(key=lambda m: m[1].start)
        offset = sentence.start_char
        return SeedHit(
            terms=[span.text for _, span in matches],
            spans=[(span.start_char - offset, span.end_char - offset) for _, span in matches],
            implicit=all(match_id in self.implicit_ids for match_id, _ in matches),
            suggested_label=self.suggest(sentence.text),
        )

    def suggest(self, sentence: str) -> Label:
        lowered = sentence.lower()
        return next(label for label, regex in self.cues if regex.search(lowered))


def load_patterns(path: Path = PATTERNS_PATH) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


@cache
def detector(pipeline: Language) -> SeedDetector:
    return SeedDetector(pipeline, load_patterns())
