"""Charts and printable documents, shared by every report seedaudit writes.

Charts are matplotlib figures (served as SVG in pages, downloadable as SVG, PNG and PDF);
documents are PDFs laid out with reportlab. Both are pure Python: nothing to install on the
server, no browser needed to print.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from matplotlib.figure import Figure
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
SAFE_COLOUR = "#0072B2"
RISKY_COLOUR = "#D55E00"
FORMATS = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}


def figure(width: float = 7.0, height: float = 4.0) -> Figure:
    """A figure not tied to pyplot's global state (safe in threads and workers)."""
    return Figure(figsize=(width, height), layout="constrained")


def render_figure(fig: Figure, fmt: str, dpi: int = 150) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown chart format {fmt!r}; use one of {', '.join(FORMATS)}.")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    return buffer.getvalue()


def _metadata(fmt: str) -> dict:
    # Fixed metadata keeps files byte-stable across runs (no creation dates).
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None, "ModDate": None}
    return {}


@dataclass
class PdfDocument:
    """A simple report: a title, then headings, paragraphs, tables and charts in order."""

    title: str
    subtitle: str = ""
    # Set in the bottom margin of every page, so it never spills onto a page of its own.
    footer: str = ""
    footer_link: str = ""
    _story: list = field(default_factory=list)

    def __post_init__(self) -> None:
        styles = getSampleStyleSheet()
        self._styles = {
            "title": styles["Title"],
            "subtitle": ParagraphStyle("subtitle", parent=styles["Normal"], textColor=colors.grey),
            # A heading never ends a page on its own: it goes with what follows it.
            "h2": ParagraphStyle("h2", parent=styles["Heading2"], keepWithNext=1),
            "h3": ParagraphStyle("h3", parent=styles["Heading3"], keepWithNext=1),
            "body": ParagraphStyle("body", parent=styles["BodyText"], leading=14),
            "quote": ParagraphStyle(
                "quote", parent=styles["BodyText"], leftIndent=12, leading=14,
                textColor=colors.HexColor("#333333"), fontName="Times-Italic",
            ),
            "cell": ParagraphStyle("cell", parent=styles["BodyText"], fontSize=8.5, leading=10.5),
            "bullet": ParagraphStyle(
                "bullet", parent=styles["BodyText"], leading=14, leftIndent=14, bulletIndent=3,
            ),
            "note": ParagraphStyle(
                "note", parent=styles["BodyText"], fontSize=8.5, leading=11,
                textColor=colors.HexColor("#555555"),
            ),
            "quote_source": ParagraphStyle(
                "quote_source", parent=styles["BodyText"], fontSize=8.5, leading=11,
                textColor=colors.HexColor("#555555"), leftIndent=12, spaceBefore=0, spaceAfter=8,
            ),
        }  # fmt: skip
        self._story.append(Paragraph(escape(self.title), self._styles["title"]))
        if self.subtitle:
            self._story.append(Paragraph(escape(self.subtitle), self._styles["subtitle"]))
        self._story.append(Spacer(1, 0.4 * cm))

    def heading(self, text: str, level: int = 2) -> None:
        self._story.append(Paragraph(escape(text), self._styles[f"h{level}"]))

    def paragraph(self, text: str, style: str = "body", markup: bool = False) -> None:
        """`markup=True` lets reportlab's mini-HTML through (<b>, <i>, <font>); escape the rest."""
        self._story.append(Paragraph(text if markup else escape(text), self._styles[style]))

    def bullet(self, text: str, markup: bool = False) -> None:
        self._story.append(
            Paragraph(text if markup else escape(text), self._styles["bullet"], bulletText="•")
        )

    def checkboxes(self, items: Sequence[tuple[bool, str, str]]) -> None:
        """Boxes to tick with a pen: (ticked, text, note) each, the note small under the text."""
        rows = []
        for ticked, text, note in items:
            cell = [Paragraph(escape(text), self._styles["body"])]
            if note:
                cell.append(Paragraph(escape(note), self._styles["note"]))
            rows.append([_CheckBox(ticked), cell])
        table = Table(rows, colWidths=[0.7 * cm, None], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (0, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        self._story.append(table)
        self._story.append(Spacer(1, 0.3 * cm))

    def table(self, rows: Sequence[Sequence[object]], header: bool = True, widths=None) -> None:
        cells = [[Paragraph(escape(str(v)), self._styles["cell"]) for v in row] for row in rows]
        table = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#cccccc")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f6")))
        table.setStyle(TableStyle(style))
        self._story.append(table)
        self._story.append(Spacer(1, 0.3 * cm))

    def chart(self, fig: Figure, width_cm: float = 16.0) -> None:
        png = render_figure(fig, "png", dpi=200)
        w, h = fig.get_size_inches()
        image = Image(io.BytesIO(png), width=width_cm * cm, height=width_cm * cm * h / w)
        self._story.append(KeepTogether([image, Spacer(1, 0.3 * cm)]))

    def render(self) -> bytes:
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer, pagesize=A4, title=self.title, author="seedaudit",
            leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.8 * cm, bottomMargin=1.8 * cm,
        )  # fmt: skip
        doc.build(list(self._story), onFirstPage=self._footer, onLaterPages=self._footer)
        return buffer.getvalue()

    def _footer(self, canvas, doc) -> None:
        if not self.footer:
            return
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        text = f"{self.footer} {self.footer_link}".strip()
        lines = simpleSplit(text, "Helvetica", 7.5, doc.width)
        y = doc.bottomMargin - 0.6 * cm
        for line in lines:
            canvas.drawString(doc.leftMargin, y, line)
            y -= 9
        if self.footer_link:
            top = doc.bottomMargin - 0.6 * cm + 8
            canvas.linkURL(
                self.footer_link, (doc.leftMargin, y + 6, doc.leftMargin + doc.width, top)
            )
        canvas.restoreState()


class _CheckBox(Flowable):
    """An empty box, or a ticked one."""

    SIZE = 9

    def __init__(self, ticked: bool):
        super().__init__()
        self.ticked = ticked
        self.width = self.height = self.SIZE

    def draw(self) -> None:
        canvas, size = self.canv, self.SIZE
        canvas.setLineWidth(0.8)
        canvas.rect(0, 0, size, size)
        if self.ticked:
            canvas.setLineWidth(1.5)
            canvas.lines([(1.8, 4.6, 3.8, 2.0), (3.8, 2.0, 8.0, 8.2)])
