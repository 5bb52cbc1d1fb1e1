"""Cells of the CSV files seedaudit writes, made safe to open in a spreadsheet.

Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-` or `@` as a
formula (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`), and a leading tab or carriage return can hide
one. Such text gets a leading `'`, which spreadsheets read as "this is text" and hide. Numbers,
negative ones included, stay numbers: a cell that is exactly a number is no formula.

The quote is added to text that already starts with quotes before such a character too, so
`restore` gives back exactly what was written: a CSV exported and imported again is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: object) -> object:
    """`value` as a spreadsheet shows it but never runs it."""
    if isinstance(value, str) and FORMULA_START.match(value) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The text `neutralise` was given, from what it wrote."""
    return value[1:] if value.startswith("'") and FORMULA_START.match(value) else value


def safe_row(row: Iterable[object]) -> list[object]:
    return [neutralise(value) for value in row]


def safe_dict(row: Mapping[str, object]) -> dict[str, object]:
    return {key: neutralise(value) for key, value in row.items()}
