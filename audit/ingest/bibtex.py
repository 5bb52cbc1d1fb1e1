"""Read paper metadata from BibTeX (such as the ACL Anthology's exports) and match it by title."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher

_ENTRY = re.compile(r"@(\w+)\s*[{(]\s*([^,\s]*)\s*,", re.I)
_FIELD = re.compile(r"\s*([\w-]+)\s*=\s*", re.I)
_ACCENTS = {"'": "\u0301", "`": "\u0300", '"': "\u0308", "^": "\u0302", "~": "\u0303"}
_ACCENTS |= {"c": "\u0327", "v": "\u030c", "u": "\u0306", "=": "\u0304", ".": "\u0307"}
_ACCENTS |= {"H": "\u030b", "r": "\u030a", "k": "\u0328"}
_SPECIAL = {r"\o": "ø", r"\O": "Ø", r"\ss": "ß", r"\ae": "æ", r"\AE": "Æ", r"\l": "ł", r"\L": "Ł"}
_SPECIAL |= {r"\aa": "å", r"\AA": "Å", r"\i": "ı", r"\&": "&", "--": "–"}
_ANTHOLOGY_URL = re.compile(
    r"aclanthology\.org/([A-Za-z0-9.\-]+?)/?$|aclweb\.org/anthology/([A-Za-z0-9.\-]+?)(\.pdf)?/?$"
)


@dataclass
class BibEntry:
    key: str
    title: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str = ""
    anthology_id: str = ""


def parse_bibtex(text: str) -> list[BibEntry]:
    """Every entry with a title; @string, @comment and @preamble are skipped."""
    entries = []
    for match in _ENTRY.finditer(text):
        kind, key = match.group(1).lower(), match.group(2)
        if kind in {"string", "comment", "preamble"}:
            continue
        fields = _fields(text, match.end())
        if "title" not in fields:
            continue
        entries.append(_entry(key, fields))
    return entries


def _fields(text: str, position: int) -> dict[str, str]:
    fields: dict[str, str] = {}
    while True:
        match = _FIELD.match(text, position)
        if not match:
            return fields
        name = match.group(1).lower()
        value, position = _value(text, match.end())
        fields[name] = value
        rest = re.match(r"\s*(,|[})])", text[position:])
        if not rest or rest.group(1) != ",":
            return fields
        position += rest.end()


def _value(text: str, position: int) -> tuple[str, int]:
    """A braced, quoted or bare value (and values joined with #) starting at `position`."""
    parts = []
    while True:
        opener = text[position : position + 1]
        if opener == "{":
            depth, end = 0, position
            for end in range(position, len(text)):
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                if depth == 0:
                    break
            parts.append(text[position + 1 : end])
            position = end + 1
        elif opener == '"':
            end = position + 1
            depth = 0
            while end < len(text) and not (text[end] == '"' and depth == 0):
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                end += 1
            parts.append(text[position + 1 : end])
            position = end + 1
        else:
            match = re.match(r"[^,}#\s]+", text[position:])
            parts.append(match.group(0) if match else "")
            position += match.end() if match else 0
        joiner = re.match(r"\s*#\s*", text[position:])
        if not joiner:
            return "".join(parts), position
        position += joiner.end()


def latex_to_text(value: str) -> str:
    """Undo the LaTeX of names and titles: accents, special letters, protective braces."""
    for command, letter in _SPECIAL.items():
        value = re.sub(re.escape(command) + r"(?![A-Za-z])\s*", letter, value)
    value = re.sub(
        r"\\([`'\"^~=.]|[cvuHrk](?=[\s{]))\s*\{?\s*([A-Za-z])\s*\}?",
        lambda m: m.group(2) + _ACCENTS[m.group(1)],
        value,
    )
    value = re.sub(r"\\[A-Za-z]+\s*", "", value)
    value = value.replace("{", "").replace("}", "")
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", value).strip())


def _entry(key: str, fields: dict[str, str]) -> BibEntry:
    year = re.search(r"\d{4}", fields.get("year", ""))
    url = fields.get("url", "").strip()
    anthology = _ANTHOLOGY_URL.search(url)
    return BibEntry(
        key=key,
        title=latex_to_text(fields["title"]),
        authors=[
            _person(name)
            for name in re.split(r"\s+and\s+", fields.get("author", ""))
            if name.strip()
        ],
        year=int(year.group(0)) if year else None,
        venue=latex_to_text(fields.get("booktitle") or fields.get("journal") or ""),
        anthology_id=(anthology.group(1) or anthology.group(2)) if anthology else "",
    )


def _person(name: str) -> str:
    name = latex_to_text(name)
    if "," in name:
        last, first = name.split(",", 1)
        return f"{first.strip()} {last.strip()}".strip()
    return name


def normalise_title(title: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", title).lower()))


def match_title(title: str, entries: list[BibEntry]) -> BibEntry | None:
    """The entry whose title is the paper's title (or nearly: extraction may drop a letter)."""
    wanted = normalise_title(title)
    if not wanted:
        return None
    best, best_ratio = None, 0.9
    for entry in entries:
        candidate = normalise_title(entry.title)
        if candidate == wanted:
            return entry
        ratio = SequenceMatcher(None, wanted, candidate, autojunk=False).ratio()
        if ratio >= best_ratio:
            best, best_ratio = entry, ratio
    return best
