"""Reading the scores that people paste or upload on the comparison page.

Three layouts, told apart by their header row (column names are matched without regard to case):

- per-run scores, `system,score[,dev][,dataset][,seed,lr,...]`: one row per training run, of two
  or more systems. `dev` is the run's dev score (expected maximum then selects on it, as Dodge
  et al. do); `dataset` names the data set a run was scored on, and each data set is compared
  separately. Every other column is a configuration column: the seed (a column named `seed` or
  `random_seed`) and the hyperparameters. Runs of a system whose configuration columns, the
  seed aside, never change vary only the random seed, and the report says so (Bethard 2022).
- per-example scores, `example,<system A>,<system B>`: one row per test example, one column
  per system, both scored on the same examples.
- per-example scores, `system,example,score`: one row per system and example.

Per-example scores that are all 0 or 1 are correctness, compared by accuracy; others by their mean.
Commas, tabs or semicolons separate the values, whichever the header uses. Every error names
the line it is on.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

import numpy as np

# Django refuses larger form posts (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB), and the downloads post
# the scores back as text.
MAX_BYTES = 2 * 2**20
MAX_ROWS = 200_000
SEED_COLUMNS = ("seed", "random_seed")
DELIMITERS = (",", "\t", ";")
# What a file that is not text starts with, and what it is: people upload spreadsheets.
BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive (an .xlsx or .ods spreadsheet?)",
    b"\xd0\xcf\x11\xe0": "an old Office file (an .xls spreadsheet?)",
    b"%PDF": "a PDF",
    b"\x89PNG": "a PNG image",
    b"\x1f\x8b": "a gzip archive",
}


class CsvError(ValueError):
    """Scores that cannot be read; the message says why and, where it can, on which line."""


@dataclass(frozen=True, eq=False)
class Scores:
    """Systems' scores as read from a CSV, with what the file says about them."""

    unit: str  # "run" or "example"
    layout: str  # how the file was laid out, in words
    names: tuple[str, ...]
    # Each system's scores, in the order the file names them (over all data sets).
    samples: dict[str, np.ndarray]
    statistic: str  # "mean" or "accuracy"
    # Per-run scores: the configuration columns, and those that change within each system.
    configuration: tuple[str, ...] = ()
    varied: tuple[tuple[str, ...], ...] = ()
    # Whether each system's runs vary only the seed (all False when the file cannot tell).
    only_seed: tuple[bool, ...] = ()
    notes: list[str] = field(default_factory=list)
    # Each run's dev score, per system, when the file has a `dev` column.
    dev: dict[str, np.ndarray] | None = None
    # Per data set, each system's scores, when the file has a `dataset` column.
    datasets: dict[str, dict[str, np.ndarray]] | None = None

    @property
    def a(self) -> np.ndarray:
        return self.samples[self.names[0]]

    @property
    def b(self) -> np.ndarray:
        return self.samples[self.names[1]]

    @property
    def seed_only(self) -> bool:
        return bool(self.only_seed) and all(self.only_seed)

    @property
    def many(self) -> bool:
        """More than two systems, or several data sets: all pairs, a matrix and a ranking."""
        return len(self.names) > 2 or self.datasets is not None


