"""Title, authors, year and venue of a paper, from its PDF metadata and its first page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from audit.ingest.layout import Line

_YEAR = r"(19[5-9]\d|20\d\d)"
_FIRST_PAGE_YEAR = [
    re.compile(rf"©\s*{_YEAR}"),
    re.compile(rf"\(c\)\s*{_YEAR}", re.I),
    re.compile(rf"{_YEAR}\s+Association for Computational Linguistics"),
    re.compile(rf"Proceedings of [^\n]*?{_YEAR}"),
    re.compile(
        rf"\b(?:ACL|EMNLP|NAACL|EACL|AACL|COLING|LREC|CoNLL|TACL|ICLR|ICML|NeurIPS|AAAI|IJCAI|SIGIR|KDD|WWW|CVPR|ICCV|ECCV|Findings)\b[^\n]{{0,20}}?{_YEAR}"
    ),
    re.compile(r"arXiv:(\d\d)(?:0[1-9]|1[0-2])\.\d{4,5}"),
]
_VENUE = [
    re.compile(r"(Findings of the Association for Computational Linguistics:?\s*[A-Z-]+\s*\d{4})"),
    re.compile(r"Proceedings of (?:the )?(.+?)(?:,\s*pages|\s+pages|,\s*(?:Volume|Vol\.)|\.\s|$)"),
    re.compile(r"(?:Published|Accepted) (?:as a (?:conference )?paper )?at (.+?\d{4})"),
]
_FOOTER = re.compile(
    r"Proceedings of|Association for Computational Linguistics|©|\(c\) ?\d{4}|"
    r"\bpages \d+\s*[–-]\s*\d+|Findings of the|licensed under|Creative Commons|"
    r"Published as a conference paper|Accepted (?:as|at)",
    re.I,
)
_AUTHOR_MARKS = re.compile(r"[*∗†‡§¶♠♣♥♦⋆]+|\d+$|^\d+")
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
    pdf_metadata: dict[str, str], first_page: list[Line], body_size: float
) -> PaperMetadata:
    title_lines = _title_lines(first_page, body_size)
    title = _clean(pdf_metadata.get("Title", ""))
    if not _plausible_title(title):
        title = _clean(" ".join(line.text for line in title_lines))
    authors = _split_authors(pdf_metadata.get("Author", "")) or _first_page_authors(
        first_page, title_lines, body_size
    )
    page_text = "\n".join(line.text for line in first_page)
    return PaperMetadata(
        title=title,
        authors=authors,
        year=_year(page_text, pdf_metadata),
        venue=_venue(page_text, pdf_metadata),
    )


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


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
    text = _clean(text)
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
            names += [
                name
                for name in _split_authors(text)
                if 1 < len(name.split()) <= 4 and not _NOT_A_NAME.search(name)
            ]
    return names


def _year(page_text: str, pdf_metadata: dict[str, str]) -> int | None:
    for pattern in _FIRST_PAGE_YEAR:
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


def _venue(page_text: str, pdf_metadata: dict[str, str]) -> str:
    for pattern in _VENUE:
        match = pattern.search(page_text)
        if match:
            return _clean(match.group(1)).rstrip(",.")
    subject = _clean(pdf_metadata.get("Subject", ""))
    # ACL Anthology files carry their volume id ("P19-1 2019") here: not a venue name.
    if subject and not re.fullmatch(r"[A-Z]\d\d-\d+ \d{4}", subject):
        return subject
    return ""
