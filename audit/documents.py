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
from reportlab.platypus import (
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
    _story: list = field(default_factory=list)

    def __post_init__(self) -> None:
        styles = getSampleStyleSheet()
        self._styles = {
            "title": styles["Title"],
            "subtitle": ParagraphStyle("subtitle", parent=styles["Normal"], textColor=colors.grey),
            "h2": styles["Heading2"],
            "h3": styles["Heading3"],
            "body": ParagraphStyle("body", parent=styles["BodyText"], leading=14),
            "quote": ParagraphStyle(
                "quote", parent=styles["BodyText"], leftIndent=12, leading=14,
                textColor=colors.HexColor("#333333"), fontName="Times-Italic",
            ),
            "cell": ParagraphStyle("cell", parent=styles["BodyText"], fontSize=8.5, leading=10.5),
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
        doc.build(list(self._story))
        return buffer.getvalue()
