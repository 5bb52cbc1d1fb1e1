"""The corpus spreadsheet: a row per paper and a row per labelled sentence.

`manage.py export spreadsheet --corpus NAME --format csv|xlsx --out PATH [--project NAME]
[--basis primary|final|suggested]`. XLSX: sheets Papers, Sentences and About; CSV: the papers
in PATH and the sentences beside it, in PATH's name with "-sentences".
"""

from __future__ import annotations

import argparse
from pathlib import Path

from audit.reports import spreadsheet
from audit.reports.basis import Basis
from audit.reports.options import add_counting_arguments, corpus_named, selection_from
from audit.reports.uses import selected_uses

FORMATS = ("csv", "xlsx")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", required=True, help="corpus name")
    parser.add_argument("--format", choices=FORMATS, required=True)
    parser.add_argument("--out", type=Path, required=True, help="file to write")
    add_counting_arguments(parser, Basis.PRIMARY)


def run(options: dict) -> str:
    selection = selection_from(options, corpus_named(options["corpus"]))
    uses = selected_uses(selection)
    out: Path = options["out"]
    sentences = spreadsheet.sentence_rows(uses, selection)
    if options["format"] == "xlsx":
        out.write_bytes(spreadsheet.to_xlsx(uses, selection))
        where = str(out)
    else:
        beside = out.with_name(f"{out.stem}-sentences{out.suffix or '.csv'}")
        papers = spreadsheet.paper_rows(uses, selection)
        out.write_text(spreadsheet.to_csv(papers, spreadsheet.PAPER_COLUMNS), encoding="utf-8")
        beside.write_text(
            spreadsheet.to_csv(sentences, spreadsheet.SENTENCE_COLUMNS), encoding="utf-8"
        )
        where = f"{out} and {beside}"
    return (
        f"Wrote {len(uses)} papers and {len(sentences)} labelled sentences to {where} "
        f"({selection.counting})."
    )
