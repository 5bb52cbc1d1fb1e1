"""What the seed-use model sees of a sentence: its words and word pairs, and generic cues of
re-runs (counted runs, statistics over runs, random initialisation), its kind, its section, the
seed patterns' verdict and the same cues in the sentences around it.

Every feature is a string; the model keeps a weight per string it saw in training.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

_NUMBER = (
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|fifty|hundred|a hundred|dozens? of|multiple|several|many|k|n)"
)
_RUNS = (
    r"(?:runs?|re-?runs|trials?|restarts?|initiali[sz]ations?|repetitions?|replicates?|seeds?|"
    r"trainings?|experiments?|models?|instances|networks?|times)"
)
# Nouns that count runs by themselves; "models" or "networks" count re-runs only when qualified
# ("five independently trained models"): "the four models" of a results table are four systems.
_RERUNS = (
    r"(?:runs?|re-?runs|trials?|restarts?|initiali[sz]ations?|repetitions?|replicates?|seeds?|"
    r"executions?|times)"
)
_SYSTEMS = r"(?:trainings?|experiments?|models?|instances|networks?)"
_QUALIFIER = (
    r"(?:(?:different|distinct|random|randomly|independent|independently|separate|separately|"
    r"repeated|identical|individual|training|trained|initiali[sz]ed|fine-?tuning|fine-?tuned|"
    r"model|weight)\s+)"
)

# Cues that carry over between papers: what re-running a network with another random start looks
# like in any wording. Each becomes one feature when it is found in the sentence.
CUES: dict[str, re.Pattern[str]] = {
    name: re.compile(regex)
    for name, regex in {
        "seed_word": r"(?<![a-z])(?:re-?)?seed(?:s|ed|ing)?(?![a-z])",
        "seed_call": r"manual_seed|set_seed|seed_everything|random_state|prngkey|np\.random",
        "seed_value": r"seeds?\s*(?:of|=|to|is|was|as|:)?\s*\d+",
        "seed_other_sense": r"seed(?:ed)?\s+(?:words?|lexicon|set|instances?|examples?|entit|"
        r"pairs?|terms?|data|nodes?|users?|questions?|tasks?|texts?|sentences?|documents?|"
        r"patterns?|tuples?|k-?means|keywords?|concepts?|phrases?|dictionar)",
        "counted_runs": rf"(?<![a-z]){_NUMBER}\s+(?:{_QUALIFIER}*{_RERUNS}|{_QUALIFIER}+{_SYSTEMS})"
        r"(?![a-z])",
        "counted_systems": rf"(?<![a-z]){_NUMBER}\s+{_SYSTEMS}(?![a-z])",
        "n_times": rf"(?<![a-z]){_NUMBER}\s+times(?![a-z])",
        "statistic_over_runs": r"(?:averag\w*|mean|medians?|std|standard deviations?|variances?)"
        rf"\s+(?:\w+\s+){{0,4}}(?:over|across|of|from|among)\s+(?:the\s+)?(?:{_NUMBER}\s+)?"
        rf"{_QUALIFIER}*{_RUNS}",
        "over_runs": r"(?:over|across|among|between|from)\s+(?:the\s+)?"
        rf"(?:{_NUMBER}\s+)?{_QUALIFIER}+{_RUNS}",
        "random_init": r"random(?:ly)?\s+(?:\w+\s+)?initiali[sz]",
        "init_word": r"initiali[sz]ations?",
        "restart": r"restarts?(?![a-z])",
        "spread": r"±|\+/-|\bstd\b|standard deviations?|variances?|\bvariability\b|\bstd\.",
        "nondeterministic": r"non-?determinis\w*|stochastic\w*|randomness|"
        r"random(?:ly)? (?:chosen|sampled|shuffled)",
        "rerun": r"\bre-?run\w*|\bre-?train\w*|\brepeat\w*|\bindependent(?:ly)? (?:trained|runs?)",
        "data_order": r"(?:data|training|example|instance|batch)\s+(?:orders?|orderings?)|"
        r"shuffl\w*",
        "sampling": r"\bsampl\w*|\bsplits?\b|\bsubsets?\b|\b(?:few|k|\d+)-shot\b|\bdownsampl\w*",
        "reproducib": r"reproducib\w*|replicab\w*|determinis\w*",
        "best_of": r"\bbest\b[^.]{0,40}\b(?:dev|development|validation|held-out)\b",
        "ensemble": r"ensembl\w*|\bcombin\w* (?:the )?(?:predictions|outputs|models)",
        "variation": r"\bvar(?:y|ies|ied|iation|iance)\b|\bfluctuat\w*|\bunstable\b|"
        r"\binstabilit\w*|\bsensitiv\w*|\brobust\w*",
        "significance": r"significan\w*|p-?values?|\bt-?test\b|welch|mann-whitney|wilcoxon",
        # How papers about run-to-run variance talk (Bethard 2022 and the work it cites).
        "score_distribution": r"(?:score|performance|result|accuracy|f1)\s+distributions?|"
        r"distributions?\s+of\s+(?:the\s+)?(?:\w+\s+)?(?:scores?|results|performances?|"
        r"accurac\w*|runs)",
        "random_numbers": r"random(?:ness)?\s+(?:numbers?|number generators?|generators?)|"
        r"\bp?rngs?\b|\bluck\w*|\bunlucky\b|\bfavou?rable\b",
        "local_optima": r"local\s+(?:minim\w*|optim\w*)|\bconverg\w*\s+(?:\w+\s+){0,3}"
        r"different\b",
        "single_run": r"\bsingle\s+(?:training\s+)?(?:runs?|performance|scores?|trials?)\b|"
        r"\bone\s+(?:training\s+)?(?:run|trial)\b",
        "inter_run": r"\b(?:inter|intra|cross)-?runs?\b|\brun-to-run\b|\b(?:across|between|"
        r"over)\s+(?:the\s+)?(?:different\s+|individual\s+)?runs\b",
        "separately_trained": r"\b(?:separately|independently|individually)\s+(?:\w+\s+){0,3}"
        r"(?:trained|fine-?tuned|initiali[sz]ed|optimi[sz]ed|pre-?trained)|\bindependent\s+"
        r"(?:\w+\s+)?(?:runs?|models?|trainings?|replicates?)\b|\bdiffering only\b",
        # Repeats and multiples that are not re-runs: data seen again, sizes and speeds compared.
        "data_repeat": r"repeat\w*\s+(?:the\s+)?(?:\w+\s+)?(?:data|examples?|epochs?|tokens?|"
        r"passes|sentences?)|(?:data(?:\s?set)?|examples?|corpus|tokens?)\s+(?:is|are|was|were|"
        r"being)\s+repeated",
        "times_comparative": rf"{_NUMBER}\s+times\s+(?:larger|smaller|faster|slower|more|less|"
        r"fewer|bigger|longer|shorter|higher|lower|as)\b|\b\d+(?:\.\d+)?x\s+(?:faster|slower|"
        r"larger|smaller|speed)",
    }.items()
}
# The cues a neighbouring sentence contributes: a sentence after "we ran each model five
# times" that says "we report the mean" is about those runs.
NEIGHBOUR_CUES = (
    "seed_word", "counted_runs", "n_times", "statistic_over_runs", "over_runs", "random_init",
    "restart", "spread", "rerun",
)  # fmt: skip
# The cues of runs that differ only by their randomness. A paper where many sentences carry one
# is about such runs, and its sentences on spread or variation are likelier to be about them too.
RUN_CUES = frozenset(
    (
        "seed_word", "counted_runs", "n_times", "statistic_over_runs", "over_runs", "random_init",
        "restart", "nondeterministic", "rerun", "score_distribution", "random_numbers",
        "local_optima", "single_run", "inter_run", "separately_trained",
    )
)  # fmt: skip
# Shares of a paper's sentences with a run cue, and counts in one section, that mark it as
# seed-heavy; coded cumulatively ("at least") so each level learns from the papers above it too.
PAPER_LEVELS = (0.02, 0.04, 0.08)
SECTION_LEVELS = (1, 3, 6)
SECTIONS = {
    "abstract": r"abstract",
    "intro": r"introduc",
    "related": r"related|background|previous",
    "method": r"method|model|approach|architecture|framework",
    "setup": r"setup|setting|implementation|training|hyper|detail|experiment",
    "results": r"result|evaluation|performance|comparison",
    "analysis": r"analys|discussion|ablation|stud(y|ies)|variance|robust",
    "conclusion": r"conclu|future|limitation",
    "appendix": r"appendix|supplement|^[a-h](\.\d+)*\s",
    "data": r"data|corpus|corpora",
}
_SECTION_PATTERNS = {name: re.compile(regex) for name, regex in SECTIONS.items()}
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*|\d+(?:\.\d+)?|±")
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class SentenceContext:
    """A sentence as the model sees it. `pattern` is what the seed patterns said of it:
    "explicit", "implicit" or ""."""

    text: str
    section: str = ""
    kind: str = "body"
    previous: str = ""
    following: str = ""
    pattern: str = ""
    around: str = ""  # how seed-heavy its paper and section are (`surroundings`)


SEED_WORD = CUES["seed_word"]


def is_implicit(text: str) -> bool:
    """No form of the word "seed": the sentence speaks of its re-runs in other words."""
    return not SEED_WORD.search(text.lower())


def word_tokens(text: str) -> list[str]:
    return [_DIGITS.sub("0", token) for token in _WORD.findall(text.lower())]


def cues(text: str) -> list[str]:
    return list(_cues(text))


# Each sentence is read three times: on its own, and as the sentence before and after another.
@lru_cache(maxsize=2**14)
def _cues(text: str) -> tuple[str, ...]:
    lowered = text.lower()
    return tuple(name for name, pattern in CUES.items() if pattern.search(lowered))


def surroundings(texts: Sequence[str], sections: Sequence[str]) -> list[str]:
    """For each sentence of one paper, how many of the paper's sentences, and of the other
    sentences in its section, carry a run cue: space-separated levels such as "paper2 section1"."""
    has_cue = [bool(RUN_CUES.intersection(_cues(text))) for text in texts]
    share = sum(has_cue) / len(texts) if texts else 0.0
    paper = [f"paper{i + 1}" for i, level in enumerate(PAPER_LEVELS) if share >= level]
    per_section = Counter(section for section, cue in zip(sections, has_cue, strict=True) if cue)
    result = []
    for section, cue in zip(sections, has_cue, strict=True):
        others = per_section[section] - cue
        levels = [f"section{i + 1}" for i, level in enumerate(SECTION_LEVELS) if others >= level]
        result.append(" ".join(paper + levels))
    return result


# Training and leave-one-paper-out see the same sentences again and again.
@lru_cache(maxsize=2**16)
def features(sentence: SentenceContext) -> tuple[str, ...]:
    tokens = word_tokens(sentence.text)
    found = [f"w:{t}" for t in tokens]
    found += [f"b:{a}_{b}" for a, b in pairwise(tokens)]
    own = cues(sentence.text)
    found += [f"c:{name}" for name in own]
    found += [f"c:{a}+{b}" for i, a in enumerate(own) for b in own[i + 1 :]]
    found.append(f"k:{sentence.kind}")
    section = sentence.section.lower()
    found += [f"s:{name}" for name, p in _SECTION_PATTERNS.items() if p.search(section)]
    if sentence.pattern:
        found.append(f"p:{sentence.pattern}")
    for side, text in (("prev", sentence.previous), ("next", sentence.following)):
        found += [f"{side}:{name}" for name in cues(text) if name in NEIGHBOUR_CUES]
    for level in sentence.around.split():
        found.append(f"a:{level}")
        found += [f"a:{level}+{name}" for name in own]
    found.append(f"len:{min(len(tokens) // 10, 6)}")
    return tuple(found)
