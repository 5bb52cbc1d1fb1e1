"""How many seed sentences does the highlighter miss? Probes, their draw, and the estimate.

A project mixes into the queues sentences the highlighter did not flag ("probes"). Each unflagged
sentence is drawn on its own (Poisson sampling) with probability min(1, rate * weight), its weight
1 + 100 × the seed-use model's score: the few seed sentences the highlighter misses are far
likelier among those the model nearly flagged. The draw of a sentence is a hash of the project's
seed and the sentence, so syncing a project again draws nothing twice. A probe that annotators
label as a seed use (anything but "not a seed use") is a miss; weighting each by 1 / its
inclusion probability (Horvitz-Thompson) undoes the oversampling of high scores.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

from annotator.labels import ItemLabels
from audit.taxonomy import Label

# Words that often come with re-runs over random seeds: where a pattern for a miss starts.
WEAK_CUES = re.compile(
    r"\b(runs?|re-?runs?|initiali[sz]ations?|initiali[sz]ed|averaged over|average of|"
    r"averaged across|variance|standard deviations?|std|trials|restarts?|repeated|repetitions|"
    r"stochastic\w*|shuffl\w+|reproducib\w+|deterministic)\b",
    re.IGNORECASE,
)
# How much likelier a sentence the model scores 1 is to be drawn than one it scores 0.
SCORE_WEIGHT = 100.0
Z_95 = 1.959963984540054
# A candidate pattern is the cue and at most this many words after it.
PATTERN_TAIL_WORDS = 2


def weight(seed_score: float) -> float:
    return 1.0 + SCORE_WEIGHT * seed_score


def probe_rate(share: float, flagged: int, total_weight: float) -> float | None:
    """The rate that makes probes about `share` of a queue of `flagged` highlighted sentences."""
    if share <= 0 or flagged == 0 or total_weight == 0:
        return None
    wanted = share / (1 - share) * flagged
    return wanted / total_weight


def inclusion_probability(rate: float, sentence_weight: float) -> float:
    return min(1.0, rate * sentence_weight)


def is_drawn(project_seed: int, sentence_id: int, probability: float) -> bool:
    """A fixed coin per (project, sentence): the same answer however often it is asked."""
    digest = hashlib.sha256(f"{project_seed}:{sentence_id}".encode()).digest()
    uniform = int.from_bytes(digest[:7], "big") / 2**56
    return uniform < probability


@dataclass(frozen=True)
class Probe:
    inclusion_probability: float
    decided: bool  # its final label is known
    missed: bool  # its final label is a seed use


@dataclass(frozen=True)
class RecallEstimate:
    recall: float | None
    low: float | None
    high: float | None
    flagged_seed_uses: float  # highlighted sentences labelled a seed use (scaled to all of them)
    estimated_missed: float
    probes: int
    probes_decided: int
    misses: int


def estimate_recall(
    flagged_total: int, flagged_decided: int, flagged_seed_uses: int, probes: list[Probe]
) -> RecallEstimate:
    """Recall = seed uses flagged / (flagged + missed), with a 95% interval.

    Flagged sentences are a census: every one is labelled, so their count is taken as known
    (scaled up while some are still undecided). The missed count is estimated from the probes:
    the weighted share of decided probes that are misses, times the estimated number of
    unflagged sentences (the sum of all probes' weights). Its interval is Wilson's, on the
    effective sample size of the weighted probes (Kish), which stays sensible when no probe is a
    miss yet; recall's interval follows, as recall falls when misses rise.
    """
    flagged = flagged_seed_uses * flagged_total / flagged_decided if flagged_decided else 0.0
    weights = [1 / p.inclusion_probability for p in probes]
    decided = [(w, p.missed) for w, p in zip(weights, probes, strict=True) if p.decided]
    misses = sum(1 for _, missed in decided if missed)
    base = RecallEstimate(None, None, None, flagged, 0.0, len(probes), len(decided), misses)
    if not decided or flagged == 0:
        return base
    decided_weight = sum(w for w, _ in decided)
    miss_share = sum(w for w, missed in decided if missed) / decided_weight
    effective_n = decided_weight**2 / sum(w * w for w, _ in decided)
    low_share, high_share = _wilson(miss_share, effective_n)
    unflagged = sum(weights)
    missed = unflagged * miss_share
    return RecallEstimate(
        recall=flagged / (flagged + missed),
        low=flagged / (flagged + unflagged * high_share),
        high=flagged / (flagged + unflagged * low_share),
        flagged_seed_uses=flagged,
        estimated_missed=missed,
        probes=len(probes),
        probes_decided=len(decided),
        misses=misses,
    )


def _wilson(share: float, n: float, z: float = Z_95) -> tuple[float, float]:
    scale = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / scale
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / scale
    # At a share of exactly 0 (or 1) the bound is exactly 0 (or 1), not a rounding error away.
    low = 0.0 if share == 0 else max(0.0, centre - half)
    high = 1.0 if share == 1 else min(1.0, centre + half)
    return low, high


def candidate_pattern(text: str) -> str | None:
    """A [[pattern]] for audit/seed_patterns.toml from a missed sentence's weak cue, to review."""
    cue = WEAK_CUES.search(text)
    if not cue:
        return None
    words = cue.group(0).split()
    for word in re.findall(r"\d+(?:\.\d+)?|\w+(?:-\w+)*|[^\w\s]", text[cue.end() :])[
        :PATTERN_TAIL_WORDS
    ]:
        if not re.match(r"\w", word):
            break
        words.append(word)
    tokens = ", ".join(
        "{ LIKE_NUM = true }"
        if re.fullmatch(r"[\d.]+", word)
        else f'{{ LOWER = "{word.lower()}" }}'
        for word in words
    )
    return (
        f'[[pattern]]\nname = "candidate: {" ".join(words).lower()}"\nkind = "implicit"\n'
        f"tokens = [{tokens}]"
    )


@dataclass(frozen=True)
class Miss:
    entry: ItemLabels
    pattern: str | None


def project_recall(entries: list[ItemLabels]) -> tuple[RecallEstimate, list[Miss]]:
    """The highlighter's recall in a project (from its items with their labels), and its misses."""
    flagged = [entry for entry in entries if not entry.item.is_probe]
    probes = [entry for entry in entries if entry.item.is_probe]
    estimate = estimate_recall(
        flagged_total=len(flagged),
        flagged_decided=sum(1 for entry in flagged if entry.final),
        flagged_seed_uses=sum(1 for entry in flagged if _seed_use(entry.final)),
        probes=[
            Probe(entry.item.inclusion_probability, bool(entry.final), _seed_use(entry.final))
            for entry in probes
        ],
    )
    misses = [
        Miss(entry, candidate_pattern(entry.item.sentence.text))
        for entry in probes
        if _seed_use(entry.final)
    ]
    return estimate, misses


def _seed_use(label: str) -> bool:
    return bool(label) and label != Label.NOT_SEED_USE
