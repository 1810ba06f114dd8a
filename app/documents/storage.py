"""Where document bytes live: a folder, one file per content (named by its sha256), written atomically.

An upload is received into a temporary file, checked, and only then kept. A kept file is never
overwritten: a replaced document's bytes stay, so nothing is lost. The one exception is a file that
held text an administrator redacted (ADR 0038), removed by `remove`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


@dataclass
class Received:
    path: Path
    sha256: str
    size: int
    head: bytes


class DocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def remove(self, sha256: str) -> None:
        """The one deletion: a file that held redacted text (ADR 0038), once nothing else names it."""
        self.path_of(sha256).unlink(missing_ok=True)

    def receive(self, source: BinaryIO) -> Received:
        """Copy an upload into a temporary file of the store, hashing it on the way."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size, head = hashlib.sha256(), 0, b""
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as target:
                while chunk := source.read(CHUNK):
                    if not head:
                        head = chunk[:1024]
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
                target.flush()
                os.fsync(target.fileno())
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return Received(path=Path(temporary), sha256=digest.hexdigest(), size=size, head=head)

    def keep(self, received: Received) -> Path:
        final = self.path_of(received.sha256)
        final.parent.mkdir(exist_ok=True)
        os.replace(received.path, final)
        return final

    def discard(self, received: Received) -> None:
        received.path.unlink(missing_ok=True)
