"""Responses that download a file, under a name made from what people typed."""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.utils.http import content_disposition_header

# Control characters (a corpus named "x\r\nX-Injected: yes") would break the header, and a
# path separator would let the name choose a folder.
UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]+")


def file_name(name: str) -> str:
    return UNSAFE.sub("_", name).strip(" .") or "download"


def attach(response: HttpResponse, name: str) -> HttpResponse:
    """Make `response` a download named `name`, quoted (or UTF-8 encoded) as the header needs."""
    response["Content-Disposition"] = content_disposition_header(True, file_name(name))
    return response


def download(content: bytes | str, content_type: str, name: str) -> HttpResponse:
    return attach(HttpResponse(content, content_type=content_type), name)
