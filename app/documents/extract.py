"""Reading PDFs safely: in a separate process, with limits on time, memory and pages.

A hostile PDF (a decompression bomb, an endless object graph) can only exhaust that process,
which is then killed; the server answers clearly either way.

Run as `python -m app.documents.extract FILE MAX_PAGES` it prints one JSON object:
`{"pages": n, "encrypted": false, "text": "..."}` or `{"error": "damaged" | "encrypted"}`.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from app.text import without_refused

MEMORY_LIMIT_BYTES = 1 << 30
MAX_TEXT_CHARS = 5_000_000


class UnreadablePdf(Exception):
    """The PDF is damaged, encrypted, or too costly to read. `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class PdfContents:
    pages: int
    text: str


def read_pdf(path: Path, *, max_pages: int, timeout_seconds: float) -> PdfContents:
    """The page count and the text of the first `max_pages` pages (none when max_pages is 0)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "app.documents.extract", str(path), str(max_pages)],
            capture_output=True,
            timeout=timeout_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UnreadablePdf("too-slow") from None
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        raise UnreadablePdf("too-costly" if done.returncode < 0 else "damaged") from None
    if "error" in answer:
        raise UnreadablePdf(answer["error"])
    # The report's own hidden characters (soft hyphens, direction marks) are not the board's to
    # correct: they are dropped, so the text reads as the API's rules for text allow (ADR 0019).
    return PdfContents(pages=answer["pages"], text=without_refused(answer["text"]))


def _read(path: str, max_pages: int) -> dict[str, object]:
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


if __name__ == "__main__":
    # The limit is set here, in the child, rather than through preexec_fn (unsafe with threads).
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    print(json.dumps(_read(sys.argv[1], int(sys.argv[2]))))
