"""Read the words of a PDF, with their positions, through PDFium.

pdfplumber's text layer comes from pdfminer, which is slow; pdfplumber also ships PDFium (via
pypdfium2), which reads the same text layer about forty times faster. We take words and their
boxes from PDFium and do the layout analysis ourselves (see `layout.py`).

Coordinates are in PDF points with the origin at the top left of the page (y grows downwards).
"""

from __future__ import annotations

import ctypes
import math
import statistics
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

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
_BOLD_WEIGHT = 600
_DESCENDERS = frozenset("gjpqyQ")
# Text inside a form XObject smaller than this share of the page is a figure's own text
# (axis labels, legends); a form that wraps most of the page is just how the page was made.
_FIGURE_FORM_MAX_AREA = 0.5
_FORM_OBJECT = 5


_REPAIR = (
    "Open it in a PDF viewer and save or print it as a new PDF (or download it again), "
    "then upload that."
)


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


@dataclass
class PdfContent:
    pages: list[PageWords]
    metadata: dict[str, str] = field(default_factory=dict)


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
        for index in range(len(doc)):
            try:
                page = doc[index]
            except pdfium.PdfiumError as error:
                raise CorruptPdf(
                    f"Page {index + 1} of the PDF is damaged and cannot be read. {_REPAIR}"
                ) from error
            pages.append(_read_page(page, index + 1))
            if on_page:
                on_page(index + 1, len(doc))
        metadata = {k: v for k, v in doc.get_metadata_dict(skip_empty=True).items()}
    finally:
        doc.close()
    if sum(len(p.words) for p in pages) < 20 * max(1, min(len(pages), 3)):
        raise NoTextLayer(
            "The PDF has no text layer (a scanned or image-only file). "
            "Run OCR on it first, e.g. with ocrmypdf, and upload the result."
        )
    return PdfContent(pages=pages, metadata=metadata)


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


def _read_page(page: pdfium.PdfPage, number: int) -> PageWords:
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        words = _page_words(textpage, height)
    finally:
        textpage.close()
    figures = _figure_regions(page, width, height)
    if figures:
        for word in words:
            cx, cy = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
            word.in_figure = any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in figures)
    page.close()
    return PageWords(number=number, width=width, height=height, words=words)


def _figure_regions(
    page: pdfium.PdfPage, width: float, height: float
) -> list[tuple[float, float, float, float]]:
    regions = []
    for obj in page.get_objects(max_depth=0):
        if obj.type != _FORM_OBJECT:
            continue
        left, bottom, right, top = obj.get_bounds()
        if (right - left) * (top - bottom) < _FIGURE_FORM_MAX_AREA * width * height:
            regions.append((left, height - top, right, height - bottom))
    return regions


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


class _WordBuilder:
    """Accumulates the characters of one word; splits off raised footnote markers at the end."""

    __slots__ = ("bold", "chars", "size")

    def __init__(self, size: float, bold: bool):
        self.size = size
        self.bold = bold
        self.chars: list[list] = []  # [text, x0, x1, top, bottom]

    def attach_accent(self, accent: _Accent) -> bool:
        for char in reversed(self.chars):
            if accent.fits(char[1], char[2], char[3], char[4]):
                char[0] += accent.mark
                return True
        return False

    def overlaps(self, top: float, bottom: float) -> bool:
        _, _, _, last_top, last_bottom = self.chars[-1]
        return top < last_bottom and bottom > last_top

    def build(self, hyphen: bool = False) -> Word:
        chars = self.chars
        if len(chars) == 1 and not hyphen:
            text, x0, x1, top, bottom = chars[0]
            return Word(_LIGATURES.get(text, text), x0, x1, top, bottom, self.size, self.bold)
        # The word's baseline and type height, from the glyphs that sit on the baseline.
        resting = [c for c in chars if c[0].isalnum() and c[0] not in _DESCENDERS] or chars
        baseline = statistics.median(c[4] for c in resting)
        height = max(c[4] - c[3] for c in resting) or self.size
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
        text = "".join(_LIGATURES.get(t, t) for t in texts)
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        if hyphen:
            text += "-"
        return Word(
            text=text,
            x0=min(x0s),
            x1=max(x1s),
            top=min(tops),
            bottom=max(bottoms),
            size=self.size,
            bold=self.bold,
            hyphen=hyphen,
        )


def _is_raised_mark(char: list, baseline: float, height: float) -> bool:
    """A superscript footnote mark: a digit or dagger set smaller and above the baseline."""
    text, top, bottom = char[0], char[3], char[4]
    raised = baseline - bottom > 0.25 * height and bottom - top < 0.8 * height
    return raised and (text.isdigit() or text in "*†‡§¶∗")


def _page_words(textpage: pdfium.PdfTextPage, page_height: float) -> list[Word]:
    raw = textpage.raw
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:  # surrogate pairs shift indices: read char by char instead
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(count))
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    box_args = (ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))
    get_box = pdfium_c.FPDFText_GetCharBox
    matrix = pdfium_c.FS_MATRIX()
    matrix_arg = ctypes.byref(matrix)
    words: list[Word] = []
    current: _WordBuilder | None = None
    skip_word = False
    pending_accent: _Accent | None = None

    def flush(hyphen: bool = False) -> None:
        nonlocal current
        if current is not None and current.chars:
            words.append(current.build(hyphen))
        current = None

    for i, ch in enumerate(text):
        if ch in _BREAKS:
            flush()
            skip_word = False
            continue
        if ch in _LINE_END_HYPHENS:
            flush(hyphen=True)
            continue
        if ch < " " or "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd":
            continue  # control codes and private-use glyphs (big-brace pieces): no text
        get_box(raw, i, *box_args)
        x0, x1 = left.value, right.value
        y0, y1 = page_height - top.value, page_height - bottom.value
        if ch in _SPACING_ACCENTS:
            accent = _Accent(_SPACING_ACCENTS[ch], (x0 + x1) / 2, y0, y1)
            if current is None or not current.attach_accent(accent):
                pending_accent = accent
            continue
        if current is not None and current.chars:
            last_x1 = current.chars[-1][2]
            if not current.overlaps(y0, y1) or x0 < last_x1 - 2 * current.size:
                flush()
        if current is None:
            angle = pdfium_c.FPDFText_GetCharAngle(raw, i)
            # Rotated text is a margin stamp (arXiv) or a rotated table header, never prose.
            skip_word = min(angle % (2 * math.pi), 2 * math.pi - angle % (2 * math.pi)) > 0.05
            # The font size as set, times the text matrix's vertical scale: figures placed
            # at a fraction of their size carry large nominal sizes.
            pdfium_c.FPDFText_GetMatrix(raw, i, matrix_arg)
            scale = math.hypot(matrix.c, matrix.d) or 1.0
            current = _WordBuilder(
                size=round(pdfium_c.FPDFText_GetFontSize(raw, i) * scale, 1),
                bold=pdfium_c.FPDFText_GetFontWeight(raw, i) >= _BOLD_WEIGHT,
            )
        if skip_word:
            continue
        if pending_accent is not None:
            if pending_accent.fits(x0, x1, y0, y1):
                ch += pending_accent.mark
            pending_accent = None
        current.chars.append([ch, x0, x1, y0, y1])
    flush()
    return words
