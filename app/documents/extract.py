"""Reading PDFs safely: in a separate process, with limits on time, memory and pages.

A hostile PDF (a decompression bomb, an endless object graph) can only exhaust that process,
which is then killed; the server answers clearly either way.

Each PDF is read in a process of its own, forked from a fork server that has pypdf loaded already
(multiprocessing's "forkserver"): a fresh process with nothing of the server's in it (no threads, no
connections, no secrets in memory), started in milliseconds rather than the second a new Python
takes. The child sets its own 1 GiB address-space limit and answers one dict through a pipe:
`{"pages": n, "text": "..."}`, `{"error": "damaged" | "encrypted" | "too-costly"}`, or
`{"error": "active-content", "found": ["/JavaScript", ...]}`.
"""

from __future__ import annotations

import multiprocessing
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pypdf import PdfReader

from app.text import without_refused

MEMORY_LIMIT_BYTES = 1 << 30
MAX_TEXT_CHARS = 5_000_000

# The fork server is started on the first read, once per server process, and loads this module
# and pypdf before it forks any reader.
_READERS = multiprocessing.get_context("forkserver")
_READERS.set_forkserver_preload(["app.documents.extract", "pypdf"])

# What makes a PDF act rather than show pages: scripts, launching programs, carried files, forms that
# send data away, embedded players. Names as pypdf decodes them (`/J#61vaScript` is `/JavaScript`).
ACTIVE_KEYS = frozenset(
    {"/JavaScript", "/JS", "/AA", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/RichMedia", "/RichMediaContent", "/XFA"}
)
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMediaExecute"}
)  # an action's /S
ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/FileAttachment", "/RichMedia"})  # a /Type or /Subtype


class UnreadablePdf(Exception):
    """The PDF is damaged, encrypted, too costly to read, or carries refused active content. `reason`
    says which; `found` names the active content."""

    def __init__(self, reason: str, found: list[str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.found = found or []


@dataclass
class PdfContents:
    pages: int
    text: str


def read_pdf(path: Path, *, max_pages: int, timeout_seconds: float, refuse_active_content: bool = False) -> PdfContents:
    """The page count and the text of the first `max_pages` pages (none when max_pages is 0).
    `refuse_active_content`: a PDF with scripts, actions or attached files is refused (`active-content`)."""
    receiver, sender = _READERS.Pipe(duplex=False)
    child = _READERS.Process(target=_child, args=(str(path), max_pages, refuse_active_content, sender), daemon=True)
    child.start()
    sender.close()  # the child holds the only sending end: a child that dies unanswered is an EOF
    try:
        if not receiver.poll(timeout_seconds):
            raise UnreadablePdf("too-slow")
        answer = receiver.recv()
    except EOFError:
        child.join()
        raise UnreadablePdf("too-costly" if (child.exitcode or 0) < 0 else "damaged") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if "error" in answer:
        raise UnreadablePdf(answer["error"], answer.get("found"))
    # The report's own hidden characters (soft hyphens, direction marks) are not the board's to
    # correct: they are dropped, so the text reads as the API's rules for text allow (ADR 0019).
    return PdfContents(pages=answer["pages"], text=without_refused(answer["text"]))


def _child(path: str, max_pages: int, refuse_active_content: bool, sender: Connection) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    sender.send(_read(path, max_pages, refuse_active_content=refuse_active_content))


def _read(path: str, max_pages: int, *, refuse_active_content: bool) -> dict[str, object]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.disable(logging.WARNING)  # pypdf warns about every oddity; the answer says what matters
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            return {"error": "encrypted"}
        pages = len(reader.pages)
        if pages == 0:
            return {"error": "damaged"}
        if refuse_active_content and (found := active_content(reader)):
            return {"error": "active-content", "found": found}
        parts, length = [], 0
        for page in reader.pages[:max_pages]:
            text = page.extract_text() or ""
            parts.append(text)
            length += len(text)
            if length > MAX_TEXT_CHARS:
                break
        if max_pages == 0:
            reader.pages[0].extract_text()  # a structure check: the first page must be readable
        return {"pages": pages, "text": "\n".join(parts)[:MAX_TEXT_CHARS]}
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        return {"error": "damaged"}
    except MemoryError:
        return {"error": "too-costly"}
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on hostile input; all mean "cannot read"
        return {"error": "damaged"}


def active_content(reader: PdfReader) -> list[str]:
    """The active content names anywhere in the file: every object the cross-reference lists (those
    inside compressed object streams too) and the trailer, whether or not the page tree reaches it,
    since readers differ in what they follow."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    found: set[str] = set()
    objects: list[object] = [reader.trailer]
    objects += [IndirectObject(number, generation, reader) for generation, numbers in reader.xref.items() for number in numbers]
    objects += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    while objects:
        item = objects.pop()
        if isinstance(item, IndirectObject):
            item = item.get_object()  # each numbered object is listed once above: no cycles
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in ACTIVE_KEYS:
                    found.add(key)
                named = value.get_object() if key in ("/S", "/Type", "/Subtype") and isinstance(value, IndirectObject) else value
                if isinstance(named, NameObject) and (
                    (key == "/S" and named in ACTIVE_ACTIONS) or (key in ("/Type", "/Subtype") and named in ACTIVE_TYPES)
                ):
                    found.add(str(named))
                if isinstance(value, (DictionaryObject, ArrayObject)):
                    objects.append(value)
        elif isinstance(item, ArrayObject):
            objects += [value for value in item if isinstance(value, (DictionaryObject, ArrayObject))]
    if _opens_with_an_action(reader):
        found.add("/OpenAction")
    return sorted(found)


def _opens_with_an_action(reader: PdfReader) -> bool:
    """Opening the file runs an action other than going to a page (a bare destination is harmless)."""
    from pypdf.generic import DictionaryObject

    catalog = reader.trailer.get("/Root")
    catalog = catalog.get_object() if catalog is not None else None
    action = catalog.get("/OpenAction") if isinstance(catalog, DictionaryObject) else None
    action = action.get_object() if action is not None else None
    return isinstance(action, DictionaryObject) and action.get("/S") != "/GoTo"
