"""Sentence segmentation that survives scientific text.

The default is spaCy's blank English tokenizer, taught the abbreviations papers use ("et al.",
"Fig.", "Sec.", "Eq.", "e.g."), and a sentence-boundary component: a sentence ends at ".", "!"
or "?" (with any closing quotes or brackets) only when the next word starts like a sentence.
Decimals, section numbers ("Sec. 3.1") and citations in parentheses stay inside sentences.
A trained pipeline named by the SPACY_MODEL setting is used instead when it is installed.
"""

from __future__ import annotations

from functools import cache

import spacy
from spacy.attrs import ORTH
from spacy.language import Language
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


@Language.component("scientific_sentences")
def scientific_sentences(doc: Doc) -> Doc:
    """Mark sentence starts; see the module docstring for the rule."""
    for token in doc:
        token.is_sent_start = token.i == 0
    last = len(doc) - 1
    for token in doc[:-1]:
        if token.text not in _TERMINALS and token.text not in _FINAL_ABBREVIATIONS:
            continue
        start = token.i + 1
        while start <= last and doc[start].text in _CLOSERS:
            start += 1
        if start <= last and _starts_sentence(doc, start):
            doc[start].is_sent_start = True
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
