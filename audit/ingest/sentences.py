"""Sentence segmentation that survives scientific text.

The default is spaCy's blank English tokenizer, taught the abbreviations papers use ("et al.",
"Fig.", "Sec.", "Eq.", "e.g."), and a sentence-boundary component: a sentence ends at ".", "!"
or "?" (with any closing quotes or brackets) only when the next word starts like a sentence.
Decimals, section numbers ("Sec. 3.1") and citations in parentheses stay inside sentences.
A trained pipeline named by the SPACY_MODEL setting is used instead when it is installed.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import spacy
from spacy.attrs import ORTH, SENT_START
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc

ABBREVIATIONS = (
    "al.", "Fig.", "Figs.", "fig.", "figs.", "Sec.", "Secs.", "sec.", "Sect.", "Eq.", "Eqs.",
    "eq.", "eqs.", "Tab.", "Tabs.", "Alg.", "Algs.", "Ch.", "Chap.", "App.", "Appx.", "Def.",
    "Thm.", "Prop.", "Lem.", "Cor.", "Ref.", "Refs.", "cf.", "Cf.", "approx.", "resp.", "vs.",
    "viz.", "ca.", "No.", "Nos.", "no.", "Vol.", "vol.", "pp.", "Proc.", "Conf.", "Inc.", "Ltd.",
    "Corp.", "Univ.", "Dept.", "Dr.", "Prof.", "Mr.", "Ms.", "Mrs.", "Jr.", "Sr.", "ed.", "eds.",
    "Ed.", "Eds.", "w.r.t.", "a.k.a.", "s.t.", "avg.", "std.", "incl.", "est.", "e.g", "i.e",
    "E.g.", "I.e.",
)  # fmt: skip
_TERMINALS = frozenset({".", "!", "?", "...", "…"})
_CLOSERS = frozenset({")", "]", "”", "’", '"', "'"})
_OPENERS = frozenset({"(", "[", "“", '"', "‘", "'"})
# Abbreviations that often end a sentence.
_FINAL_ABBREVIATIONS = frozenset({"etc."})
_ENDING_HASHES = np.array(
    [hash_string(t) for t in _TERMINALS | _FINAL_ABBREVIATIONS], dtype=np.uint64
)


@Language.component("scientific_sentences")
def scientific_sentences(doc: Doc) -> Doc:
    """Mark sentence starts; see the module docstring for the rule."""
    if not len(doc):
        return doc
    orth = doc.to_array(ORTH)
    # spaCy's SENT_START values, as the uint64 that from_array expects: 1 starts a sentence,
    # -1 (wrapped) does not.
    starts = np.full(len(doc), -1, dtype=np.int64).view(np.uint64)
    starts[0] = 1
    # Only the few tokens that can end a sentence are looked at one by one.
    ends = orth[:-1, None] == _ENDING_HASHES
    for end in np.flatnonzero(ends.any(axis=1)):
        start = end + 1
        while start < len(doc) and doc[start].text in _CLOSERS:
            start += 1
        if start < len(doc) and _starts_sentence(doc, start):
            starts[start] = 1
    doc.from_array([SENT_START], starts.reshape(-1, 1))
    return doc


def _starts_sentence(doc: Doc, index: int) -> bool:
    token = doc[index]
    if token.text in _OPENERS and index + 1 < len(doc):
        token = doc[index + 1]
    return token.text[:1].isupper()


@cache
def nlp(model: str = "") -> Language:
    """The pipeline for `model` (a trained spaCy package) or, by default, blank English."""
    pipeline = spacy.load(model, exclude=["ner", "lemmatizer"]) if model else spacy.blank("en")
    for abbreviation in ABBREVIATIONS:
        pipeline.tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])
    pipeline.add_pipe("scientific_sentences", first=True)
    return pipeline
