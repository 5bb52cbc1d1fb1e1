"""A paper's sentences arranged for reading: sections, paragraphs, highlighted seed terms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from audit.models import Sentence


@dataclass
class ParagraphView:
    kind: str
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def has_seed(self) -> bool:
        return any(s.is_seed for s in self.sentences)


@dataclass
class SectionView:
    title: str
    paragraphs: list[ParagraphView] = field(default_factory=list)

    @property
    def is_references(self) -> bool:
        return all(p.kind == Sentence.Kind.REFERENCE for p in self.paragraphs)


def paper_sections(sentences: list[Sentence]) -> list[SectionView]:
    sections: list[SectionView] = []
    paragraph_number = None
    for sentence in sentences:
        if not sections or sections[-1].title != sentence.section:
            sections.append(SectionView(sentence.section))
            paragraph_number = None
        if sentence.paragraph != paragraph_number:
            sections[-1].paragraphs.append(ParagraphView(sentence.kind))
            paragraph_number = sentence.paragraph
        sections[-1].paragraphs[-1].sentences.append(sentence)
    return sections


def driver_spans(text: str, drivers: list[str]) -> list[list[int]]:
    """Where the words that drove the model's score are in the sentence."""
    spans = []
    for words in drivers:
        pattern = r"\b" + r"\W+".join(re.escape(w) for w in words.split()) + r"\b"
        spans += [[m.start(), m.end()] for m in re.finditer(pattern, text, re.IGNORECASE)]
    return spans


def marks(sentence: Sentence) -> list[list[int]]:
    """What to mark in a sentence: the words a pattern matched, else those that drove the model."""
    return sentence.spans if sentence.terms else driver_spans(sentence.text, sentence.drivers)


def highlighted(text: str, spans: list[list[int]]) -> SafeString:
    """The sentence as HTML, with each matched seed term wrapped in <mark>."""
    parts, position = [], 0
    for start, end in sorted(spans):
        if start < position:
            continue
        parts.append(escape(text[position:start]))
        parts.append(f'<mark class="term">{escape(text[start:end])}</mark>')
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))
