"""An uploaded archive unpacked into the folder format `registry import` reads, or refused.

Two forms: a zip of the folder (its files at the top, or inside one folder, as `zip -r` makes it),
or NDJSON, one review file's JSON a line (no PDFs). Everything a zip says about itself is checked
before a byte is extracted: no path that climbs out (`../`) or starts at a root, no links, no
encrypted entries, nothing but review files and PDFs, at most `max_files` of them, and at most
`max_bytes` once uncompressed. While extracting, an entry may not grow past the size it declared,
so a forged header cannot smuggle a bomb past the check. What is inside each file (its JSON, its
PDF) is the reader's to check, with the CLI's own words.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import IO

from app.errors import InvalidInput, ProblemItem

ZIP_MAGIC = b"PK\x03\x04"
ZIP_TYPES = ("application/zip", "application/x-zip-compressed")
NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/ndjson")
_ALLOWED_SUFFIXES = (".json", ".pdf")
# What archiving tools add beside the files (macOS's resource forks, Finder's folder settings).
_TOOL_LITTER = ("__MACOSX/", ".DS_Store")
_CHUNK = 1 << 16
MAX_LISTED = 100  # problems listed in one 422


class ArchiveFormat(StrEnum):
    zip = "zip"
    ndjson = "ndjson"


@dataclass(frozen=True)
class ArchiveLimits:
    max_files: int
    max_bytes: int  # uncompressed, all files together


def refused(detail: str, items: list[ProblemItem]) -> InvalidInput:
    return InvalidInput(detail, errors=items)


def _item(code: str, detail: str) -> ProblemItem:
    return ProblemItem(code=code, detail=detail, location="body", field="archive")


def format_of(head: bytes, *, content_type: str | None, filename: str | None) -> ArchiveFormat:
    """A zip by its content; otherwise what its type or name says (NDJSON has no signature, and an
    empty zip no local header)."""
    if head.startswith(ZIP_MAGIC):
        return ArchiveFormat.zip
    name = (filename or "").lower()
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type in NDJSON_TYPES or name.endswith((".ndjson", ".jsonl")):
        return ArchiveFormat.ndjson
    if media_type in ZIP_TYPES or name.endswith(".zip"):
        return ArchiveFormat.zip
    raise refused(
        "The archive is neither a zip nor NDJSON.",
        [
            _item(
                "not-an-archive",
                "Send a .zip of the import folder, or NDJSON (one review a line) as application/x-ndjson.",
            )
        ],
    )


def unpack(archive: IO[bytes], form: ArchiveFormat, into: Path, *, limits: ArchiveLimits) -> None:
    """The archive's files, written flat into the empty folder `into`."""
    if form is ArchiveFormat.zip:
        _unpack_zip(archive, into, limits=limits)
    else:
        _unpack_ndjson(archive, into, limits=limits)


def _unpack_zip(archive: IO[bytes], into: Path, *, limits: ArchiveLimits) -> None:
    try:
        bundle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refused("The archive is not a readable zip.", [_item("not-a-zip", "The zip is damaged or truncated.")]) from None
    with bundle:
        entries = _checked_entries(bundle.infolist(), limits=limits)
        for info, name in entries:
            _extract(bundle, info, into / name)


def _checked_entries(infos: list[zipfile.ZipInfo], *, limits: ArchiveLimits) -> list[tuple[zipfile.ZipInfo, str]]:
    """Every entry to extract with its name in the folder, or a 422 listing every unsafe entry."""
    problems: list[ProblemItem] = []
    files: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    for info in infos:
        name = info.filename[:200]  # as the problems quote it
        path = PurePosixPath(info.filename.replace("\\", "/"))
        mode = info.external_attr >> 16
        if name.startswith(_TOOL_LITTER) or path.name == ".DS_Store":
            continue
        if path.is_absolute() or (path.parts and path.parts[0].endswith(":")):
            problems.append(_item("unsafe-path", f"'{name}' is an absolute path."))
        elif ".." in path.parts:
            problems.append(_item("unsafe-path", f"'{name}' climbs out of the archive (..)."))
        elif stat.S_ISLNK(mode):
            problems.append(_item("unsafe-entry", f"'{name}' is a symbolic link; put the file itself in the zip."))
        elif info.flag_bits & 0x1:
            problems.append(_item("unsafe-entry", f"'{name}' is encrypted; zip it without a password."))
        elif info.is_dir():
            continue
        elif path.suffix.lower() not in _ALLOWED_SUFFIXES:
            problems.append(_item("unexpected-file", f"'{name}' is neither a review file (.json) nor a document (.pdf)."))
        else:
            files.append((info, path))
    if len(files) > limits.max_files:
        problems.append(_item("too-many-files", f"The archive holds {len(files)} files; at most {limits.max_files} are taken."))
    declared = sum(info.file_size for info, _ in files)
    if declared > limits.max_bytes:
        problems.append(
            _item(
                "too-large-uncompressed",
                f"Unpacked, the archive would be {declared >> 20} MB; at most {limits.max_bytes >> 20} MB.",
            )
        )
    parents = {path.parent for _, path in files}
    if len(parents) > 1 or any(len(parent.parts) > 1 for parent in parents):
        problems.append(
            _item("nested-folders", "The files must sit at the top of the zip, or all in one folder: the import folder is flat.")
        )
    names = [path.name for _, path in files]
    if not problems and not any(name.lower().endswith(".json") for name in names):
        problems.append(_item("empty-archive", "The archive holds no review files (*.json)."))
    if problems:
        # Every problem, up to a point: a crafted zip may hold millions of bad entries.
        shown = problems[:MAX_LISTED]
        raise refused(f"The archive cannot be imported: {len(problems)} problem(s); nothing was imported.", shown)
    return [(info, path.name) for info, path in files]


def _extract(bundle: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    """One entry, never past its declared size (a header that lies about it is a bomb)."""
    written = 0
    try:
        with bundle.open(info) as source, target.open("xb") as sink:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > info.file_size:
                    raise refused(
                        "The archive cannot be imported.",
                        [_item("unsafe-entry", f"'{info.filename}' unpacks to more than the size it declares.")],
                    )
                sink.write(chunk)
    except FileExistsError:  # the same name twice: its first copy is there already
        raise refused(
            "The archive cannot be imported.", [_item("duplicate-file", f"'{info.filename}' is in the zip twice.")]
        ) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise refused(
            "The archive is not a readable zip.",
            [_item("not-a-zip", f"'{info.filename}' cannot be unpacked ({type(exc).__name__}).")],
        ) from None


def _unpack_ndjson(archive: IO[bytes], into: Path, *, limits: ArchiveLimits) -> None:
    """Each non-blank line becomes `line-000001.json` (the reader's problems then name the line)."""
    count = 0
    for number, line in enumerate(archive, start=1):
        if not line.strip():
            continue
        count += 1
        if count > limits.max_files:
            raise refused(
                "The archive cannot be imported.",
                [_item("too-many-files", f"The archive holds more than {limits.max_files} reviews.")],
            )
        (into / line_file(number)).write_bytes(line)
    if count == 0:
        raise refused("The archive cannot be imported.", [_item("empty-archive", "The NDJSON holds no reviews (no lines).")])


def line_file(number: int) -> str:
    """The file a line of NDJSON is read as: sorted by name, the lines keep their order."""
    return f"line-{number:06d}.json"


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
