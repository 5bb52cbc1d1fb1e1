"""Title, authors, year and venue of a paper, from its PDF metadata and its first page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from audit.ingest.layout import Line, collapse_whitespace

_YEAR = r"(19[5-9]\d|20\d\d)"
# Where a first page states its year: the publisher's footer, a conference header, an arXiv id.
_PAGE_YEAR = [
    re.compile(rf"©\s*{_YEAR}"),
    re.compile(rf"\(c\)\s*{_YEAR}", re.I),
    re.compile(rf"{_YEAR}\s+Association for Computational Linguistics"),
    re.compile(rf"Proceedings of [^\n]*?{_YEAR}"),
    re.compile(rf"(?:Published|Accepted|Appearing|To appear) (?:as|at|in) [^\n]*?{_YEAR}"),
    re.compile(r"arXiv:(\d\d)(?:0[1-9]|1[0-2])\.\d{4,5}"),
]
_VENUE = [
    re.compile(r"(Findings of the Association for Computational Linguistics:?\s*[A-Z-]+\s*\d{4})"),
    re.compile(
        r"Proceedings of (?:the )?(.+?)(?:,\s*pages|\s+pages|,\s*(?:Volume|Vol\.)|\.\s|$)", re.M
    ),
    re.compile(r"(?:Published|Accepted) (?:as a (?:conference )?paper )?at (.+?\d{4})"),
]
_ANTHOLOGY_LETTERS = {
    "P": "ACL", "N": "NAACL", "D": "EMNLP", "E": "EACL", "C": "COLING", "K": "CoNLL", "Q": "TACL",
}  # fmt: skip
# Proceedings names and the acronym people use for them.
_VENUE_ACRONYMS = [
    (
        re.compile(r"Findings of the Association for Computational Linguistics:?\s*([A-Z-]+)"),
        "Findings of {}",
    ),
    (re.compile(r"Annual Meeting of the Association for Computational Linguistics"), "ACL"),
    (re.compile(r"Empirical Methods in Natural Language Processing"), "EMNLP"),
    (
        re.compile(r"North American Chapter of the Association for Computational Linguistics"),
        "NAACL",
    ),
    (re.compile(r"European Chapter of the Association for Computational Linguistics"), "EACL"),
    (re.compile(r"Asia-Pacific Chapter of the Association for Computational Linguistics"), "AACL"),
    (re.compile(r"Conference on Computational Natural Language Learning"), "CoNLL"),
    (re.compile(r"International Conference on Computational Linguistics"), "COLING"),
    (re.compile(r"Language Resources and Evaluation Conference"), "LREC"),
    (re.compile(r"Transactions of the Association for Computational Linguistics"), "TACL"),
]
_FOOTER = re.compile(
    r"Proceedings of|Association for Computational Linguistics|©|\(c\) ?\d{4}|"
    r"\bpages \d+\s*[–-]\s*\d+|Findings of the|licensed under|Creative Commons|"
    r"Published as a conference paper|Accepted (?:as|at)",
    re.I,
)
# Affiliation marks after (or before) a name: digits, stars, daggers, in any mix ("Gao1,4†").
_AUTHOR_MARKS = re.compile(r"^[\d*∗†‡§¶♠♣♥♦⋆,]+|[\d*∗†‡§¶♠♣♥♦⋆,]+$")
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_.'’-]*(?:[.'’-][^\W\d_]*)*\.?")
_NOT_A_NAME = re.compile(
    r"@|\b(univ|universit|institute|department|dept|school|college|laborator|lab\b|research|"
    r"inc\b|corp|company|academy|center|centre|group|google|microsoft|meta\b|amazon|facebook|"
    r"ibm|china|usa|germany|israel|france|japan|korea|uk\b|canada|india)",
    re.I,
)


@dataclass
class PaperMetadata:
    title: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str = ""


def is_footer(text: str) -> bool:
    """Publisher lines at the foot of a first page: metadata, not prose."""
    return bool(_FOOTER.search(text))


def guess_metadata(
    pdf_metadata: dict[str, str],
    first_page: list[Line],
    page_height: float,
    body_size: float,
    arxiv_stamp: str = "",
) -> PaperMetadata:
    """What the PDF says about itself; the venue is "arXiv" for an arXiv copy that names none."""
    title_lines = _title_lines(first_page, body_size)
    title = _title(collapse_whitespace(pdf_metadata.get("Title", "")), title_lines)
    authors = _split_authors(pdf_metadata.get("Author", "")) or _first_page_authors(
        first_page, title_lines, body_size
    )
    # Only the page's head and foot: the body cites other years and venues.
    margins = "\n".join(
        line.text
        for line in first_page
        if line.top > 0.88 * page_height or line.bottom < 0.1 * page_height
    )
    year = _year(margins, pdf_metadata)
    venue = _venue(margins, pdf_metadata, year) or ("arXiv" if arxiv_stamp else "")
    return PaperMetadata(title=title, authors=authors, year=year, venue=venue)


def _title(from_metadata: str, lines: list[Line]) -> str:
    """The title as printed on the first page; the PDF's own Title when the page has none.

    Metadata titles are often stale (an earlier draft's title, a file name); the printed one
    wins unless it is not a title at all, which shows as having little in common with it.
    """
    printed = collapse_whitespace(" ".join(line.text for line in lines))
    if not _plausible_title(from_metadata):
        return printed
    if not _plausible_title(printed):
        return from_metadata
    similar = SequenceMatcher(None, printed.lower(), from_metadata.lower()).ratio() >= 0.6
    return printed if similar else from_metadata


def _plausible_title(title: str) -> bool:
    if len(title) < 8 or len(title.split()) < 2:
        return False
    return not re.search(r"\.(pdf|dvi|tex|docx?)$|^microsoft word|^untitled", title, re.I)


def _title_lines(lines: list[Line], body_size: float) -> list[Line]:
    """The lines set in the largest type in the top third of the first page."""
    if not lines:
        return []
    height = max(line.bottom for line in lines)
    top = [
        ln for ln in lines if ln.top < height / 3 and len(ln.text) > 1 and not is_footer(ln.text)
    ]
    if not top:
        return []
    largest = max(ln.size for ln in top)
    if largest <= body_size:
        return []
    title = [ln for ln in top if ln.size >= largest - 0.5]
    first = min(title, key=lambda ln: ln.top)
    # Only the first run of large lines: a large "Abstract" further down is not the title.
    kept = [first]
    for line in sorted(title, key=lambda ln: ln.top):
        if line is not first and line.top - kept[-1].bottom < 1.5 * largest:
            kept.append(line)
    return kept


def _split_authors(text: str) -> list[str]:
    text = collapse_whitespace(text)
    if not text:
        return []
    parts = re.split(r"\s*(?:;|,|\band\b|&)\s*", text)
    return [p for p in (_AUTHOR_MARKS.sub("", part).strip() for part in parts) if p]


def _first_page_authors(lines: list[Line], title: list[Line], body_size: float) -> list[str]:
    if not title:
        return []
    below = sorted((ln for ln in lines if ln.top > title[-1].bottom), key=lambda ln: ln.top)
    names: list[str] = []
    for line in below[:12]:
        text = line.text
        if text.strip().lower() == "abstract":
            break
        if line.size < body_size - 0.5 or _NOT_A_NAME.search(text):
            continue
        if line.bold or line.size > body_size:
            names += [name for name in _split_authors(text) if _looks_like_a_name(name)]
    return names


def _looks_like_a_name(text: str) -> bool:
    """Two to four capitalised words without digits: "Shengjie Li", not "TX 75083-"."""
    words = text.split()
    return (
        1 < len(words) <= 4
        and all(_NAME_WORD.fullmatch(word) for word in words)
        and not _NOT_A_NAME.search(text)
    )


def _year(page_text: str, pdf_metadata: dict[str, str]) -> int | None:
    for pattern in _PAGE_YEAR:
        match = pattern.search(page_text)
        if match:
            year = match.group(1)
            return int(year) if len(year) == 4 else 2000 + int(year)
    for key in ("Subject", "Keywords"):
        match = re.search(rf"\b{_YEAR}\b", pdf_metadata.get(key, ""))
        if match:
            return int(match.group(1))
    match = re.match(rf"D:{_YEAR}", pdf_metadata.get("CreationDate", ""))
    return int(match.group(1)) if match else None


def _venue(page_text: str, pdf_metadata: dict[str, str], year: int | None) -> str:
    venue = ""
    for pattern in _VENUE:
        match = pattern.search(page_text)
        if match:
            venue = collapse_whitespace(match.group(1)).rstrip(",.")
            break
    subject = collapse_whitespace(pdf_metadata.get("Subject", ""))
    # ACL Anthology files carry their old-style volume id there ("P19-1 2019"): its letter
    # names the conference, volumes 1 and 2 being its long and short papers.
    volume = re.fullmatch(r"([A-Z])\d\d-(\d+) (\d{4})", subject)
    if not venue and volume:
        acronym = _ANTHOLOGY_LETTERS.get(volume.group(1))
        return f"{acronym} {volume.group(3)}" if acronym and volume.group(2) in "12" else ""
    if not venue:
        venue = subject
    for pattern, acronym in _VENUE_ACRONYMS:
        match = pattern.search(venue)
        if match:
            name = acronym.format(*match.groups())
            return f"{name} {year}" if year and str(year) not in name else name
    return venue
