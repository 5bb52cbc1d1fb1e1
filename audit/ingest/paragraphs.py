"""From lines in reading order to the paper's paragraphs, as the author wrote them.

Body text flows across columns and pages: a paragraph cut by a column break, a footnote or a
float continues after it. Captions and footnotes become paragraphs of their own. Headings set
the section; the reference list is marked so that detection skips it (appendices after it are
read again).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import takewhile

from audit.ingest.layout import (
    BODY,
    CAPTION,
    FOOTNOTE,
    FOOTNOTE_MARK,
    HEADING,
    NON_PROSE,
    DocumentStyle,
    Line,
    collapse_whitespace,
)

REFERENCE = "reference"
_CAPTION_START = re.compile(
    r"^(Table|Figure|Fig\.|Tab\.|Algorithm|Listing)\s*[A-Z]?\d+(\.\d+)?\s*[:.|]"
)
_NUMBERED_HEADING = re.compile(
    r"^(\d{1,2}(\.\d{1,2}){0,3}\.?|[A-H](\.\d{1,2}){0,3}\.?|[IVX]{1,4}\.)\s+[^\W\d_]{2}"
)
_UNNUMBERED_HEADINGS = {
    "abstract",
    "introduction",
    "references",
    "bibliography",
    "acknowledgments",
    "acknowledgements",
    "acknowledgment",
    "acknowledgement",
    "limitations",
    "ethics statement",
    "ethical considerations",
    "broader impact",
    "conclusion",
    "conclusions",
    "appendix",
    "appendices",
    "supplementary material",
    "related work",
}
_REFERENCE_HEADINGS = {"references", "bibliography", "reference", "literature cited"}
_APPENDIX_HEADING = re.compile(
    r"^(appendix|appendices|supplementary|supplemental|[A-H](\.\d+)*\.?\s+[A-Z])", re.I
)
_LIST_MARKER = re.compile(r"^(?:[•◦▪‣∙·\-–—*]|\(?[a-z]\)|\(?[ivx]{1,4}\)|\(\d{1,2}\)|\d{1,2}\))\s+")
_BULLET = re.compile(r"^[•◦▪‣∙]\s+")
_TERMINAL = re.compile(r"[.!?:][\"'”’)\]]*$")
_NUMERIC = re.compile(r"[-+±]?[\d.,/%±()]+")


@dataclass
class Paragraph:
    kind: str
    section: str
    lines: list[Line] = field(default_factory=list)
    text: str = ""
    # (character offset in `text`, page number) wherever a new page starts.
    page_starts: list[tuple[int, int]] = field(default_factory=list)

    def page_at(self, offset: int) -> int:
        page = self.page_starts[0][1]
        for start, number in self.page_starts:
            if start > offset:
                break
            page = number
        return page


@dataclass
class _Block:
    lines: list[Line]
    role: str = BODY

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)

    @property
    def left(self) -> float:
        """Where the block's lines start, an indented first line aside."""
        if len(self.lines) == 1:
            return self.lines[0].column[0]
        starts = Counter(round(line.x0) for line in self.lines)
        most = max(starts.values())
        return float(min(x for x, n in starts.items() if n == most))


def blocks(lines: list[Line], style: DocumentStyle) -> list[_Block]:
    """Split ordered lines into blocks (gaps, font changes, column changes) and give each a role."""
    result: list[_Block] = []
    for line in lines:
        if result and _same_block(result[-1].lines[-1], line, style):
            result[-1].lines.append(line)
        else:
            result.append(_Block([line]))
    for index, block in enumerate(result):
        following = (result[i] for i in range(index + 1, len(result)))
        block.role = _role(block, style, following)
    return result


def _same_block(prev: Line, line: Line, style: DocumentStyle) -> bool:
    if prev.page != line.page or abs(prev.column[0] - line.column[0]) > 2:
        return False
    if abs(prev.size - line.size) > 0.8:
        return False
    gap = line.top - prev.bottom
    return -0.5 * line.size < gap < 0.6 * max(line.size, style.body_size * 0.8)