def read_upload(data: bytes) -> str:
    """The text of an uploaded file, refused if it is too big or is not text."""
    if len(data) > MAX_BYTES:
        raise CsvError(f"The file is larger than {MAX_BYTES // 2**20} MB.")
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise CsvError(f"This file is {kind}, not a CSV: save or export it as CSV first.")
    if b"\x00" in data[:4096]:
        raise CsvError("This file is not text (it holds NUL bytes): upload a CSV file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CsvError(f"Line {line}: the file is not UTF-8 text; save it as UTF-8 CSV.") from None


def parse_scores(text: str) -> Scores:
    """The two systems' scores in `text`, in one of the three layouts above."""
    rows = _rows(text)
    if not rows:
        raise CsvError("There are no scores: paste or upload a CSV in one of the formats below.")
    header_line, header = rows[0]
    columns = _columns(header, header_line)
    body = rows[1:]
    if len(body) > MAX_ROWS:
        raise CsvError(f"There are more than {MAX_ROWS:,} rows; this page reads at most that many.")
    for line, values in body:
        if len(values) != len(columns):
            raise CsvError(
                f"Line {line}: {len(values)} values, but the header has {len(columns)} columns."
            )
    lowered = [column.lower() for column in columns]
    if "system" in lowered and "score" in lowered and "example" in lowered:
        return _examples_long(lowered, body)
    if "system" in lowered and "score" in lowered:
        return _runs(columns, lowered, body)
    if lowered[0] == "example" and len(columns) == 3:
        return _examples_wide(columns, body)
    raise CsvError(
        f"Line {header_line}: the header must be system,score[,seed,...] (per-run scores), "
        "example,<system A>,<system B> or system,example,score (per-example scores); found "
        + ",".join(columns)
        + "."
    )


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with the line each ends on, split by the header's delimiter."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    rows = []
    try:
        for values in reader:
            if any(value.strip() for value in values):
                rows.append((reader.line_num, [value.strip() for value in values]))
    except csv.Error as error:
        raise CsvError(f"Line {reader.line_num}: {error}.") from None
    return rows


def _columns(header: list[str], line: int) -> list[str]:
    seen: set[str] = set()
    for position, column in enumerate(header, start=1):
        if not column:
            raise CsvError(f"Line {line}: column {position} of the header has no name.")
        if column.lower() in seen:
            raise CsvError(f"Line {line}: the header names column “{column}” twice.")
        seen.add(column.lower())
    return header


def _number(text: str, line: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CsvError(f"Line {line}: {what} “{text}” is not a number.") from None
    if not math.isfinite(value):
        raise CsvError(f"Line {line}: {what} “{text}” is not a finite number.")
    return value


def _two_systems(names: list[str], what: str) -> tuple[str, str]:
    if len(names) != 2:
        listed = ", ".join(names)
        raise CsvError(
            f"The file has {len(names)} system{'s' * (len(names) != 1)} ({listed}); "
            f"a comparison of {what} needs exactly two: keep the {what} of two systems."
        )
    return names[0], names[1]


def _runs(columns: list[str], lowered: list[str], body: list[tuple[int, list[str]]]) -> Scores:
    system_at, score_at = lowered.index("system"), lowered.index("score")
    dev_at = lowered.index("dev") if "dev" in lowered else None
    dataset_at = lowered.index("dataset") if "dataset" in lowered else None
    special = (system_at, score_at, dev_at, dataset_at)
    configuration = [i for i in range(len(columns)) if i not in special]
    by_system: dict[str, list[tuple[float, float, str, tuple[str, ...]]]] = {}
    for line, values in body:
        name = values[system_at]
        if not name:
            raise CsvError(f"Line {line}: the system name is empty.")
        dataset = "" if dataset_at is None else values[dataset_at]
        if dataset_at is not None and not dataset:
            raise CsvError(f"Line {line}: the data set name is empty.")
        dev = math.nan if dev_at is None else _number(values[dev_at], line, "the dev score")
        setting = tuple(values[i] for i in configuration)
        score = _number(values[score_at], line, "score")
        by_system.setdefault(name, []).append((score, dev, dataset, setting))
    names = tuple(by_system)
    if len(names) < 2:
        listed = ", ".join(names)
        raise CsvError(
            f"The file has {len(names)} system ({listed}); a comparison needs at least two."
        )
    for name in names:
        if len(by_system[name]) < 2:
            raise CsvError(f"System {name} has one run; the comparison needs at least 2 each.")
    seed_name = next((columns[i] for i in configuration if lowered[i] in SEED_COLUMNS), None)
    varied = tuple(
        tuple(
            columns[i]
            for k, i in enumerate(configuration)
            if len({setting[k] for *_, setting in by_system[name]}) > 1
        )
        for name in names
    )
    only_seed = tuple(bool(configuration) and set(changed) <= {seed_name} for changed in varied)
    notes = _run_notes(names, varied, only_seed, bool(configuration), seed_name)
    samples = {name: np.array([run[0] for run in by_system[name]]) for name in names}
    extras = []
    if dev_at is not None:
        extras.append("dev")
    if dataset_at is not None:
        extras.append("dataset")
    return Scores(
        unit="run",
        layout="per-run scores (system, score"
        + "".join(f", {extra}" for extra in extras)
        + " and configuration columns)",
        names=names,
        samples=samples,
        statistic="mean",
        configuration=tuple(columns[i] for i in configuration),
        varied=varied,
        only_seed=only_seed,
        notes=notes,
        dev=None
        if dev_at is None
        else {name: np.array([run[1] for run in by_system[name]]) for name in names},
        datasets=None if dataset_at is None else _by_dataset(by_system),
    )


def _by_dataset(
    by_system: dict[str, list[tuple[float, float, str, tuple[str, ...]]]],
) -> dict[str, dict[str, np.ndarray]]:
    grouped: dict[str, dict[str, list[float]]] = {}
    for name, runs in by_system.items():
        for score, _, dataset, _ in runs:
            grouped.setdefault(dataset, {}).setdefault(name, []).append(score)
    for dataset, systems in grouped.items():
        missing = [name for name in by_system if name not in systems]
        if missing:
            raise CsvError(
                f"Data set {dataset} has no runs of {', '.join(missing)}; every system needs "
                "runs on every data set."
            )
    return {
        dataset: {name: np.array(systems[name]) for name in by_system}
        for dataset, systems in grouped.items()
    }


def _run_notes(
    names: tuple[str, ...],
    varied: tuple[tuple[str, ...], ...],
    only_seed: tuple[bool, ...],
    has_configuration: bool,
    seed_name: str | None,
) -> list[str]:
    """What the configuration columns say about how the runs differ, in words."""
    if not has_configuration:
        return [
            "The file has no configuration columns, so the report cannot tell whether these runs "
            "vary only the random seed or also the hyperparameters. Add them (seed, lr, ...) as "
            "columns."
        ]
    notes = []
    for name, changed, seed_only in zip(names, varied, only_seed, strict=True):
        if not changed:
            notes.append(
                f"No configuration column changes between the runs of {name}: they differ only in "
                "what the file does not record, most likely the random seed."
            )
        elif seed_only:
            notes.append(f"The runs of {name} vary only the {seed_name}.")
        else:
            notes.append(f"The runs of {name} vary {', '.join(changed)}.")
    if len(set(only_seed)) > 1:
        fixed = [name for name, seed_only in zip(names, only_seed, strict=True) if seed_only]
        family = [name for name, seed_only in zip(names, only_seed, strict=True) if not seed_only]
        notes.append(
            f"{', '.join(fixed)}: one configuration run with several seeds, while "
            f"{', '.join(family)}: a family of configurations. Those pairs are not like with "
            "like, and the verdict names no winner between them. Give every system runs over "
            "the same kind of search."
        )
    return notes


def _examples_wide(columns: list[str], body: list[tuple[int, list[str]]]) -> Scores:
    names = (columns[1], columns[2])
    seen: dict[str, int] = {}
    a, b = [], []
    for line, (example, first, second) in body:
        if example in seen:
            raise CsvError(
                f"Line {line}: example “{example}” appears twice (first on line {seen[example]})."
            )
        seen[example] = line
        a.append(_number(first, line, f"the score of {names[0]}"))
        b.append(_number(second, line, f"the score of {names[1]}"))
    return _examples(names, a, b, "per-example scores, one column per system")


def _examples_long(lowered: list[str], body: list[tuple[int, list[str]]]) -> Scores:
    system_at, example_at, score_at = (lowered.index(c) for c in ("system", "example", "score"))
    by_system: dict[str, dict[str, tuple[float, int]]] = {}
    for line, values in body:
        name, example = values[system_at], values[example_at]
        if not name:
            raise CsvError(f"Line {line}: the system name is empty.")
        scored = by_system.setdefault(name, {})
        if example in scored:
            raise CsvError(
                f"Line {line}: example “{example}” of {name} appears twice "
                f"(first on line {scored[example][1]})."
            )
        scored[example] = (_number(values[score_at], line, "score"), line)
    names = _two_systems(list(by_system), "examples")
    first, second = (by_system[name] for name in names)
    for scored, other, missing_in in ((first, second, names[1]), (second, first, names[0])):
        for example, (_, line) in scored.items():
            if example not in other:
                raise CsvError(
                    f"Line {line}: example “{example}” has no score for {missing_in}; both "
                    "systems must be scored on the same examples."
                )
    a = [score for score, _ in first.values()]
    b = [second[example][0] for example in first]
    return _examples(names, a, b, "per-example scores, one row per system and example")


def _examples(names: tuple[str, str], a: list[float], b: list[float], layout: str) -> Scores:
    if len(a) < 2:
        raise CsvError("There is one example; the comparison needs at least 2.")
    first, second = np.array(a), np.array(b)
    correctness = np.isin(first, (0.0, 1.0)).all() and np.isin(second, (0.0, 1.0)).all()
    return Scores(
        unit="example",
        layout=layout,
        names=names,
        samples={names[0]: first, names[1]: second},
        statistic="accuracy" if correctness else "mean",
    )
