"""A claim's report: the four distributions of each setup, where the claimed score falls in
them, and for two setups the sound comparison next to the risky seed-only one.

`build_report` returns plain JSON-ready data, kept with the claim; the page, the PDF and the
JSON download all show that one object.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import percentileofscore

from audit.lab import analysis
from audit.lab.models import Claim, Experiment
from audit.stats import compare_systems
from audit.stats.classical import mean_interval
from audit.stats.verdict import BETTER, PairVerdict, example_pair, judge

Kind = Experiment.Kind

TITLES = {
    Kind.FIXED_SEED: "The claimed seed, rerun",
    Kind.SEED_ONLY: "Only the seed varied",
    Kind.HYPERPARAMETER_SEARCH: "All hyperparameters varied",
    Kind.BOOTSTRAP_BEST: "Best model, test set resampled",
}
RISKY_KINDS = (Kind.FIXED_SEED, Kind.SEED_ONLY)
# The kinds whose runs a claim trains (its bootstrap_best resamples the search's best run), in
# the order the report shows them, the bootstrap last: from the riskiest reading of a result to
# the soundest.
TRAINED_KINDS = (Kind.FIXED_SEED, Kind.SEED_ONLY, Kind.HYPERPARAMETER_SEARCH)
# The same runs always give the same report.
REPORT_SEED = 7


def bootstrap_scope(retrained: int) -> str:
    """What the best model's bootstrap interval holds, for a bootstrap_best that retrained its
    configuration with `retrained` seeds (0: not at all)."""
    if not retrained:
        return (
            "That interval holds the test set's sampling only: the model was trained once, so "
            "the spread over training seeds and the luck of picking the best configuration on "
            "dev are not in it."
        )
    return (
        f"That interval holds the test set's sampling and the spread over {retrained} training "
        "seeds of the selected configuration (each bootstrap sample scores one of the "
        f"{retrained} retrained models); the luck of picking that configuration on dev and the "
        "data split are not in it."
    )


class ReportError(ValueError):
    """The claim's runs cannot make the report asked for; the message says why."""


def build_report(claim: Claim) -> dict[str, Any]:
    experiments = {
        (experiment.setup, experiment.kind): experiment
        for experiment in claim.experiments.prefetch_related("runs")
    }
    setups = [_setup_report(claim, name, experiments) for name in claim.setups]
    comparison = _comparison(claim, experiments) if claim.other_setup else None
    verdict = comparison["verdict"] if comparison else setups[0]["verdict"]
    return {
        "claim": {
            "id": claim.pk,
            "paper": claim.paper_id,
            "sentence": claim.sentence.text,
            "label": claim.label,
            "claimed_score": claim.claimed_score,
            "seeds": claim.seeds,
            "setups": claim.setups,
            "runs": claim.runs,
        },
        "setups": setups,
        "comparison": comparison,
        "verdict": verdict,
    }


def _runs(experiments: dict, name: str, kind: str) -> list:
    """The runs an experiment trained (a claim's bootstrap_best trains none of its own)."""
    return list(experiments[(name, kind)].runs.all())


def _setup_report(claim: Claim, name: str, experiments: dict) -> dict[str, Any]:
    claimed = claim.claimed_score
    fixed = experiments[(name, Kind.FIXED_SEED)].summary
    search = experiments[(name, Kind.HYPERPARAMETER_SEARCH)].summary
    seed_only = experiments[(name, Kind.SEED_ONLY)].summary
    best = experiments[(name, Kind.BOOTSTRAP_BEST)].summary
    distributions = [
        _distribution(kind, analysis.run_scores(_runs(experiments, name, kind)), claimed)
        for kind in TRAINED_KINDS
    ]
    resampled = {"low": best["low"], "high": best["high"], "of": "score", "method": "percentile"}
    distributions.append(
        _distribution(Kind.BOOTSTRAP_BEST, np.asarray(best["scores"]), claimed, resampled)
    )
    devices = sorted(
        {run.device for kind in TRAINED_KINDS for run in _runs(experiments, name, kind)}
    )
    report = {
        "setup": name,
        "devices": devices,
        "distributions": distributions,
        "fixed_seed": fixed,
        "best": best["best"]
        | {"low": best["low"], "high": best["high"], "retrained": len(best.get("retrained", []))},
        "expected_max_dev": {
            Kind.SEED_ONLY.value: seed_only["expected_max_dev"],
            Kind.HYPERPARAMETER_SEARCH.value: search["expected_max_dev"],
        },
    }
    report["findings"] = _findings(claimed, report)
    report["verdict"] = _one_line(name, claimed, report)
    return report


