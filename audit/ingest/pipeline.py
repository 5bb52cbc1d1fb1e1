"""The whole ingestion of one PDF: words, layout, paragraphs, sentences and seed hits."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from audit.detect import detector
from audit.ingest import layout
from audit.ingest.metadata import PaperMetadata, guess_metadata, is_footer
from audit.ingest.paragraphs import REFERENCE, paragraphs
from audit.ingest.pdf import read_pdf
from audit.ingest.sentences import nlp
from audit.seeduse.model import SeedUseModel
from audit.seeduse.scoring import Reading, read_sentences
from audit.seeduse.training import Line, pattern_kind

# Share of the progress bar spent reading pages; the rest is layout, sentences and matching.
_READING_SHARE = 70
# spaCy refuses texts over its max_length (E088, a million characters) and needs memory in
# proportion to a text's length; a paragraph that long (a PDF whose text has no paragraph
# breaks) goes to it in pieces of at most this many characters.
MAX_PIECE = 100_000


@dataclass
class ExtractedSentence:
    text: str
    page: int
    page_end: int | None
    section: str
    kind: str
    paragraph: int
    terms: list[str]
    spans: list[tuple[int, int]]
    implicit: bool
    reading: Reading | None = None

    @property
    def is_seed(self) -> bool:
        return bool(self.reading and self.reading.is_seed)


@dataclass
class ExtractedPaper:
    pages: int
    metadata: PaperMetadata
    sentences: list[ExtractedSentence]
    suggested_primary: str | None = None
    seed_share: float | None = None  # see `PaperReading`
    usual_seed_share: float | None = None

    @property
    def seed_sentences(self) -> list[ExtractedSentence]:
        return [s for s in self.sentences if s.is_seed]


def extract_paper(
    path: Path,
    *,
    max_pages: int,
    spacy_model: str = "",
    model: SeedUseModel | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ExtractedPaper:
    """Read the PDF at `path`; raises `audit.ingest.pdf.PdfError` for files that are not papers."""
    with _no_cycle_collection():
        return _extract_paper(path, max_pages, spacy_model, model, on_progress)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused for one paper. Reading a paper allocates hundreds of
    thousands of small objects (a box per word and line) that make no reference cycles, and
    the collections they trigger walk every object a worker has loaded (spaCy, the model,
    Django), about a sixth of the paper's time; what is left is collected when it is over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _extract_paper(
    path: Path,
    max_pages: int,
    spacy_model: str,
    model: SeedUseModel | None,
    on_progress: Callable[[int], None] | None,
) -> ExtractedPaper:
    def page_read(done: int, total: int) -> None:
        if on_progress:
            on_progress(done * _READING_SHARE // total)

    content = read_pdf(path, max_pages=max_pages, on_page=page_read)
    pages = [layout.page_lines(page) for page in content.pages]
    style = layout.document_style(pages, [page.height for page in content.pages])
    first = content.pages[0]
    metadata = guess_metadata(
        content.metadata, pages[0], first.height, style.body_size, content.arxiv_stamp
    )
    ordered: list[layout.Line] = []
    for page, lines in zip(content.pages, pages, strict=True):
        lines = layout.drop_page_furniture(lines, style, page.width, page.height)
        if page.number == 1:
            lines = [ln for ln in lines if not (ln.top > 0.75 * page.height and is_footer(ln.text))]
        ordered += layout.reading_order(lines, style.body_size)
    paper_paragraphs = paragraphs(ordered, style)

    pipeline = nlp(spacy_model)
    seeds = detector(pipeline)
    sentences: list[ExtractedSentence] = []
    limit = min(MAX_PIECE, pipeline.max_length)
    pieces = [
        (number, paragraph, offset, piece)
        for number, paragraph in enumerate(paper_paragraphs)
        for offset, piece in _pieces(paragraph.text, limit)
    ]
    docs = pipeline.pipe(piece for *_, piece in pieces)
    for (number, paragraph, offset, piece), doc in zip(pieces, docs, strict=True):
        # A reference list cites titles ("Random seeds..."), it does not use seeds.
        found = (
            [(sentence, None) for sentence in doc.sents]
            if paragraph.kind == REFERENCE
            else seeds.sentences(doc)
        )
        for sentence, hit in found:
            # Sliced from the piece: Span.text would build a Token object per token.
            text = piece[sentence.start_char : sentence.end_char].strip()
            if not text:
                continue
            start = paragraph.page_at(offset + sentence.start_char)
            end = paragraph.page_at(offset + sentence.end_char - 1)
            sentences.append(
                ExtractedSentence(
                    text=text,
                    page=start,
                    page_end=end if end != start else None,
                    section=paragraph.section,
                    kind=paragraph.kind,
                    paragraph=number,
                    terms=hit.terms if hit else [],
                    spans=hit.spans if hit else [],
                    implicit=hit.implicit if hit else False,
                )
            )
    reading = read_sentences(
        [
            Line(s.text, s.section, s.kind, s.paragraph, pattern_kind(s.terms, s.implicit))
            for s in sentences
        ],
        model,
    )
    for sentence, sentence_reading in zip(sentences, reading.sentences, strict=True):
        sentence.reading = sentence_reading
    if on_progress:
        on_progress(100)
    return ExtractedPaper(
        len(content.pages),
        metadata,
        sentences,
        reading.suggested_primary,
        reading.seed_share,
        reading.usual_seed_share,
    )


def _pieces(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """`text` in pieces of at most `limit` characters, each with its offset: cut after a
    sentence's end where one is near the limit, else at a space."""
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = window.rfind(". ") + 2
        if cut < limit // 2:
            cut = window.rfind(" ") + 1 or limit
        yield start, text[start : start + cut]
        start += cut
    yield start, text[start:]
