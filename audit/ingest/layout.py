"""Layout analysis: from the words of a page to its lines in reading order, each with a role.

Papers are mostly two-column, with full-width titles, tables and figures, footnotes, margin line
numbers and running headers. We build lines from words, drop what is not the author's prose
(line numbers, headers and footers, text inside figures), order the lines with a recursive XY
cut that prefers cutting along column gutters, and tag each line with the block it belongs to
(body, heading, caption, footnote, or non-prose such as table cells).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from operator import attrgetter

import numpy as np

from audit.ingest.pdf import PageWords, Word

HEADING = "heading"
BODY = "body"
CAPTION = "caption"
FOOTNOTE = "footnote"
NON_PROSE = "non_prose"

_DIGITS = re.compile(r"^\d{1,4}$")
FOOTNOTE_MARK = re.compile(r"^(\d{1,2}|[*†‡§¶∗]{1,2})$")
_SECTION_NUMBER = re.compile(r"^(\d{1,2}(\.\d{1,2}){0,3}|[A-H](\.\d{1,2}){0,3})\.?$")


@dataclass
class Line:
    words: list[Word]
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    column: tuple[float, float] = (0.0, 0.0)
    role: str = BODY
    # Every line's text is read (for page furniture, at least): joined at once, as a plain
    # attribute, it costs less than a cached property's first lookup.
    text: str = field(init=False)

    def __post_init__(self) -> None:
        self.text = " ".join([w.text for w in self.words])

    @property
    def bold(self) -> bool:
        return all(w.bold for w in self.words)

    @classmethod
    def of(cls, words: list[Word], page: int) -> Line:
        """The line of these words; its size is the one most of its characters are set in."""
        size = words[0].size
        return cls(
            words=words,
            page=page,
            x0=min([w.x0 for w in words]),
            x1=max([w.x1 for w in words]),
            top=min([w.top for w in words]),
            bottom=max([w.bottom for w in words]),
            size=_line_size(words) if any(w.size != size for w in words) else size,
        )


def _line_size(words: list[Word]) -> float:
    """The size most of the words' characters are set in (ties: the size seen first)."""
    sizes: dict[float, int] = {}
    for w in words:
        sizes[w.size] = sizes.get(w.size, 0) + len(w.text)
    return max(sizes, key=sizes.__getitem__)


@dataclass
class DocumentStyle:
    """What body text looks like in this document: the yardstick for everything else."""

    body_size: float
    # The width of a full line of body text (a column, in a two-column paper).
    line_width: float
    page_heights: dict[int, float]
    repeated_margin_texts: set[str] = field(default_factory=set)


