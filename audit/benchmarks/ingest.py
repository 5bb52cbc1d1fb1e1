"""Ingestion speed: raw pdfplumber text extraction vs seedaudit's whole pipeline, same files.

The pipeline (PDFium words, layout analysis, paragraphs, spaCy sentences, seed matching) must
be at least as fast as pdfplumber's `page.extract_text()` alone.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("dir", type=Path, help="folder of PDFs")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds; the median counts")


def run(options: dict) -> dict:
    import pdfplumber

    from audit.ingest.pipeline import extract_paper

    files = sorted(p for p in Path(options["dir"]).rglob("*") if p.suffix.lower() == ".pdf")
    if not files:
        raise SystemExit(f"No PDF files in {options['dir']}")
    # Load spaCy and the seed patterns once, as a long-running worker has them.
    extract_paper(files[0], max_pages=10_000)

    def raw() -> int:
        pages = 0
        for path in files:
            with pdfplumber.open(path) as pdf:
                for page in pdf.pages:
                    page.extract_text()
                    pages += 1
        return pages

    def pipeline() -> int:
        return sum(extract_paper(path, max_pages=10_000).pages for path in files)

    raw_times, pipeline_times = [], []
    pages = 0
    for _ in range(max(1, options["rounds"])):
        for measure, times in ((raw, raw_times), (pipeline, pipeline_times)):
            start = time.perf_counter()
            pages = measure()
            times.append(time.perf_counter() - start)
    raw_rate = pages / statistics.median(raw_times)
    pipeline_rate = pages / statistics.median(pipeline_times)
    return {
        "files": len(files),
        "pages": pages,
        "rounds": len(raw_times),
        "raw_pages_per_s": round(raw_rate, 2),
        "pipeline_pages_per_s": round(pipeline_rate, 2),
        "ratio": round(pipeline_rate / raw_rate, 2),
    }


def render(result: dict) -> str:
    return (
        f"{result['files']} files, {result['pages']} pages, median of {result['rounds']} rounds\n"
        f"  raw pdfplumber extract_text(): {result['raw_pages_per_s']:8.1f} pages/s\n"
        f"  seedaudit pipeline:            {result['pipeline_pages_per_s']:8.1f} pages/s\n"
        f"  ratio (pipeline / raw):        {result['ratio']:8.2f}x"
    )