def _role(block: _Block, style: DocumentStyle, following: Iterator[_Block]) -> str:
    first = block.lines[0]
    text = block.text
    if _CAPTION_START.match(text):
        return CAPTION
    if _is_heading(block, style):
        return HEADING
    words = text.split()
    widths = sorted(line.x1 - line.x0 for line in block.lines)
    median_width = widths[len(widths) // 2]
    numeric = sum(1 for w in words if _NUMERIC.fullmatch(w)) / len(words)
    # A few words in the body's type are prose when they end a sentence that the column or page
    # broke off ("approaches:") or are a bulleted item; a table cell or a figure's label rarely
    # starts lower-case or with a bullet (a subfigure's "(a)" is not one).
    short_prose = (
        abs(first.size - style.body_size) <= 0.5
        and _TERMINAL.search(text)
        and (text[:1].islower() or _BULLET.match(text))
    )
    prose_like = (len(words) >= 6 or bool(short_prose)) and numeric < 0.3
    if not prose_like or (median_width < 0.5 * style.line_width and not _TERMINAL.search(text)):
        return NON_PROSE
    if first.size < style.body_size - 0.5:
        same_page = takewhile(lambda b: b.lines[0].page == first.page, following)
        below_all_body = not any(
            b.lines[0].column == first.column and b.lines[0].size >= style.body_size - 0.5
            for b in same_page
        )
        if below_all_body and first.top > 0.4 * style.page_heights[first.page]:
            return FOOTNOTE
    if first.size < 0.8 * style.body_size:
        return NON_PROSE  # labels and legends of a figure drawn as text
    return BODY


def _is_heading(block: _Block, style: DocumentStyle) -> bool:
    if len(block.lines) > 2:
        return False
    text = block.text.strip()
    words = text.split()
    if not words or len(words) > 14:
        return False
    bare = re.sub(r"^(\d+(\.\d+)*\.?|[A-H](\.\d+)*\.?|[IVX]+\.)\s+", "", text).strip().lower()
    if bare.rstrip(".:") in _UNNUMBERED_HEADINGS and len(words) <= 4:
        return True
    larger = block.lines[0].size > style.body_size + 0.8
    if text.endswith((",", ";")) or not (larger or all(line.bold for line in block.lines)):
        return False
    # Bold text alone is not a heading: figures and author lists are bold too.
    return bool(_NUMBERED_HEADING.match(text)) or (larger and len(words) <= 8)


def paragraphs(lines: list[Line], style: DocumentStyle) -> list[Paragraph]:
    """The paper's paragraphs in reading order, with section, kind and page of every part."""
    vocabulary = _Vocabulary.of(lines)
    result: list[Paragraph] = []
    section = ""
    in_references = False
    body: Paragraph | None = None
    for block in blocks(lines, style):
        if block.role == NON_PROSE:
            continue
        if block.role == HEADING:
            section = collapse_whitespace(block.text)
            bare = re.sub(r"^[\dA-H.]*\s*", "", section).lower()
            if bare in _REFERENCE_HEADINGS or section.lower() in _REFERENCE_HEADINGS:
                in_references = True
            elif in_references and _APPENDIX_HEADING.match(section):
                in_references = False
            body = None
            continue
        kind = REFERENCE if in_references else block.role
        if kind == CAPTION:
            result.append(Paragraph(kind=kind, section=section, lines=list(block.lines)))
            continue
        if kind == FOOTNOTE:
            result += _footnotes(block, section)
            continue
        left = block.left
        for line in block.lines:
            if (
                body is None
                or body.kind != kind
                or _starts_paragraph(body.lines[-1], line, left, style)
            ):
                runin, line = _run_in_heading(line)
                body = Paragraph(kind=kind, section=f"{section} › {runin}" if runin else section)
                result.append(body)
            body.lines.append(line)
    for paragraph in result:
        _assemble(paragraph, vocabulary)
    return [p for p in result if p.text]


def _run_in_heading(line: Line) -> tuple[str, Line]:
    """Split a bold run-in heading ("Experimental Setting. We grid search ...") off the first
    line of a paragraph. Bold words that are part of the sentence are left alone: a run-in
    heading ends with a full stop or colon, or is set apart by a wide space."""
    words = line.words
    bold = 0
    while bold < len(words) and words[bold].bold:
        bold += 1
    if not 0 < bold < len(words) or bold > 8:
        return "", line
    last, after = words[bold - 1], words[bold]
    if not (last.text.endswith((".", ":")) or after.x0 - last.x1 > 0.8 * last.size):
        return "", line
    heading = " ".join(w.text for w in words[:bold]).rstrip(".:")
    return heading, Line.of(words[bold:], line.page)


def _footnotes(block: _Block, section: str) -> list[Paragraph]:
    """One paragraph per footnote: each starts with its mark, or on an indented line."""
    notes: list[Paragraph] = []
    for line in block.lines:
        mark = FOOTNOTE_MARK.match(line.words[0].text)
        indented = line.x0 - block.left > 0.3 * line.size
        if not notes or mark or indented:
            notes.append(Paragraph(kind=FOOTNOTE, section=section))
        if mark and len(line.words) > 1:
            line = Line.of(line.words[1:], line.page)
        notes[-1].lines.append(line)
    return notes


def _starts_paragraph(prev: Line, line: Line, left: float, style: DocumentStyle) -> bool:
    size = max(style.body_size, 1.0)
    # An item of a list after its lead-in ("…challenges when evaluating new approaches:") or
    # after the item before it, even where no gap or indent sets it apart.
    if _LIST_MARKER.match(line.text) and _TERMINAL.search(prev.text):
        return True
    indent = line.x0 - left
    if 0.5 * size < indent < 4 * size:
        return True
    same_column = prev.page == line.page and abs(prev.column[0] - line.column[0]) <= 2
    if same_column and line.top - prev.bottom > 0.9 * size:
        return True
    ended_short = prev.x1 < prev.column[1] - 1.5 * size
    return ended_short and bool(_TERMINAL.search(prev.text))


@dataclass
class _Vocabulary:
    """How words are written inside lines of this document, to judge a line-end hyphen."""

    words: Counter

    @classmethod
    def of(cls, lines: list[Line]) -> _Vocabulary:
        return cls(
            Counter(
                [
                    w.text.strip(_PUNCTUATION).lower()
                    for line in lines
                    for w in (
                        line.words[:-1] if line.words and line.words[-1].hyphen else line.words
                    )
                ]
            )
        )

    def keeps_hyphen(self, head: str, tail: str) -> bool:
        head, tail = head.strip(_PUNCTUATION).lower(), tail.strip(_PUNCTUATION).lower()
        if "-" in head[:-1] or "-" in tail or not tail[:1].isalpha():
            return True  # part of a longer compound (state-of-the-art), or a number range
        bare = head[:-1]
        if self.words[bare + tail]:
            return False
        if self.words[head + tail]:
            return True
        # Two words that each stand alone elsewhere in the paper: a compound (fine-tuning);
        # a fragment that never does (specif-, ically) was split by hyphenation.
        return len(bare) >= 4 and len(tail) >= 4 and self.words[bare] > 0 and self.words[tail] > 0


_PUNCTUATION = ".,;:()[]{}\"'“”‘’"


def _assemble(paragraph: Paragraph, vocabulary: _Vocabulary) -> None:
    text = ""
    page_starts: list[tuple[int, int]] = []
    for line in paragraph.lines:
        part = line.text
        if not part:
            continue
        if text and _ends_with_break_hyphen(text):
            text = _join_hyphenated(text, part, vocabulary)
            separator = None
        else:
            separator = " " if text else ""
        if not page_starts or page_starts[-1][1] != line.page:
            offset = len(text) if separator is None else len(text) + len(separator)
            page_starts.append((offset, line.page))
        if separator is not None:
            text += separator + part
    if paragraph.kind != REFERENCE:
        text, removed = _strip_list_marker(text)
        page_starts = [(max(0, offset - removed), page) for offset, page in page_starts]
    paragraph.text = text
    paragraph.page_starts = page_starts


def _ends_with_break_hyphen(text: str) -> bool:
    return len(text) > 2 and text.endswith("-") and text[-2].isalpha()


def _join_hyphenated(before: str, after: str, vocabulary: _Vocabulary) -> str:
    """Join a word broken across lines; keep the hyphen of a real compound."""
    head = before.rsplit(" ", 1)[-1]
    tail = after.split(" ", 1)[0]
    return before + after if vocabulary.keeps_hyphen(head, tail) else before[:-1] + after


def _strip_list_marker(text: str) -> tuple[str, int]:
    match = _LIST_MARKER.match(text)
    if not match:
        return text, 0
    return text[match.end() :], match.end()
