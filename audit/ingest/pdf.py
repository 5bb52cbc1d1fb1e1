"""Read the words of a PDF, with their positions, through PDFium.

pdfplumber's text layer comes from pdfminer, which is slow; pdfplumber also ships PDFium (via
pypdfium2), which reads the same text layer about forty times faster. We take words and their
boxes from PDFium and do the layout analysis ourselves (see `layout.py`).

Coordinates are in PDF points with the origin at the top left of the page (y grows downwards).
"""

from __future__ import annotations

import ctypes
import math
import re
import statistics
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from audit.ingest.pdfium_calls import char_boxes, char_styles, form_bounds

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
# Generated characters PDFium inserts between words and lines.
_BREAKS = frozenset(" \r\n\t\x00")
# PDFium marks a hyphen it judges to end a line with U+FFFE (soft hyphen) or U+0002.
_LINE_END_HYPHENS = frozenset("\ufffe\x02")
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
_LIGATURES |= {"\ufb05": "st", "\ufb06": "st"}
# TeX sets accents as glyphs of their own above or below a letter: fold them into the letter.
_SPACING_ACCENTS = {
    "\u00b4": "\u0301", "`": "\u0300", "\u00a8": "\u0308", "\u02c6": "\u0302",
    "\u02dc": "\u0303", "\u00b8": "\u0327", "\u02c7": "\u030c", "\u02d8": "\u0306",
    "\u02d9": "\u0307", "\u02da": "\u030a", "\u02dd": "\u030b", "\u00af": "\u0304",
}  # fmt: skip
_LIGATURE_TABLE = str.maketrans(_LIGATURES)

_MARKS = frozenset("*†‡§¶∗")
_BOLD_WEIGHT = 600
_DESCENDERS = frozenset("gjpqyQ")
# Text inside a form XObject smaller than this share of the page is a figure's own text
# (axis labels, legends); a form that wraps most of the page is just how the page was made.
_FIGURE_FORM_MAX_AREA = 0.5


_REPAIR = (
    "Open it in a PDF viewer and save or print it as a new PDF (or download it again), "
    "then upload that."
)


def _char_kinds() -> np.ndarray:
    """What each code point is to the word builder, as a table indexed by code point."""
    kinds = np.full(0x110000, _GLYPH, dtype=np.uint8)
    kinds[:0x20] = _NO_TEXT  # control codes
    kinds[0xE000:0xF900] = _NO_TEXT  # private-use glyphs: big-brace pieces
    kinds[0xFFFD] = _NO_TEXT
    kinds[[ord(c) for c in _SPACING_ACCENTS]] = _ACCENT
    kinds[[ord(c) for c in _BREAKS]] = _BREAK
    kinds[[ord(c) for c in _LINE_END_HYPHENS]] = _HYPHEN
    return kinds


_NO_TEXT, _BREAK, _HYPHEN, _GLYPH, _ACCENT = range(5)
_CHAR_KINDS = _char_kinds()


class PdfError(Exception):
    """A file that cannot be read as a paper; the message is written for people."""


class NotAPdf(PdfError):
    pass


class EncryptedPdf(PdfError):
    pass


class CorruptPdf(PdfError):
    pass


class NoTextLayer(PdfError):
    pass


class TooLarge(PdfError):
    pass


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False
    in_figure: bool = False
    # The word ends with a hyphen at the end of its line (a candidate for de-hyphenation).
    hyphen: bool = False

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class PageWords:
    number: int
    width: float
    height: float
    words: list[Word]
    # The words' x0, x1, top, bottom and size again, a row each, for work done on arrays.
    boxes: np.ndarray


@dataclass
class PdfContent:
    pages: list[PageWords]
    metadata: dict[str, str] = field(default_factory=dict)
    # arXiv's identifier stamped up the first page's margin ("arXiv:1607.04423v4 [cs.CL] 6 Jun
    # 2017"), which the words leave out as rotated text; "" when there is none.
    arxiv_stamp: str = ""


_ARXIV_STAMP = re.compile(
    r"arXiv:\d{4}\.\d{4,5}(?:v\d+)?\s*\[[\w.-]+\]\s*\d{1,2}\s*[A-Z][a-z]{2}\s*\d{4}"
)


def check_header(head: bytes) -> None:
    """Reject files that are not PDFs, whatever their name says."""
    # The PDF spec lets the header start anywhere in the first 1024 bytes.
    if PDF_MAGIC not in head[:1024]:
        kind = "a zip archive" if head.startswith(ZIP_MAGIC) else "not a PDF"
        raise NotAPdf(f"This file is {kind}: it does not start with a PDF header.")


