"""Where papers come from: files, folders and zip archives, checked before anything is read.

Every input becomes a `Source`: a name for people and either its bytes or the reason it was
refused. Archive members are read into memory by size-bounded reads and never written to disk
under their own names, so a member called `../../x.pdf` cannot land anywhere; it is refused all
the same, because an archive that carries one was not made for us.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from audit.ingest.pdf import ZIP_MAGIC
from audit.text import path_name

# A member that expands to more than this many times its compressed size is a zip bomb; real
# PDFs compress by a factor of 1 to 10.
MAX_COMPRESSION_RATIO = 100
# General purpose flag bit 0: the member is encrypted.
_ENCRYPTED = 0x1


@dataclass
class Limits:
    max_pdf_bytes: int
    max_zip_bytes: int


@dataclass
class Source:
    name: str
    data: bytes | None = None
    error: str = ""


def from_paths(paths: Iterable[Path], limits: Limits) -> Iterator[Source]:
    """Sources for files, folders (searched for .pdf and .zip files) and zip archives."""
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in {".pdf", ".zip"}
            )
            yield from from_paths(found, limits)
        elif not path.exists():
            yield Source(path_name(path), error=f"No such file or folder: {path_name(path)}")
        else:
            with path.open("rb") as f:
                yield from from_file(path_name(path), f, path.stat().st_size, limits)


def from_file(name: str, file: BinaryIO, size: int, limits: Limits) -> Iterator[Source]:
    """Sources in one uploaded or local file: the file itself, or a zip archive's PDFs."""
    head = file.read(4)
    file.seek(0)
    if head == ZIP_MAGIC:
        yield from _zip_members(name, file, limits)
        return
    if size > limits.max_pdf_bytes:
        yield Source(name, error=_too_large(size, limits.max_pdf_bytes))
        return
    yield Source(name, data=file.read())


def _too_large(size: int, limit: int) -> str:
    return (
        f"The file is {size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB "
        "(setting SEEDAUDIT_MAX_PDF_MB)."
    )


def _zip_members(name: str, file: BinaryIO, limits: Limits) -> Iterator[Source]:
    try:
        archive = zipfile.ZipFile(file)
    # A damaged central directory can also hold a name flagged UTF-8 that is not.
    except _DAMAGED as error:
        yield Source(name, error=f"The zip archive is damaged ({_reason(error)}). Create it again.")
        return
    budget = limits.max_zip_bytes
    found = 0
    with archive:
        for info in archive.infolist():
            member = PurePosixPath(info.filename)
            if info.is_dir() or member.name.startswith(".") or "__MACOSX" in member.parts:
                continue
            label = f"{name}/{info.filename}"
            if member.is_absolute() or ".." in member.parts or ":" in info.filename:
                yield Source(
                    label,
                    error=f"Refused: the archive member has an unsafe path ({info.filename}).",
                )
                continue
            if member.suffix.lower() == ".zip":
                found += 1
                yield Source(
                    label,
                    error="Refused: archives inside an archive are not opened. Extract this one "
                    "and upload its PDFs, or the archive itself.",
                )
                continue
            if member.suffix.lower() != ".pdf":
                continue
            found += 1
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO and info.file_size > 2**20:
                yield Source(
                    label,
                    error=f"Refused: the member would expand {ratio:.0f} times its compressed size "
                    "(a zip bomb).",
                )
                continue
            if info.file_size > limits.max_pdf_bytes:
                yield Source(label, error=_too_large(info.file_size, limits.max_pdf_bytes))
                continue
            if info.file_size > budget:
                yield Source(
                    label,
                    error="Refused: the archive expands to more than "
                    f"{limits.max_zip_bytes / 2**20:.0f} MB (setting SEEDAUDIT_MAX_ZIP_MB).",
                )
                continue
            yield _read_member(archive, info, label, limits)
            budget -= info.file_size
    if not found:
        yield Source(
            name,
            error="The zip archive holds no PDF files (members whose names end in .pdf). "
            "Put the papers' PDFs in it and upload it again.",
        )


# What zipfile raises on damaged archives: besides BadZipFile, a garbled name flagged UTF-8
# fails to decode, damaged compressed data fails in zlib, a cut archive ends early.
_DAMAGED = (zipfile.BadZipFile, UnicodeDecodeError, zlib.error, EOFError, OSError)


def _reason(error: Exception) -> str:
    return "a member's name is garbled" if isinstance(error, UnicodeDecodeError) else str(error)


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limits: Limits
) -> Source:
    encrypted = Source(
        label, error="The archive member is password-protected. Extract it and upload the PDF."
    )
    if info.flag_bits & _ENCRYPTED:
        return encrypted
    try:
        with archive.open(info) as member:
            # Never trust the declared size: read one byte past the limit to catch a liar.
            data = member.read(limits.max_pdf_bytes + 1)
    except RuntimeError:
        # zipfile's only RuntimeErrors are about encryption (its message holds a ZipInfo repr).
        return encrypted
    except NotImplementedError:
        # zipfile lacks some compression methods (e.g. Deflate64, which Windows uses).
        return Source(
            label,
            error="The archive member is compressed with a method seedaudit cannot read. "
            "Extract it and upload the PDF, or zip it again with ordinary (deflate) compression.",
        )
    except _DAMAGED as error:
        return Source(
            label,
            error=f"The archive member is damaged ({_reason(error)}). "
            "Create the archive again, or upload the PDF itself.",
        )
    if len(data) > limits.max_pdf_bytes:
        return Source(label, error=_too_large(len(data), limits.max_pdf_bytes))
    return Source(label, data=data)