def collapse_whitespace(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page_lines(page: PageWords) -> list[Line]:
    """Group the page's words into lines, in the order PDFium read them."""
    ruler = _line_number_ruler(page.words)
    words: list[Word] = []
    kept: list[int] = []
    for index, word in enumerate(page.words):
        if word.in_figure or id(word) in ruler:
            continue
        # A mark is one or two characters (FOOTNOTE_MARK): most words skip the call.
        if words and len(word.text) <= 2 and _is_footnote_mark(words[-1], word):
            continue
        words.append(word)
        kept.append(index)
    if not words:
        return []
    boxes = page.boxes[kept]
    x0, x1, top, bottom, size = boxes.T
    starts = np.flatnonzero(~_continues_line(boxes, words)) + 1
    bounds = np.concatenate(([0], starts))
    ends = np.append(starts, len(words)).tolist()
    mixed = np.minimum.reduceat(size, bounds) != np.maximum.reduceat(size, bounds)
    return [
        Line(
            words=words[start:end],
            page=page.number,
            x0=line_x0,
            x1=line_x1,
            top=line_top,
            bottom=line_bottom,
            size=_line_size(words[start:end]) if line_mixed else words[start].size,
        )
        for start, end, line_x0, line_x1, line_top, line_bottom, line_mixed in zip(
            bounds.tolist(),
            ends,
            np.minimum.reduceat(x0, bounds).tolist(),
            np.maximum.reduceat(x1, bounds).tolist(),
            np.minimum.reduceat(top, bounds).tolist(),
            np.maximum.reduceat(bottom, bounds).tolist(),
            mixed.tolist(),
            strict=True,
        )
    ]


def _line_number_ruler(words: list[Word]) -> set[int]:
    """The margin line numbers of a review copy: a column of numbers counting down the page.

    Found before lines are built, so that no number is glued to the text beside it.
    """
    # The first character turns away most words before the pattern is tried.
    numbers = [w for w in words if w.text[:1].isdecimal() and _DIGITS.match(w.text)]
    ruler: set[int] = set()
    for edge in ("x0", "x1"):
        stacks: dict[int, list[Word]] = {}
        for word in numbers:
            stacks.setdefault(round(getattr(word, edge) / 3), []).append(word)
        for stack in stacks.values():
            if len(stack) < 8:
                continue
            stack.sort(key=lambda w: w.top)
            values = [int(w.text) for w in stack]
            rising = sum(b > a for a, b in pairwise(values))
            if rising >= 0.9 * (len(values) - 1):
                ruler.update(id(w) for w in stack)
    return ruler


def _is_footnote_mark(previous: Word, word: Word) -> bool:
    """A small raised number or dagger right after a word: "corpora.⁵". Exponents (after a
    digit or an operator) are not marks."""
    if (
        len(word.text) > 3
        or not FOOTNOTE_MARK.match(word.text)
        or not (previous.text[-1:].isalpha() or previous.text[-1:] in ".,;:)")
    ):
        return False
    raised = previous.bottom - word.bottom > 0.25 * previous.height
    adjacent = -1.0 <= word.x0 - previous.x1 <= 0.5 * previous.size
    return raised and adjacent and word.size < previous.size


def _continues_line(boxes: np.ndarray, words: list[Word]) -> np.ndarray:
    """Per pair of consecutive words (rows of `boxes`: x0, x1, top, bottom, size), whether
    the second continues the first's line."""
    x0, x1, top, bottom, size = boxes.T
    last_top, last_bottom, word_top, word_bottom = top[:-1], bottom[:-1], top[1:], bottom[1:]
    overlap = np.where(word_bottom < last_bottom, word_bottom, last_bottom) - np.where(
        word_top > last_top, word_top, last_top
    )
    height, word_height = last_bottom - last_top, word_bottom - word_top
    same_band = overlap > 0.4 * np.where(word_height < height, word_height, height)
    gap = x0[1:] - x1[:-1]
    larger = np.where(size[1:] > size[:-1], size[1:], size[:-1])
    candidate = same_band & ~(gap < -1.0)
    continues = candidate & (gap <= larger)
    # Justified lines stretch the space after a sentence most; a section number and
    # its title, or a bold run-in heading and its paragraph, are set apart by a quad.
    for i in np.flatnonzero(candidate & ~continues & (gap <= 2.5 * larger)).tolist():
        last, word = words[i], words[i + 1]
        continues[i] = bool(
            (last.text.endswith((".", ":", "?", "!")) and not _DIGITS.match(word.text))
            or (last.bold and _SECTION_NUMBER.match(last.text))
            or (last.bold and not word.bold)
        )
    return continues


def document_style(pages: list[list[Line]], heights: list[float]) -> DocumentStyle:
    sizes = Counter()
    for lines in pages:
        for line in lines:
            # Its characters: the text less the spaces that join its words.
            sizes[line.size] += len(line.text) - len(line.words) + 1
    body_size = sizes.most_common(1)[0][0] if sizes else 10.0
    widths = Counter(
        round(line.x1 - line.x0) for lines in pages for line in lines if line.size == body_size
    )
    line_width = float(widths.most_common(1)[0][0]) if widths else 200.0
    # Running headers and footers: the same text (numbers aside) near the top or bottom edge of
    # several pages.
    seen = Counter()
    for lines, height in zip(pages, heights, strict=True):
        keys = {_margin_key(line) for line in lines if _near_edge(line, height)}
        seen.update(keys)
    repeated = {key for key, n in seen.items() if n >= max(2, len(pages) // 3)}
    return DocumentStyle(
        body_size=body_size,
        line_width=line_width,
        page_heights={lines[0].page: h for lines, h in zip(pages, heights, strict=True) if lines},
        repeated_margin_texts=repeated,
    )


def _margin_key(line: Line) -> str:
    return re.sub(r"\d+", "#", line.text.lower())


def _near_edge(line: Line, height: float) -> bool:
    return line.bottom < 0.09 * height or line.top > 0.91 * height


def drop_page_furniture(
    lines: list[Line], style: DocumentStyle, width: float, height: float
) -> list[Line]:
    """Remove margin line numbers, running headers/footers and page numbers."""
    prose = [ln for ln in lines if not _DIGITS.match(ln.text) and len(ln.words) > 2]
    if prose:
        left = min(ln.x0 for ln in prose)
        right = max(ln.x1 for ln in prose)
    else:
        left, right = 0.0, width
    kept = []
    for line in lines:
        text = line.text
        if _DIGITS.match(text) and (line.x1 <= left + 1 or line.x0 >= right - 1):
            continue  # a line number in the margin of a review copy
        if _near_edge(line, height) and (
            _DIGITS.match(text) or _margin_key(line) in style.repeated_margin_texts
        ):
            continue
        kept.append(line)
    return kept


def reading_order(lines: list[Line], body_size: float) -> list[Line]:
    """Order lines by a recursive XY cut that cuts along column gutters first."""
    ordered: list[Line] = []
    _xy_cut(lines, body_size, ordered, column=None)
    return ordered


def _xy_cut(
    lines: list[Line], body_size: float, out: list[Line], column: tuple[float, float] | None
) -> None:
    if not lines:
        return
    if column is None:
        column = _column_bounds(lines)
    if len(lines) > 1:
        if max([ln.x0 for ln in lines]) < min([ln.x1 for ln in lines]) and all(
            [ln.top <= ln.bottom for ln in lines]
        ):
            # Every line crosses one vertical, so neither these lines nor any part of them has
            # a gutter: only horizontal cuts are left, and testing each part for a vertical one
            # (most of the work in a column of text) would find none.
            _y_cut(lines, out, column)
            return
        cut = _vertical_cut(lines, body_size)
        if cut is not None:
            left = [ln for ln in lines if (ln.x0 + ln.x1) / 2 < cut]
            right = [ln for ln in lines if (ln.x0 + ln.x1) / 2 >= cut]
            _xy_cut(left, body_size, out, _column_bounds(left))
            _xy_cut(right, body_size, out, _column_bounds(right))
            return
        cut_y = _horizontal_cut(lines)
        if cut_y is not None:
            _xy_cut([ln for ln in lines if ln.top < cut_y], body_size, out, column)
            _xy_cut([ln for ln in lines if ln.top >= cut_y], body_size, out, column)
            return
    _place(lines, out, column)


def _y_cut(lines: list[Line], out: list[Line], column: tuple[float, float]) -> None:
    """`_xy_cut` for lines that no vertical cut can part. Its horizontal cuts, one per level,
    would end at the bands of lines that overlap in height; one sweep down the page finds them.
    A line whose bottom is above its top would make the two differ: the caller checks."""
    band_of: dict[int, int] = {}
    count, reach = 0, 0.0
    for line in sorted(lines, key=attrgetter("top", "bottom")):
        if count == 0 or line.top - reach > 0:
            count += 1
            reach = line.bottom
        elif line.bottom > reach:
            reach = line.bottom
        band_of[id(line)] = count - 1
    bands: list[list[Line]] = [[] for _ in range(count)]
    for line in lines:
        bands[band_of[id(line)]].append(line)
    for band in bands:
        _place(band, out, column)


def _place(lines: list[Line], out: list[Line], column: tuple[float, float]) -> None:
    # Most cuts end at a single line, which needs no sorting.
    for line in _top_to_bottom(lines) if len(lines) > 1 else lines:
        line.column = column
        out.append(line)


def _top_to_bottom(lines: list[Line]) -> list[Line]:
    """Lines by height on the page; pieces of one visual line (side by side) left to right."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: (ln.top + ln.bottom) / 2):
        center = (line.top + line.bottom) / 2
        if rows:
            first = rows[-1][0]
            if abs(center - (first.top + first.bottom) / 2) < 0.4 * min(first.size, line.size):
                rows[-1].append(line)
                continue
        rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda ln: ln.x0)]


def _column_bounds(lines: list[Line]) -> tuple[float, float]:
    # The left edge most lines start at, and the right edge most lines reach: indented first
    # lines and short last lines of paragraphs do not move them.
    lefts = Counter([round(ln.x0) for ln in lines])
    rights = Counter([round(ln.x1) for ln in lines])
    left = lefts.most_common(1)[0][0]
    right = rights.most_common(1)[0][0]
    leftmost, rightmost = min([ln.x0 for ln in lines]), max([ln.x1 for ln in lines])
    if right - left < 0.5 * (rightmost - leftmost):
        left, right = leftmost, rightmost
    return float(left), float(right)


def _vertical_cut(lines: list[Line], body_size: float) -> float | None:
    """The x of the widest gutter no line crosses; failing that, one that few lines overhang."""
    intervals = sorted([(ln.x0, ln.x1) for ln in lines])
    best_gap, best_x = 0.5 * body_size, None
    reach = intervals[0][1]
    for x0, x1 in intervals[1:]:
        if x0 - reach >= best_gap:
            best_gap, best_x = x0 - reach, (x0 + reach) / 2
        if x1 > reach:
            reach = x1
    if best_x is not None:
        return best_x
    return _overhung_gutter(lines, body_size)


def _overhung_gutter(lines: list[Line], body_size: float) -> float | None:
    # A gutter crossed only by lines that mostly lie on one side of it (a long formula or URL
    # running into the gutter) is still a gutter; a centred title or a full-width table is not.
    if len(lines) < 6:
        return None  # a cut needs three lines on each side
    x0 = np.array([ln.x0 for ln in lines])
    x1 = np.array([ln.x1 for ln in lines])
    # Sweep the lines' edges left to right (at one x, ends before starts), counting the lines
    # that cover each gap between consecutive edges.
    edges = np.concatenate((x0, x1))
    steps = np.repeat(np.array([1, -1]), len(lines))
    order = np.lexsort((steps, edges))
    edges = edges[order]
    cover = np.cumsum(steps[order][:-1])
    width = edges[1:] - edges[:-1]
    allowed = max(1, len(lines) // 20)
    found = np.flatnonzero((cover <= allowed) & (width >= 0.5 * body_size))
    candidates = zip(
        cover[found].tolist(),
        (-width[found]).tolist(),
        ((edges[:-1][found] + edges[1:][found]) / 2).tolist(),
        strict=True,
    )
    widths = x1 - x0
    for _, _, cut in sorted(candidates):
        left, right = x1 <= cut, x0 >= cut
        if left.sum() < 3 or right.sum() < 3:
            continue
        crossing = (x0 < cut) & (cut < x1)
        into = np.minimum(cut - x0[crossing], x1[crossing] - cut)
        if (into <= 0.25 * widths[crossing]).all():
            sides = np.concatenate((widths[left], widths[right])).tolist()
            if statistics.median(sides) > 4 * body_size:
                return cut
    return None


def _horizontal_cut(lines: list[Line]) -> float | None:
    """The y in the middle of the tallest empty horizontal band between lines."""
    spans = sorted([(ln.top, ln.bottom) for ln in lines])
    best_gap, best_y = 0.0, None
    reach = spans[0][1]
    for top, bottom in spans[1:]:
        if top - reach > best_gap:
            best_gap, best_y = top - reach, (top + reach) / 2
        if bottom > reach:
            reach = bottom
    return best_y if best_gap > 0 else None