def read_pdf(
    path: Path,
    *,
    max_pages: int,
    on_page: Callable[[int, int], None] | None = None,
) -> PdfContent:
    """Words of every page of the PDF at `path`, in the order PDFium reads them."""
    with path.open("rb") as f:
        check_header(f.read(1024))
        f.seek(max(0, path.stat().st_size - 2048))
        if b"%%EOF" not in f.read():
            raise CorruptPdf(
                "The PDF is truncated: it ends before its end-of-file marker. "
                "Download or export it again."
            )
    doc = _open(path)
    try:
        if len(doc) > max_pages:
            raise TooLarge(
                f"The PDF has {len(doc)} pages; the limit is {max_pages} "
                "(setting SEEDAUDIT_MAX_PAGES)."
            )
        pages = []
        stamp = ""
        for index in range(len(doc)):
            try:
                page = doc[index]
            except pdfium.PdfiumError as error:
                raise CorruptPdf(
                    f"Page {index + 1} of the PDF is damaged and cannot be read. {_REPAIR}"
                ) from error
            words, text = _read_page(page, index + 1)
            pages.append(words)
            if index == 0:
                stamp = _arxiv_stamp(text)
            if on_page:
                on_page(index + 1, len(doc))
        metadata = _metadata(doc)
    finally:
        doc.close()
    if sum(len(p.words) for p in pages) < 20 * max(1, min(len(pages), 3)):
        raise NoTextLayer(
            "The PDF has no text layer (a scanned or image-only file). "
            "Run OCR on it first, e.g. with ocrmypdf, and upload the result."
        )
    return PdfContent(pages=pages, metadata=metadata, arxiv_stamp=stamp)


def _arxiv_stamp(first_page_text: str) -> str:
    found = _ARXIV_STAMP.search(first_page_text)
    return found.group(0) if found else ""


def _metadata(doc: pdfium.PdfDocument) -> dict[str, str]:
    """The document information dictionary's non-empty strings. pypdfium2 decodes them
    strictly and raises on a lone surrogate; a paper is not refused for its metadata."""
    found = {}
    for key in doc.METADATA_KEYS:
        name = f"{key}\x00".encode()
        size = pdfium_c.FPDF_GetMetaText(doc, name, None, 0)
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDF_GetMetaText(doc, name, buffer, size)
        value = buffer.raw[: max(size - 2, 0)].decode("utf-16-le", "replace")
        if value:
            found[key] = value
    return found


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        code = getattr(error, "err_code", None)
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise EncryptedPdf(
                "The PDF is password-protected. Remove the password and upload it again."
            ) from error
        # PDFium's own words add nothing here ("Failed to load document (PDFium: Success)").
        raise CorruptPdf(f"The PDF is damaged and cannot be read. {_REPAIR}") from error


def _read_page(page: pdfium.PdfPage, number: int) -> tuple[PageWords, str]:
    """The page's words, and all its text as PDFium reads it (rotated text included)."""
    width, height = page.get_size()
    figures = _figure_regions(page, width, height)
    textpage = page.get_textpage()
    try:
        text = _page_text(textpage)
        words, boxes = _page_words(textpage, text, height, figures)
    finally:
        textpage.close()
    page.close()
    page_words = PageWords(number=number, width=width, height=height, words=words, boxes=boxes)
    return page_words, text


def _figure_regions(
    page: pdfium.PdfPage, width: float, height: float
) -> list[tuple[float, float, float, float]]:
    return [
        (left, height - top, right, height - bottom)
        for left, bottom, right, top in form_bounds(page)
        if (right - left) * (top - bottom) < _FIGURE_FORM_MAX_AREA * width * height
    ]


@dataclass(slots=True)
class _Accent:
    mark: str
    center: float
    top: float
    bottom: float

    def fits(self, x0: float, x1: float, top: float, bottom: float) -> bool:
        """Whether the accent sits over (or under) the glyph in this box."""
        height = bottom - top
        near = top - height < self.bottom and self.top < bottom + 0.5 * height
        return near and x0 - 1 <= self.center <= x1 + 1