def _distribution(
    kind: str, scores: np.ndarray, claimed: float, interval: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A distribution of test scores; its interval is the Student t interval of the mean over
    runs unless given."""
    if interval is None:
        ci = mean_interval(scores, analysis.CONFIDENCE)
        interval = {"low": ci.low, "high": ci.high, "of": "mean", "method": ci.method}
    return {
        "kind": kind,
        "title": TITLES[kind],
        "risky": kind in RISKY_KINDS,
        "n": int(scores.size),
        "scores": scores.tolist(),
        "mean": float(scores.mean()),
        "std": float(scores.std(ddof=1)),
        "lowest": float(scores.min()),
        "highest": float(scores.max()),
        "ci": interval | {"confidence": analysis.CONFIDENCE},
        # Share of the distribution below the claimed score, ties counted half.
        "claim_percentile": float(percentileofscore(scores, claimed, kind="mean")),
    }


def _position(claimed: float, low: float, high: float) -> str:
    if claimed > high:
        return "above"
    if claimed < low:
        return "below"
    return "within"


def _findings(claimed: float, report: dict[str, Any]) -> list[str]:
    """The setup's results in plain words, one sentence each."""
    by_kind = {d["kind"]: d for d in report["distributions"]}
    best = report["best"]
    findings = []
    for mode in report["fixed_seed"]["modes"]:
        switch = "with" if mode["deterministic"] else "without"
        outcome = (
            "the same model every time, bit for bit"
            if mode["bit_identical"]
            else f"{mode['distinct_models']} different models"
        )
        findings.append(
            f"Seed {report['fixed_seed']['seed']} rerun {mode['runs']} times {switch} "
            f"deterministic algorithms on {', '.join(mode['devices'])} gave {outcome} "
            f"(test scores {mode['lowest']:.4f} to {mode['highest']:.4f})."
        )
    seed_only = by_kind[Kind.SEED_ONLY]
    search = by_kind[Kind.HYPERPARAMETER_SEARCH]
    findings.append(
        f"The claimed {claimed:.4f} is above {seed_only['claim_percentile']:.0f}% of "
        f"{seed_only['n']} runs that vary only the seed, and above "
        f"{search['claim_percentile']:.0f}% of {search['n']} runs that vary all hyperparameters "
        "(all on the setup's one train/dev/test split)."
    )
    position = _position(claimed, best["low"], best["high"])
    meaning = {
        "above": "the stand-in setup's best model does not reach the claim on this test set",
        "within": "the claim is within what the stand-in's one dev-selected model scores",
        "below": "the stand-in's dev-selected model, every hyperparameter tuned, beats the claim",
    }[position]
    findings.append(
        f"The best of {search['n']} configurations on dev scores {best['dev']:.4f} on dev and "
        f"{best['test']:.4f} on test; on {by_kind[Kind.BOOTSTRAP_BEST]['n']} bootstrap samples "
        f"of the test set 95% of its scores lie in [{best['low']:.4f}, {best['high']:.4f}]. "
        f"The claim is {position} that interval: {meaning}. "
        f"{bootstrap_scope(best.get('retrained', 0))}"
    )
    return findings


def _one_line(name: str, claimed: float, report: dict[str, Any]) -> str:
    best = report["best"]
    position = _position(claimed, best["low"], best["high"])
    free = next(m for m in report["fixed_seed"]["modes"] if not m["deterministic"])
    reruns = (
        "reran bit for bit"
        if free["bit_identical"]
        else f"gave {free['distinct_models']} different models in {free['runs']} reruns"
    )
    return (
        f"On the stand-in setup {name}: the claimed {claimed:.4f} is {position} the 95% "
        f"test-set bootstrap interval [{best['low']:.4f}, {best['high']:.4f}] of its best "
        f"model on dev ({_trained(best.get('retrained', 0))}); "
        f"seed {report['fixed_seed']['seed']} {reruns} "
        f"without deterministic algorithms on {', '.join(free['devices'])}."
    )


def _trained(retrained: int) -> str:
    return f"retrained with {retrained} seeds" if retrained else "trained once"


def _comparison(claim: Claim, experiments: dict) -> dict[str, Any]:
    first, second = claim.setups
    names = (first, second)
    best_runs = []
    for name in names:
        index = experiments[(name, Kind.BOOTSTRAP_BEST)].summary["best"]["index"]
        runs = _runs(experiments, name, Kind.HYPERPARAMETER_SEARCH)
        best_runs.append(next(run for run in runs if run.index == index))
    if best_runs[0].test_gold != best_runs[1].test_gold:
        raise ReportError(
            f"{first} and {second} are tested on different examples, so their best models "
            "cannot be compared example by example."
        )
    # The paper's claim: its model (the first setup stands in for it) beats the baseline (the
    # second), stated before any run, so each comparison tests it one-sided.
    options = {"names": names, "seed": REPORT_SEED, "claimed_better": first}
    best_models = compare_systems(
        *(analysis.correctness(run) for run in best_runs),
        unit="example",
        statistic="accuracy",
        **options,
    )
    families = compare_systems(
        *(analysis.run_scores(_runs(experiments, n, Kind.HYPERPARAMETER_SEARCH)) for n in names),
        unit="run",
        **options,
    )
    seed_only = compare_systems(
        *(analysis.run_scores(_runs(experiments, n, Kind.SEED_ONLY)) for n in names),
        unit="run",
        seed_only=True,
        **options,
    )
    # One report, three tests: Holm over them.
    best, family, risky = judge(
        [
            example_pair(
                *names,
                best_models.paired_bootstrap,
                best_models.permutation,
                best_models.claim_permutation,
            ),
            families.tests,
            seed_only.tests,
        ]
    )
    return {
        "sound": {"best_models": best_models.to_dict(), "families": families.to_dict()},
        "risky": {"seed_only": seed_only.to_dict()},
        "judged": {
            "best_models": best.to_dict(),
            "families": family.to_dict(),
            "seed_only": risky.to_dict(),
        },
        "verdict": _comparison_verdict(names, best, family, risky),
    }


def _comparison_verdict(
    names: tuple[str, str], best: PairVerdict, family: PairVerdict, risky: PairVerdict
) -> str:
    def said(verdict: PairVerdict) -> str | None:
        return verdict.winner if verdict.outcome == BETTER else None

    agreement = (
        "agrees with"
        if said(risky) == said(family)
        else "contradicts"
        if said(risky) and said(family)
        else "does not match"
    )
    return (
        f"{names[0]} vs {names[1]}, on the stand-in setups, testing the paper's claim that its "
        f"model ({names[0]}) beats the baseline ({names[1]}): the best models on the same test "
        f"examples: {best.text}. Over all hyperparameters: {family.text}. The risky "
        f"seed-only comparison: {risky.text}; it {agreement} the comparison over all "
        "hyperparameters."
    )
