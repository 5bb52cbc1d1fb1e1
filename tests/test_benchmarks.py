"""`manage.py benchmark NAME --json`: one JSON object with the figures its issue names, small runs.

The speeds themselves are not asserted (the machines are shared and noisy); what is asserted is
that every figure is there, that both sides of each comparison computed the same answer, and
that the annotation load lost and doubled no label.
"""

from __future__ import annotations

import io
import json
import os

import psycopg
import pytest
from django.core.management import call_command

from tests.conftest import REDIS_TEST_URL, _broker_available

POSTGRES = os.environ.get("BENCHMARK_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def benchmark(*args: str) -> dict:
    out = io.StringIO()
    call_command("benchmark", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_stats_benchmark_compares_with_scipy_three_ways_and_with_deepsig():
    result = benchmark(
        "stats", "--sizes", "2000", "--resamples", "2000", "--paired-size", "1000",
        "--aso-sizes", "20", "--aso-bootstrap", "100",
    )  # fmt: skip

    assert [row["method"] for row in result["bootstrap"]] == ["percentile", "bca"]
    for row in result["bootstrap"]:
        assert row["agree"], row
        # Small enough for scipy's all-at-once default to run: all three scipy timings exist.
        for key in ("scipy_default_s", "scipy_s", "scipy_legacy_s"):
            assert row[key] > 0
        assert row["speedup_default"] == pytest.approx(row["scipy_default_s"] / row["ours_s"])
    assert all(row["agree"] for row in result["paired"] + result["aso"])
    assert {row["kind"] for row in result["paired"]} == {"scores", "correctness"}


def test_stats_benchmark_skips_scipy_defaults_that_would_not_fit_in_memory(monkeypatch):
    from audit.benchmarks import stats

    monkeypatch.setattr(stats, "_available_memory", lambda: 400 * 2**20)
    result = benchmark(
        "stats", "--sizes", "2000,10000", "--methods", "percentile", "--resamples", "2000",
        "--paired-size", "100", "--aso-sizes", "10", "--aso-bootstrap", "20",
    )  # fmt: skip

    # Without a batch scipy holds 16 bytes per resampled item: 61 MiB, then 305 MiB, more than
    # half of the 400 MiB free.
    fits, too_big = result["bootstrap"]
    assert fits["scipy_default_s"] > 0
    assert too_big["scipy_default_s"] is None and too_big["speedup_default"] is None
    assert too_big["scipy_default_gib"] == 0.3
    assert too_big["scipy_s"] > 0 and too_big["agree"]


def test_ingest_benchmark_times_both_readers_on_the_same_pages(corpus_dir, tmp_path):
    pdf = sorted(corpus_dir.glob("*.pdf"))[0]
    (tmp_path / pdf.name).symlink_to(pdf)

    result = benchmark("ingest", str(tmp_path), "--rounds", "1")

    assert result["files"] == 1 and result["pages"] > 0
    assert result["ratio"] == pytest.approx(
        result["pipeline_pages_per_s"] / result["raw_pages_per_s"], rel=0.02
    )


def test_lab_benchmark_times_sequential_and_batched_training():
    result = benchmark(
        "lab", "--device", "cpu", "--k", "1", "4", "--epochs", "1", "--sequential-runs", "2",
        "--repeats", "1",
    )  # fmt: skip

    assert result["device"] == "cpu" and result["setup"] == "digits-mlp"
    assert [row["k"] for row in result["rows"]] == [1, 4]
    assert [row["sequential_runs_timed"] for row in result["rows"]] == [1, 2]
    for row in result["rows"]:
        assert row["speedup"] == pytest.approx(
            row["together_runs_per_second"] / row["sequential_runs_per_second"]
        )


@pytest.mark.django_db(transaction=True)
def test_claim_benchmark_times_a_whole_claim_through_a_worker_and_leaves_nothing_behind():
    from audit.lab.models import Claim
    from audit.models import Corpus

    result = benchmark("claim", "--n", "2", "--setups", "digits-mlp", "--concurrency", "1")

    assert result["setups"] == ["digits-mlp"] and result["n"] == 2
    assert result["runs"] == 8  # per setup: 2 reruns in each mode, 2 seed-only, 2 searched
    assert result["seconds"] > 0
    assert not Corpus.objects.exists() and not Claim.objects.exists()


def test_annotate_benchmark_stores_every_label_once_under_concurrent_load():
    try:
        psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES}")

    # Sessions in the shared cache, as deployed, where Redis runs; in the database otherwise.
    cache = REDIS_TEST_URL if _broker_available(REDIS_TEST_URL) else ""
    result = benchmark(
        "annotate", "--sentences", "300", "--annotators", "4", "--requests", "120",
        "--think-ms", "5", "--postgres", POSTGRES, "--cache", cache,
    )  # fmt: skip

    assert result["labels_expected"] > 0
    assert result["labels_stored"] == result["labels_expected"]
    for call in ("fetch_next", "submit"):
        figures = result[call]
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
    assert result["requests_per_s"] > 0


def test_calibration_benchmark_reports_the_verdict_the_intervals_and_power():
    result = benchmark(
        "calibration", "--datasets", "40", "--interval-datasets", "40", "--resamples", "200",
        "--aso-bootstrap", "100",
    )  # fmt: skip

    assert list(result["false_winner"]) == ["2", "3", "5", "10", "20"]
    # Two and three runs each are refused, never a winner.
    assert result["false_winner"]["2"] == result["false_winner"]["3"] == 0
    assert set(result["coverage"]) >= {"student_t", "welch", "paired_bootstrap_bca"}
    assert list(result["coverage"]["student_t"]) == ["2", "3", "5", "10", "20"]
    assert list(result["false_winner_claim"]) == ["2", "3", "5", "10", "20"]
    assert result["false_winner_claim"]["2"] == result["false_winner_claim"]["3"] == 0
    assert result["power"]["effect_sd"] == 1.0 and list(result["power"]["runs"]) == [
        "5",
        "10",
        "20",
    ]
    assert result["power"]["test"] == "one-sided claim"
    assert result["power_undirected"]["test"] == "two-sided"
    assert list(result["power_undirected"]["runs"]) == ["5", "10", "20"]
    figures = [*result["false_winner"].values(), *result["power"]["runs"].values()]
    figures += result["false_winner_claim"].values()
    figures += result["power_undirected"]["runs"].values()
    figures += [value for method in result["coverage"].values() for value in method.values()]
    assert all(0 <= value <= 1 for value in figures)