def _build_word(chars: list[list], size: float, bold: bool, hyphen: bool) -> Word:
    """A word from its characters ([text, x0, x1, top, bottom] each), raised footnote marks
    at either end split off."""
    if len(chars) == 1 and not hyphen:
        text, x0, x1, top, bottom = chars[0]
        return Word(_LIGATURES.get(text, text), x0, x1, top, bottom, size, bold)
    # The word's baseline and type height, from the glyphs that sit on the baseline.
    resting = [c for c in chars if c[0].isalnum() and c[0] not in _DESCENDERS] or chars
    baseline = statistics.median(c[4] for c in resting)
    height = max(c[4] - c[3] for c in resting) or size
    start, end = 0, len(chars)
    while (
        end > 1
        and _is_raised_mark(chars[end - 1], baseline, height)
        and (chars[end - 2][0][-1].isalpha() or chars[end - 2][0] in ".,;:)")
    ):
        end -= 1  # a footnote mark after a word: "models.¹"
    while start < end - 1 and _is_raised_mark(chars[start], baseline, height):
        start += 1  # the mark that opens a footnote: "¹While ..."
    chars = chars[start:end]
    texts, x0s, x1s, tops, bottoms = zip(*chars, strict=True)
    return Word(
        text=_word_text("".join(_LIGATURES.get(t, t) for t in texts), hyphen),
        x0=min(x0s),
        x1=max(x1s),
        top=min(tops),
        bottom=max(bottoms),
        size=size,
        bold=bold,
        hyphen=hyphen,
    )


def _word_text(text: str, hyphen: bool) -> str:
    """The word's text from its glyphs' text, ligatures already spelled out."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text + "-" if hyphen else text


def _is_raised_mark(char: list, baseline: float, height: float) -> bool:
    """A superscript footnote mark: a digit or dagger set smaller and above the baseline."""
    text, top, bottom = char[0], char[3], char[4]
    raised = baseline - bottom > 0.25 * height and bottom - top < 0.8 * height
    return raised and (text.isdigit() or text in _MARKS)


def _may_be_marks(codes: np.ndarray) -> np.ndarray:
    """Per code point, whether it may be a footnote mark (a digit or a dagger)."""
    unique, where = np.unique(codes, return_inverse=True)
    flags = [chr(c).isdigit() or chr(c) in _MARKS for c in unique.tolist()]
    return np.array(flags, dtype=bool)[where]


def _page_text(textpage: pdfium.PdfTextPage) -> str:
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:  # surrogate pairs shift indices: read char by char instead
        raw = textpage.raw
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(count))
    return text


def _page_words(
    textpage: pdfium.PdfTextPage,
    text: str,
    page_height: float,
    figures: list[tuple[float, float, float, float]],
) -> tuple[list[Word], np.ndarray]:
    """The page's words, and their boxes and sizes as rows of an array (`PageWords.boxes`).
    PDFium gives characters; a word ends at a space or line break PDFium generated, at a hyphen
    it marked as ending a line, and where the next glyph no longer shares the word's line (or
    jumps back left by more than two font sizes).

    Characters are read in one pass into arrays and the word boundaries found on the arrays;
    only the rare cases (a jump back, rotated text, spacing accents, a possible footnote mark)
    take a character-by-character path.
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kinds = _CHAR_KINDS[codes]
    breaks = kinds == _BREAK
    hyphens = kinds == _HYPHEN
    glyph_at = np.flatnonzero(kinds >= _GLYPH)
    if not len(glyph_at):
        return [], np.zeros((0, 5))
    boxes = char_boxes(textpage, glyph_at)
    is_accent = kinds[glyph_at] == _ACCENT
    kept = ~is_accent
    page = _Chars(
        at=glyph_at[kept],
        x0=boxes[kept, 0],
        x1=boxes[kept, 1],
        top=page_height - boxes[kept, 3],
        bottom=page_height - boxes[kept, 2],
    )
    n = len(page.at)
    # hard[m]: PDFium generated a break (or marked a hyphen) between kept characters m-1 and m.
    break_count = np.cumsum(breaks | hyphens)
    hard = np.ones(n, dtype=bool)
    hard[1:] = break_count[page.at[1:]] != break_count[page.at[:-1]]
    starts = hard.copy()
    starts[1:] |= ~((page.top[1:] < page.bottom[:-1]) & (page.bottom[1:] > page.top[:-1]))
    styles = _Styles(textpage, page.at)
    word_starts = _split_jumps_back(starts, page, styles)
    word_starts, rotated = _drop_rotated(word_starts, hard, styles)
    marks = _accent_marks(
        text,
        glyph_at[is_accent],
        boxes[is_accent],
        page_height,
        page,
        word_starts,
        rotated,
        break_count,
    )
    bounds = np.array(word_starts)
    word_boxes = np.column_stack(
        (
            np.minimum.reduceat(page.x0, bounds),
            np.maximum.reduceat(page.x1, bounds),
            np.minimum.reduceat(page.top, bounds),
            np.maximum.reduceat(page.bottom, bounds),
            styles.size[bounds],
        )
    )
    word_x0, word_x1, word_top, word_bottom, sizes = word_boxes.T.tolist()
    ends = np.append(bounds[1:], n)
    # A word takes a marked hyphen when the next break after it is that hyphen.
    break_at = np.flatnonzero(breaks | hyphens)
    following = np.searchsorted(break_at, page.at[ends - 1])
    has_break = following < len(break_at)
    ends_line = has_break & np.append(hard, True)[ends]
    hyphen = np.zeros(len(bounds), dtype=bool)
    hyphen[ends_line] = hyphens[break_at[following[ends_line]]]
    kept_codes = codes[page.at]
    kept_text = kept_codes.tobytes().decode("utf-32-le", "surrogatepass")
    ends_list = ends.tolist()
    texts = [kept_text[start:end] for start, end in zip(word_starts, ends_list, strict=True)]
    bolds = styles.bold[bounds].tolist()
    words = list(map(Word, texts, word_x0, word_x1, word_top, word_bottom, sizes, bolds))
    # Most words are their glyphs' text and box; these few may need more.
    may_mark = _may_be_marks(kept_codes)
    special = hyphen | (np.maximum.reduceat(kept_codes, bounds) > 0x7F)
    special |= (ends - bounds > 1) & (may_mark[bounds] | may_mark[ends - 1])
    if marks:
        special[np.searchsorted(bounds, list(marks), side="right") - 1] = True
    for w in np.flatnonzero(special).tolist():
        start, end, ends_hyphen, chars = word_starts[w], ends_list[w], bool(hyphen[w]), texts[w]
        first, last = chars[0], chars[-1]
        if (marks and any(m in marks for m in range(start, end))) or (
            end - start > 1
            and (first.isdigit() or first in _MARKS or last.isdigit() or last in _MARKS)
        ):
            chars_of = page.chars(kept_text, marks, start, end)
            word = words[w] = _build_word(chars_of, sizes[w], bolds[w], ends_hyphen)
            word_boxes[w, :4] = word.x0, word.x1, word.top, word.bottom
        elif end - start == 1 and not ends_hyphen:
            words[w].text = _LIGATURES.get(chars, chars)
        else:
            if not chars.isascii():
                chars = chars.translate(_LIGATURE_TABLE)
            words[w].text = _word_text(chars, ends_hyphen)
            words[w].hyphen = ends_hyphen
    if rotated:
        # A margin stamp (arXiv) or a rotated table header, never prose.
        words = [word for w, word in enumerate(words) if w not in rotated]
        word_boxes = np.delete(word_boxes, list(rotated), axis=0)
    if figures:
        x0s, x1s, tops, bottoms, _ = word_boxes.T
        cx, cy = (x0s + x1s) / 2, (tops + bottoms) / 2
        inside = np.zeros(len(words), dtype=bool)
        for x0, y0, x1, y1 in figures:
            inside |= (x0 <= cx) & (cx <= x1) & (y0 <= cy) & (cy <= y1)
        for w in np.flatnonzero(inside).tolist():
            words[w].in_figure = True
    return words, word_boxes


