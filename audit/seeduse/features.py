"""What the seed-use model sees of a sentence: its words and word pairs, and generic cues of
re-runs (counted runs, statistics over runs, random initialisation), its kind, its section, the
seed patterns' verdict and the same cues in the sentences around it.

Every feature is a string; the model keeps a weight per string it saw in training.
"""

from __future__ import annotations

import re
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
        "counted_runs": rf"(?<![a-z]){_NUMBER}\s+{_QUALIFIER}*{_RUNS}(?![a-z])",
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
    }.items()
}
# The cues a neighbouring sentence contributes: a sentence after "we ran each model five
# times" that says "we report the mean" is about those runs.
NEIGHBOUR_CUES = (
    "seed_word", "counted_runs", "n_times", "statistic_over_runs", "over_runs", "random_init",
    "restart", "spread", "rerun",
)  # fmt: skip
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
    found.append(f"len:{min(len(tokens) // 10, 6)}")
    return tuple(found)
