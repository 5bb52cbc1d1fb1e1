"""Text from outside (PDFs, file names, uploads, browsers) made storable.

PostgreSQL refuses NUL in text and psycopg refuses unpaired surrogates, which Python strings
carry from undecodable file names (`surrogateescape`) and from PDFs that encode a character as
half a pair. Both would fail the whole write, so everything that stores outside text cleans it
here first.
"""

from __future__ import annotations

import os

from django.http import HttpResponseBadRequest


def clean_text(text: str) -> str:
    """`text` without NUL characters, surrogate pairs joined and lone halves replaced by U+FFFD."""
    if not text.isascii():
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text.replace("\x00", "")


def clean_json(value):
    """`clean_text` on every string inside a JSON-like value (lists, dicts, strings)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(str(key)): clean_json(item) for key, item in value.items()}
    return value


def path_name(path: os.PathLike | str) -> str:
    """A file name for people: UTF-8 where the bytes are UTF-8, else Latin-1 (every byte is a
    character there), so that `caf\\xe9.pdf` made on an old system reads `café.pdf`."""
    raw = os.fsencode(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def refuse_nul_in_query(get_response):
    """Middleware: a query string holding a NUL character gets a 400 that says so (no filter
    could use it, and PostgreSQL refuses it in a query: a 500 otherwise)."""

    def middleware(request):
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return HttpResponseBadRequest(
                    "The address holds a NUL character (%00): remove it and try again.",
                    content_type="text/plain",
                )
        return get_response(request)

    return middleware