@dataclass
class _Chars:
    """The kept characters of a page (accents and generated characters aside), as arrays."""

    at: np.ndarray  # index in the page's text
    x0: np.ndarray
    x1: np.ndarray
    top: np.ndarray
    bottom: np.ndarray

    def box(self, m: int) -> tuple[float, float, float, float]:
        return float(self.x0[m]), float(self.x1[m]), float(self.top[m]), float(self.bottom[m])

    def chars(self, text: str, marks: dict[int, str], start: int, end: int) -> list[list]:
        """[text, x0, x1, top, bottom] of kept characters start..end-1, marks added."""
        return [[text[m] + marks.get(m, ""), *self.box(m)] for m in range(start, end)]


class _Styles:
    """Font size, boldness and rotation of the kept characters that start words, read on
    demand into arrays indexed like the kept characters."""

    def __init__(self, textpage: pdfium.PdfTextPage, at: np.ndarray):
        self.textpage = textpage
        self.at = at
        self.read_already = np.zeros(len(at), dtype=bool)
        self.size = np.zeros(len(at))
        self.bold = np.zeros(len(at), dtype=bool)
        self.rotated = np.zeros(len(at), dtype=bool)

    def read(self, indices: np.ndarray) -> None:
        raw_styles, object_of = char_styles(self.textpage, self.at[indices])
        sizes, bolds, rotated = zip(*(_style(*raw) for raw in raw_styles), strict=True)
        self.size[indices] = np.array(sizes)[object_of]
        self.bold[indices] = np.array(bolds)[object_of]
        self.rotated[indices] = np.array(rotated)[object_of]
        self.read_already[indices] = True

    def __getitem__(self, m: int) -> tuple[float, bool, bool]:
        if not self.read_already[m]:
            self.read(np.array([m]))
        return float(self.size[m]), bool(self.bold[m]), bool(self.rotated[m])


