"""PDFs made by the tests: a two-column review copy with every layout hazard, and bad inputs."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

# Vera ships with reportlab and has the "fi" ligature glyph (U+FB01).
pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))
pdfmetrics.registerFont(TTFont("VeraBd", "VeraBd.ttf"))

WIDTH, HEIGHT = 595.0, 842.0
COLUMNS = (72.0, 310.0)
COLUMN_WIDTH = 214.0
TOP, BOTTOM = 760.0, 80.0
LEADING = 12.0
SIZE = 9.5

# "|" marks where a word may be hyphenated at a line end; "ﬁ" is drawn as the ligature glyph.
# The results section is repeated so that paragraphs cross columns and pages.
INTRODUCTION = [
    "Neural networks are trained from a random starting point, and the random seed decides "
    "where that point lies. We study how published papers report the seed they used, and "
    "whether their claims survive a different one.",
    "Most papers pick one seed and keep it ﬁxed for every experiment. Such a ﬁxed seed "
    "makes a run repeatable on one machine, but it does not make the result repro|ducible "
    "on other hardware or with other library versions (Bethard, 2022).",
]
METHOD = [
    "We ﬁne-tune every model for three epochs with a learning rate of 2e-5 and a batch size of 32 "
    "on the development split. We ﬁx the random seed to 42 for all experiments, following "
    "common practice in the ﬁeld. The test results are averaged over ﬁve runs with "
    "different random seeds, and we report the mean and the standard deviation.",
    "Each sentence of the corpus is tokenised, lowercased and mapped to an embedding. The "
    "encoder is a two-layer network whose hidden size is tuned on the development data "
    "together with the dropout rate, e.g. 0.1 or 0.3, as described in Sec. 3.1 and Fig. 2 "
    "of Lee et al. (2018).",
    "The ensemble combines eight models that differ only in their random initialization. "
    "Scores of the individual models vary by up to two points of accuracy, which shows how "
    "sensitive the architecture is to the seed.",
]
RESULTS = [
    "Table 2 compares our system with four baselines on the three test sets. Our system is "
    "better on every test set, and the difference is larger on the smaller test sets, where "
    "each example weighs more.",
    "A closer look at the errors shows that most of them come from long sentences with "
    "several clauses. The baselines make the same errors, which suggests that the problem "
    "lies in the data rather than in any single model architecture.",
    "We also measured the training time of every model. The largest model needs about four "
    "hours on one GPU, while the smallest needs less than one hour, so all experiments can be "
    "repeated on modest hardware by anyone who wants to check our numbers.",
]
FOOTNOTE = "We repeated the analysis with three seeds and found the same ranking."
REFERENCES = [
    "Steven Bethard. 2022. We need to talk about random seeds. arXiv preprint arXiv:2210.13393.",
    "Nils Reimers and Iryna Gurevych. 2017. Reporting score distributions makes a difference: "
    "Performance study of LSTM-networks for sequence tagging. In Proceedings of EMNLP.",
]
APPENDIX = [
    "All models were seeded with the value 1234 before the hyperparameter search began.",
]


def plain(text: str) -> str:
    """The text as the author wrote it: no hyphenation marks, ligatures spelled out."""
    return text.replace("|", "").replace("ﬁ", "fi")


def sentences_of(paragraphs: list[str]) -> list[str]:
    text = " ".join(plain(p) for p in paragraphs)
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if s]


@dataclass
class _Writer:
    canvas: canvas.Canvas
    line_numbers: bool
    page: int = 1
    column: int = 0
    y: float = TOP
    line_number: int = 1
    footnotes: list[str] = field(default_factory=list)

    def new_page(self) -> None:
        self._page_furniture()
        self.canvas.showPage()
        self.page += 1
        self.column, self.y = 0, TOP

    def _page_furniture(self) -> None:
        c = self.canvas
        c.setFont("Vera", 8)
        c.drawCentredString(WIDTH / 2, HEIGHT - 40, "Anonymous ACL submission")
        c.drawCentredString(WIDTH / 2, 40, str(self.page))

    def _advance(self) -> tuple[float, float]:
        if self.y < BOTTOM:
            if self.column == 0:
                self.column, self.y = 1, TOP
            else:
                self.new_page()
        x, y = COLUMNS[self.column], self.y
        if self.line_numbers:
            self.canvas.setFont("Vera", 7)
            margin_x = x - 30 if self.column == 0 else x + COLUMN_WIDTH + 14
            self.canvas.drawString(margin_x, y, f"{self.line_number:03d}")
            self.line_number += 1
        self.y -= LEADING
        return x, y

    def heading(self, text: str) -> None:
        self.y -= 6
        x, y = self._advance()
        self.canvas.setFont("VeraBd", 11)
        self.canvas.drawString(x, y, text)
        self.y -= 3

    def paragraph(self, text: str, indent: float = 10.0, size: float = SIZE) -> None:
        words = text.split()
        first = True
        while words:
            width = COLUMN_WIDTH - (indent if first else 0)
            line, words = _fill(words, width, size)
            x, y = self._advance()
            self.canvas.setFont("Vera", size)
            self.canvas.drawString(x + (indent if first else 0), y, line)
            first = False

    def finish(self) -> None:
        self._page_furniture()
        self.canvas.save()


def _fill(words: list[str], width: float, size: float) -> tuple[str, list[str]]:
    """As many words as fit; a word with a "|" hyphenation point may be split across lines."""
    taken: list[str] = []
    for index, word in enumerate(words):
        candidate = " ".join([*taken, word.replace("|", "")])
        if pdfmetrics.stringWidth(candidate, "Vera", size) <= width:
            taken.append(word.replace("|", ""))
            continue
        if "|" in word:
            head, tail = word.split("|", 1)
            hyphenated = " ".join([*taken, head + "-"])
            if pdfmetrics.stringWidth(hyphenated, "Vera", size) <= width:
                return hyphenated, [tail, *words[index + 1 :]]
        return " ".join(taken), words[index:]
    return " ".join(taken), []


def review_copy(path: Path, *, line_numbers: bool = True) -> Path:
    """A two-column ACL-style review copy: margin line numbers, running header, page numbers,
    hyphenation, ligatures, a footnote, a reference list and an appendix after it."""
    c = canvas.Canvas(str(path), pagesize=(WIDTH, HEIGHT))
    c.setTitle("Seeds in the Wild: How Papers Report Random Seeds")
    writer = _Writer(c, line_numbers)
    c.setFont("VeraBd", 15)
    c.drawCentredString(WIDTH / 2, 790, "Seeds in the Wild: How Papers Report Random Seeds")
    writer.y = 755
    writer.heading("1 Introduction")
    for text in INTRODUCTION:
        writer.paragraph(text)
    writer.heading("2 Method")
    for text in METHOD:
        writer.paragraph(text)
    c.line(COLUMNS[0], 66, COLUMNS[0] + 60, 66)
    c.setFont("Vera", 5)
    c.drawString(COLUMNS[0] + 4, 59, "1")
    text = c.beginText(COLUMNS[0] + 7, 56)
    text.setFont("Vera", 7.5)
    text.textOut(FOOTNOTE)
    c.drawText(text)
    writer.heading("3 Results")
    for _ in range(7):
        for text in RESULTS:
            writer.paragraph(text)
    writer.heading("References")
    for text in REFERENCES:
        writer.paragraph(text, indent=0, size=8.5)
    writer.heading("A Hyperparameters")
    for text in APPENDIX:
        writer.paragraph(text)
    writer.finish()
    return path


def encrypted(path: Path) -> Path:
    c = canvas.Canvas(str(path), encrypt=StandardEncryption("user-secret", "owner-secret"))
    c.drawString(72, 720, "A secret paper about random seeds.")
    c.save()
    return path


def scanned(path: Path, source: Path) -> Path:
    """An image-only PDF: the first page of `source`, rendered to pixels, with no text layer."""
    image = pdfium.PdfDocument(str(source))[0].render(scale=1.5).to_pil()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    c = canvas.Canvas(str(path), pagesize=(WIDTH, HEIGHT))
    c.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 0, 0, WIDTH, HEIGHT)
    c.save()
    return path


def merged(path: Path, sources: list[Path]) -> Path:
    """One long PDF made of the pages of several real papers."""
    out = pdfium.PdfDocument.new()
    for source in sources:
        out.import_pages(pdfium.PdfDocument(str(source)))
    out.save(str(path))
    return path


def zip_of(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path
