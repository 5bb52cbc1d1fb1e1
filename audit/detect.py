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

import numpy as np
from spacy.attrs import ORTH
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
        self.candidates = _Candidates.of(pipeline, patterns["pattern"])

    def sentences(self, doc: Doc) -> list[tuple[Span, SeedHit | None]]:
        """Every sentence of `doc`, with its hit when it talks about random seeds."""
        sentences = list(doc.sents)
        starts = [s.start for s in sentences]
        matched: dict[int, list[tuple[int, Span]]] = {}
        found = [(match_id, doc[start:end]) for match_id, start, end in self._matches(doc)]
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

    def _matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """The Matcher's matches in `doc`, in its order, running it only where one can be."""
        if self.candidates is None:
            return self.matcher(doc)
        return [
            (match_id, offset + start, offset + end)
            for offset, end in self.candidates.spans(doc)
            for match_id, start, end in self.matcher(doc[offset:end])
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


# Token attributes that depend on the word alone, not on its context in the sentence.
_LEXICAL = frozenset({"ORTH", "TEXT", "LOWER", "LENGTH", "SHAPE", "PREFIX", "SUFFIX"})


class _Candidates:
    """Where in a doc the Matcher can match at all.

    The patterns' REGEX and IN predicates run in Python on every token the Matcher visits, and
    most sentences hold no seed talk. Every token of a match satisfies one of its pattern's
    token descriptions, so a match lies inside a run of such tokens, and that run holds a token
    for each description the pattern requires. Whether a word satisfies a description depends
    on the word alone (for the lexical attributes allowed here), so it is worked out once per
    word; the Matcher then runs only on the runs that could hold a match.
    """

    def __init__(self, pipeline: Language, specs: list[dict], required: list[int]):
        self.vocab = pipeline.vocab
        self.probe = Matcher(pipeline.vocab)
        for number, spec in enumerate(specs):
            self.probe.add(str(number), [[spec]])
        self.probe_bits = {pipeline.vocab.strings[str(n)]: 1 << n for n in range(len(specs))}
        # One bit per token description; per pattern, the bits of the ones it requires.
        self.required = np.array(required, dtype=np.uint64)
        self.known: dict[int, int] = {}

    @classmethod
    def of(cls, pipeline: Language, patterns: list[dict]) -> _Candidates | None:
        """None when a pattern uses something this shortcut cannot judge word by word."""
        specs: list[dict] = []
        required: list[int] = []
        for pattern in patterns:
            bits = 0
            for token in pattern["tokens"]:
                op = token.get("OP")
                spec = {k: v for k, v in token.items() if k != "OP"}
                lexical = all(k in _LEXICAL or k.startswith(("IS_", "LIKE_")) for k in spec)
                if not spec or not lexical or op not in (None, "?", "*", "+"):
                    return None
                if spec not in specs:
                    specs.append(spec)
                if op in (None, "+"):
                    bits |= 1 << specs.index(spec)
            required.append(bits)
        if len(specs) > 64:
            return None
        return cls(pipeline, specs, required)

    def spans(self, doc: Doc) -> list[tuple[int, int]]:
        """[start, end) token ranges of `doc` that hold every match the Matcher would find."""
        orths = doc.to_array(ORTH).tolist()
        known = self.known
        bits = [known.get(orth) for orth in orths]
        if None in bits:
            self._learn({orth for orth, b in zip(orths, bits, strict=True) if b is None})
            bits = [known[orth] for orth in orths]
        satisfied = np.array(bits, dtype=np.uint64)
        usable = satisfied != 0
        if not usable.any():
            return []
        # Runs of usable tokens, and which descriptions each run has a token for.
        edges = np.flatnonzero(np.diff(usable, prepend=False, append=False))
        starts, ends = edges[::2], edges[1::2]
        present = np.bitwise_or.reduceat(satisfied, starts)[:, None]
        possible = ((present & self.required) == self.required).any(axis=1)
        return list(zip(starts[possible].tolist(), ends[possible].tolist(), strict=True))

    def _learn(self, orths: set[int]) -> None:
        words = [self.vocab.strings[orth] for orth in orths]
        bits = dict.fromkeys(orths, 0)
        for match_id, start, _ in self.probe(Doc(self.vocab, words=words)):
            bits[self.vocab.strings[words[start]]] |= self.probe_bits[match_id]
        self.known.update(bits)


def load_patterns(path: Path = PATTERNS_PATH) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


@cache
def detector(pipeline: Language) -> SeedDetector:
    return SeedDetector(pipeline, load_patterns())