def _style(size: float, weight: int, angle: float, c: float, d: float) -> tuple[float, bool, bool]:
    """Font size (as set, times the text matrix's vertical scale: figures placed at a fraction
    of their size carry large nominal sizes), boldness and whether the text is rotated."""
    turn = angle % (2 * math.pi)
    return (
        round(size * (math.hypot(c, d) or 1.0), 1),
        weight >= _BOLD_WEIGHT,
        min(turn, 2 * math.pi - turn) > 0.05,
    )


def _split_jumps_back(starts: np.ndarray, page: _Chars, styles: _Styles) -> list[int]:
    """Word starts: `starts`, plus where a glyph jumps back left by more than two font sizes
    of its word (a new line PDFium did not mark)."""
    first = np.flatnonzero(starts)
    styles.read(first)
    size = styles.size[first][np.cumsum(starts) - 1]
    jump = np.zeros(len(starts), dtype=bool)
    jump[1:] = ~starts[1:] & (page.x0[1:] < page.x1[:-1] - 2 * size[:-1])
    if not jump.any():
        return first.tolist()
    result = set(first.tolist())
    ends = np.append(first[1:], len(starts))
    for start, end in zip(first.tolist(), ends.tolist(), strict=True):
        if not jump[start:end].any():
            continue
        current = styles[start][0]
        for m in range(start + 1, end):
            if page.x0[m] < page.x1[m - 1] - 2 * current:
                result.add(m)
                current = styles[m][0]
    return sorted(result)


def _accent_marks(
    text: str,
    accent_at: np.ndarray,
    accent_boxes: np.ndarray,
    page_height: float,
    page: _Chars,
    word_starts: list[int],
    rotated: set[int],
    break_count: np.ndarray,
) -> dict[int, str]:
    """The combining marks to add to kept characters, by kept index. A spacing accent joins the
    nearest glyph it fits in the word being read; failing that, the next glyph if it fits."""
    marks: dict[int, str] = {}
    pending: tuple[_Accent, int] | None = None

    def settle(accent: _Accent, m: int) -> None:
        if m < len(page.at) and accent.fits(*page.box(m)):
            marks[m] = marks.get(m, "") + accent.mark

    def next_read(m: int) -> int:
        # Glyphs of a rotated word are skipped, not read.
        w = bisect_right(word_starts, m) - 1
        while m < len(page.at) and w in rotated:
            w += 1
            m = word_starts[w] if w < len(word_starts) else len(page.at)
        return m

    for p, (left, right, bottom, top) in zip(
        accent_at.tolist(), accent_boxes.tolist(), strict=True
    ):
        accent = _Accent(
            _SPACING_ACCENTS[text[p]], (left + right) / 2, page_height - top, page_height - bottom
        )
        after = int(np.searchsorted(page.at, p))
        if pending is not None and pending[1] < after:
            settle(*pending)
            pending = None
        last = after - 1
        w = bisect_right(word_starts, last) - 1
        if last >= 0 and break_count[p] == break_count[page.at[last]] and w not in rotated:
            host = next(
                (m for m in range(last, word_starts[w] - 1, -1) if accent.fits(*page.box(m))),
                None,
            )
            if host is not None:
                marks[host] = marks.get(host, "") + accent.mark
                continue
        pending = (accent, next_read(after))
    if pending is not None:
        settle(*pending)
    return marks


def _drop_rotated(
    starts: list[int], hard: np.ndarray, styles: _Styles
) -> tuple[list[int], set[int]]:
    """Word starts once a rotated word runs to the next break, and the rotated words' numbers."""
    if not styles.rotated[starts].any():
        return starts, set()
    kept: list[int] = []
    rotated: set[int] = set()
    until = -1
    for m in starts:
        if m < until:
            continue
        if styles[m][2]:
            rotated.add(len(kept))
            following = np.flatnonzero(hard[m + 1 :])
            until = m + 1 + int(following[0]) if len(following) else len(hard)
        else:
            until = -1
        kept.append(m)
    return kept, rotated
