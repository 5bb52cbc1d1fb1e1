"""Reading the comparison page's CSV: three layouts, seed-only runs told apart from searches,
and every mistake reported with its line."""

from pathlib import Path

import numpy as np
import pytest

from audit.compare.scores_csv import CsvError, parse_scores, read_upload

EXAMPLES = Path(__file__).resolve().parent.parent / "audit" / "static" / "audit" / "examples"


def example(name):
    return (EXAMPLES / name).read_text()


def test_it_reads_runs_over_hyperparameters_as_a_search():
    scores = parse_scores(example("runs-search.csv"))

    assert (scores.unit, scores.names, scores.statistic) == (
        "run",
        ("bert-base", "roberta-base"),
        "mean",
    )
    assert (scores.a.size, scores.b.size) == (16, 16)
    assert scores.configuration == ("seed", "lr", "dropout")
    assert scores.varied == (("seed", "lr", "dropout"), ("seed", "lr", "dropout"))
    assert not scores.seed_only


def test_runs_that_change_only_the_seed_are_seed_only():
    scores = parse_scores(example("runs-seeds.csv"))

    assert scores.seed_only
    assert scores.notes == [
        "The runs of bert-base vary only the seed.",
        "The runs of roberta-base vary only the seed.",
    ]


def test_runs_whose_recorded_configuration_never_changes_count_as_seed_only():
    scores = parse_scores("system,score,lr\nA,0.80,1e-5\nA,0.82,1e-5\nB,0.79,3e-5\nB,0.78,3e-5\n")

    assert scores.seed_only
    assert "most likely the random seed" in scores.notes[0]


def test_runs_without_configuration_columns_say_that_nothing_tells_what_varied():
    scores = parse_scores("system,score\nA,0.80\nA,0.82\nB,0.79\nB,0.78\n")

    assert not scores.seed_only
    assert "cannot tell whether these runs vary only the random seed" in scores.notes[0]


def test_a_seed_only_system_against_a_search_is_called_unlike():
    text = "system,score,seed,lr\nA,0.80,1,1e-5\nA,0.82,2,1e-5\nB,0.79,1,1e-5\nB,0.81,2,3e-5\n"

    scores = parse_scores(text)

    assert not scores.seed_only
    assert scores.only_seed == (True, False)
    assert scores.notes[-1].startswith("A: one configuration run with several seeds, while B")
    assert "the verdict names no winner between them" in scores.notes[-1]


def test_runs_of_several_systems_with_dev_scores_and_data_sets_are_read():
    text = "system,score,dev,dataset,seed\n" + "".join(
        f"{system},0.8{k},0.9{k},{dataset},{k}\n"
        for system in ("A", "B", "C")
        for dataset in ("sst2", "mnli")
        for k in range(3)
    )

    scores = parse_scores(text)

    assert scores.names == ("A", "B", "C") and scores.many
    assert scores.configuration == ("seed",)
    assert scores.dev["B"].tolist() == [0.90, 0.91, 0.92] * 2
    assert list(scores.datasets) == ["sst2", "mnli"]
    assert scores.datasets["mnli"]["C"].tolist() == [0.80, 0.81, 0.82]
    assert "dev, dataset" in scores.layout


def test_both_per_example_layouts_pair_the_same_examples():
    wide = "example,A,B\ne1,0.5,0.4\ne2,0.9,0.7\ne3,0.1,0.3\n"
    # Long, with B's rows in another order: pairs follow the example ids, not the rows.
    long = "System;Example;Score\nA;e1;0.5\nA;e2;0.9\nA;e3;0.1\nB;e3;0.3\nB;e1;0.4\nB;e2;0.7\n"

    from_wide, from_long = parse_scores(wide), parse_scores(long)

    for scores in (from_wide, from_long):
        assert (scores.unit, scores.names, scores.statistic) == ("example", ("A", "B"), "mean")
        assert scores.a.tolist() == [0.5, 0.9, 0.1]
        assert scores.b.tolist() == [0.4, 0.7, 0.3]


def test_zero_one_scores_are_compared_by_accuracy():
    scores = parse_scores(example("examples-correct.csv"))

    assert scores.statistic == "accuracy"
    assert scores.names == ("baseline", "ours")
    assert scores.a.size == 400
    assert set(np.unique(scores.a)) <= {0.0, 1.0}


def test_tab_separated_scores_pasted_from_a_spreadsheet_are_read():
    scores = parse_scores("system\tscore\tseed\nA\t0.8\t1\nA\t0.81\t2\nB\t0.7\t1\nB\t0.72\t2\n")

    assert scores.a.tolist() == [0.8, 0.81]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "There are no scores"),
        ("\n  \n", "There are no scores"),
        ("name,value\nA,1\n", "Line 1: the header must be system,score"),
        ("system,score,\nA,1,\n", "Line 1: column 3 of the header has no name"),
        ("system,score,Score\nA,1,2\n", "Line 1: the header names column “Score” twice"),
        ("system,score\nA,0.8\nA,0.9,3\n", "Line 3: 3 values, but the header has 2 columns"),
        ("system,score\nA,0.8\n\nA,high\n", "Line 4: score “high” is not a number"),
        ("system,score\nA,0.8\nA,nan\n", "Line 3: score “nan” is not a finite number"),
        ("system,score\n,0.8\n", "Line 2: the system name is empty"),
        ("system,score\nA,0.8\nA,0.9\n", "The file has 1 system \\(A\\)"),
        ("system,example,score\nA,e,1\nB,e,1\nC,e,1\n", "3 systems \\(A, B, C\\)"),
        ("system,score\nA,1\nA,2\nB,1\nB,2\nC,1\n", "System C has one run"),
        ("system,score,dev\nA,1,0.9\nA,2,high\n", "Line 3: the dev score “high” is not a number"),
        (
            "system,score,dataset\nA,1,sst2\nA,2,sst2\nB,1,mnli\nB,2,mnli\n",
            "Data set sst2 has no runs of B",
        ),
        ("system,score\nA,0.8\nA,0.9\nB,0.7\n", "System B has one run"),
        ("example,A,B\ne1,1,0\ne2,0,1\ne1,1,1\n", "Line 4: example “e1” appears twice \\(first"),
        ("example,A,B\ne1,0.5,oops\n", "Line 2: the score of B “oops” is not a number"),
        ("example,A,B\ne1,0.5,0.4\n", "There is one example"),
        (
            "system,example,score\nA,e1,1\nA,e2,0\nB,e1,1\n",
            "Line 3: example “e2” has no score for B",
        ),
        ("system,example,score\nA,e1,1\nA,e1,0\n", "Line 3: example “e1” of A appears twice"),
        ('system,score\nA,"0.8\n', "Line 2: unexpected end of data"),
    ],
)
def test_a_mistake_is_reported_with_its_line(text, message):
    with pytest.raises(CsvError, match=message):
        parse_scores(text)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive \\(an .xlsx or .ods spreadsheet\\?\\)"),
        (b"%PDF-1.7\n", "This file is a PDF, not a CSV"),
        (b"system,score\x00\x01", "not text"),
        ("system,score\nZürich,0.8\n".encode("latin-1"), "Line 2: the file is not UTF-8"),
        (b"x" * (2 * 2**20 + 1), "larger than 2 MB"),
    ],
)
def test_an_upload_that_is_not_a_text_csv_is_refused(data, message):
    with pytest.raises(CsvError, match=message):
        read_upload(data)


def test_an_upload_saved_with_a_byte_order_mark_is_read():
    text = read_upload("\ufeffsystem,score\nA,1\n".encode())

    assert text.startswith("system,score")
