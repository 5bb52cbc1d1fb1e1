"""Every write that changes papers goes through here, so views, commands and tasks share it."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F
from django.db.models.deletion import RestrictedError
from django.utils import timezone

from audit.ingest.bibtex import BibEntry, match_title, parse_bibtex
from audit.ingest.pdf import PdfError, check_header
from audit.ingest.pipeline import ExtractedPaper, extract_paper
from audit.ingest.sources import Limits, Source
from audit.models import Corpus, Paper, Sentence
from audit.text import clean_json, clean_text

logger = logging.getLogger(__name__)

UNFINISHED = (Paper.Status.PENDING, Paper.Status.PROCESSING)
# Errors that say the database cannot be reached (or the connection broke), not that it
# refused what this paper tried to write: the work is kept for when it is back.
CONNECTION_ERRORS = (OperationalError, InterfaceError)
# A paper whose processing was cut short this often (a worker killed each time) fails, rather
# than take every worker down in turn for ever.
MAX_ATTEMPTS = 3


@dataclass
class Added:
    paper: Paper
    created: bool


def upload_limits() -> Limits:
    """The size limits on PDFs and archives users hand in, from the settings."""
    return Limits(
        max_pdf_bytes=settings.SEEDAUDIT_MAX_PDF_MB * 2**20,
        max_zip_bytes=settings.SEEDAUDIT_MAX_ZIP_MB * 2**20,
    )


def add_source(corpus: Corpus, source: Source) -> Added:
    """Register one input as a paper of `corpus`; the same content twice is one paper."""
    name = clean_text(source.name)[-500:]
    if source.data is None:
        paper = Paper.objects.create(
            corpus=corpus,
            original_name=name,
            status=Paper.Status.FAILED,
            error=clean_text(source.error),
            progress=100,
        )
        return Added(paper, created=True)
    sha256 = hashlib.sha256(source.data).hexdigest()
    existing = Paper.objects.filter(corpus=corpus, sha256=sha256).first()
    if existing:
        return Added(existing, created=False)
    fields = {"original_name": name, "size_bytes": len(source.data), "heartbeat_at": timezone.now()}
    try:
        check_header(source.data[:1024])
    except PdfError as error:
        fields |= {"status": Paper.Status.FAILED, "error": str(error), "progress": 100}
    else:
        fields["file"] = _store(sha256, source.data)
    try:
        with transaction.atomic():
            paper = Paper.objects.create(corpus=corpus, sha256=sha256, **fields)
    except IntegrityError:
        # Someone added the same content a moment ago.
        return Added(Paper.objects.get(corpus=corpus, sha256=sha256), created=False)
    return Added(paper, created=True)


def _store(sha256: str, data: bytes) -> str:
    """Files are stored under their content hash: the same PDF in two corpora is one file."""
    name = f"papers/{sha256[:2]}/{sha256}.pdf"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    return name


def process_paper(paper_id: int) -> None:
    """Extract a paper's text and seed sentences. Safe to run twice, or after a crash."""
    claimed = Paper.objects.filter(pk=paper_id, status__in=UNFINISHED).update(
        status=Paper.Status.PROCESSING,
        progress=0,
        heartbeat_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return  # finished, failed or deleted meanwhile
    paper = Paper.objects.get(pk=paper_id)
    if paper.attempts > MAX_ATTEMPTS:
        _fail(
            paper_id,
            f"Processing this PDF was cut short {MAX_ATTEMPTS} times (its worker stopped: out of "
            "memory, or killed). Split it into smaller PDFs, or give the workers more memory and "
            "reprocess it.",
        )
        return

    def progress(percent: int) -> None:
        Paper.objects.filter(pk=paper_id, status=Paper.Status.PROCESSING).update(
            progress=percent, heartbeat_at=timezone.now()
        )

    try:
        extracted = extract_paper(
            Path(paper.file.path),
            max_pages=settings.SEEDAUDIT_MAX_PAGES,
            spacy_model=settings.SPACY_MODEL,
            on_progress=progress,
        )
        _save_extracted(paper_id, extracted)
    except PdfError as error:
        _fail(paper_id, str(error))
    except CONNECTION_ERRORS:
        raise  # the database went away: the paper stays unfinished and is queued again
    except Exception as error:
        # Whatever else went wrong (a bug, a value the database refused) concerns this paper
        # alone: it fails with the reason, and the batch goes on.
        logger.exception("Paper %s (%s) could not be processed", paper_id, paper.original_name)
        reason = clean_text(str(error).splitlines()[0] if str(error) else "")[:300]
        _fail(
            paper_id,
            f"This PDF could not be processed ({type(error).__name__}: {reason}). "
            "Reprocess it from its page; if it fails again, report it with the PDF attached.",
        )


def _save_extracted(paper_id: int, extracted: ExtractedPaper) -> None:
    sentences = [
        Sentence(
            paper_id=paper_id,
            index=index,
            paragraph=s.paragraph,
            page=s.page,
            page_end=s.page_end,
            section=clean_text(s.section)[:300],
            kind=s.kind,
            text=clean_text(s.text),
            is_seed=s.is_seed,
            terms=clean_json(s.terms),
            spans=s.spans,
            suggested_label=s.reading.suggested_label,
            suggested_confidence=s.reading.confidence,
            seed_score=s.reading.score,
            drivers=s.reading.drivers,
        )
        for index, s in enumerate(extracted.sentences)
    ]
    with transaction.atomic():
        paper = Paper.objects.select_for_update().get(pk=paper_id)
        try:
            _replace_sentences(paper, sentences)
        except RestrictedError:
            logger.warning(
                "Paper %s: its text changed since it was annotated; the old sentences are kept "
                "so that no label is lost.",
                paper_id,
            )
        found = extracted.metadata
        found_metadata = {
            "title": clean_text(found.title)[:1000],
            "authors": clean_json(found.authors),
            "year": found.year,
            "venue": clean_text(found.venue)[:500],
        }
        written = [name for name in found_metadata if name not in paper.user_set_fields]
        for name in written:
            setattr(paper, name, found_metadata[name])
        paper.pages = extracted.pages
        paper.suggested_primary = extracted.suggested_primary or ""
        paper.seed_share = extracted.seed_share
        paper.usual_seed_share = extracted.usual_seed_share
        paper.status = Paper.Status.DONE
        paper.error = ""
        paper.progress = 100
        paper.processed_at = timezone.now()
        paper.save(
            update_fields=[
                *written,
                "pages",
                "suggested_primary",
                "seed_share",
                "usual_seed_share",
                "status",
                "error",
                "progress",
                "processed_at",
            ]
        )
        entry = match_title(paper.title, bibliography(paper.corpus))
        if entry:
            _apply_entry(paper, entry)


_SENTENCE_FIELDS = [
    "index", "paragraph", "page", "page_end", "section", "kind", "is_seed", "terms", "spans",
    "suggested_label", "suggested_confidence", "seed_score", "drivers",
]  # fmt: skip


def _replace_sentences(paper: Paper, sentences: list[Sentence]) -> None:
    """Make the paper's sentences `sentences`, keeping the rows (and what refers to them, such
    as annotations) of sentences whose text is unchanged. Raises RestrictedError, changing
    nothing, when a sentence that would go away is still referred to."""
    pool: dict[str, list[Sentence]] = {}
    for old in paper.sentences.order_by("index"):
        pool.setdefault(old.text, []).append(old)
    kept, new = [], []
    for sentence in sentences:
        previous = pool.get(sentence.text)
        if previous:
            sentence.pk = previous.pop(0).pk
            kept.append(sentence)
        else:
            new.append(sentence)
    gone = [old.pk for rows in pool.values() for old in rows]
    with transaction.atomic():
        Sentence.objects.filter(pk__in=gone).delete()
        # Move the kept rows out of the way first: (paper, index) is unique at every step.
        paper.sentences.update(index=F("index") + _INDEX_OFFSET)
        Sentence.objects.bulk_update(kept, _SENTENCE_FIELDS, batch_size=1000)
        Sentence.objects.bulk_create(new, batch_size=2000)


_INDEX_OFFSET = 1_000_000


def _fail(paper_id: int, reason: str) -> None:
    Paper.objects.filter(pk=paper_id).update(
        status=Paper.Status.FAILED, error=reason, progress=100, processed_at=timezone.now()
    )


def reprocess(paper: Paper) -> None:
    """Queue a paper again, keeping what people set on it."""
    paper.status = Paper.Status.PENDING
    paper.progress = 0
    paper.error = ""
    paper.attempts = 0
    paper.save(update_fields=["status", "progress", "error", "attempts"])


def bibliography(corpus: Corpus) -> list[BibEntry]:
    return _parsed_bibtex(corpus.bibtex) if corpus.bibtex else []


# A corpus's BibTeX (an Anthology export can hold thousands of entries) is matched against every
# paper of a bulk upload: parse it once per text, not once per paper under the paper's lock.
@lru_cache(maxsize=4)
def _parsed_bibtex(text: str) -> list[BibEntry]:
    return parse_bibtex(text)


def add_bibliography(corpus: Corpus, bibtex: str) -> int:
    """Keep `bibtex` with the corpus and apply it to its papers; returns how many matched."""
    bibtex = clean_text(bibtex)
    entries = parse_bibtex(bibtex)
    if not entries:
        raise ValueError("No BibTeX entries with a title were found in this file.")
    with transaction.atomic():
        corpus.bibtex = f"{corpus.bibtex}\n{bibtex}".strip()
        corpus.save(update_fields=["bibtex"])
        matched = 0
        for paper in corpus.papers.select_for_update().filter(status=Paper.Status.DONE):
            entry = match_title(paper.title, entries)
            if entry:
                _apply_entry(paper, entry)
                matched += 1
    return matched


def _apply_entry(paper: Paper, entry: BibEntry) -> None:
    values = {
        "title": entry.title[:1000],
        "authors": entry.authors,
        "year": entry.year if entry.year and 1900 <= entry.year <= 2100 else None,
        "venue": entry.venue[:500],
        "anthology_id": entry.anthology_id[:100],
    }
    update_metadata(paper, {k: v for k, v in values.items() if v})


def update_metadata(paper: Paper, values: dict) -> None:
    """Set metadata a person (or their BibTeX) gave; reprocessing will not overwrite it."""
    for name, value in values.items():
        if name not in Paper.EDITABLE_METADATA:
            raise ValueError(f"{name} is not editable metadata")
        setattr(paper, name, value)
    paper.user_set_fields = sorted(set(paper.user_set_fields) | set(values))
    paper.save(update_fields=[*values, "user_set_fields"])


def delete_failed_paper(paper: Paper) -> None:
    """Forget a paper that could not be read, and its stored file unless another paper has it."""
    if paper.status != Paper.Status.FAILED:
        raise ValueError("Only a failed paper can be deleted: the others may carry labels.")
    name = paper.file.name
    paper.delete()
    if name and not Paper.objects.filter(file=name).exists():
        default_storage.delete(name)
