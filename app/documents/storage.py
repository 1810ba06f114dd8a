"""Where document bytes live: one object per content, named by its SHA-256, written once.

Two stores, chosen by configuration (`REGISTRY_DOCUMENTS_STORE`, ADR 0043): a folder (the embedded
default), or a bucket of S3-compatible object storage with the folder as its local cache. An upload
is received into a temporary file, checked, and only then kept. A kept object is never overwritten:
a replaced document's bytes stay, so nothing is lost. The one exception is a file that held text an
administrator redacted (ADR 0038), removed by `remove`. Every read checks the bytes against their
name, so a damaged file is never served as the document.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from app.errors import ServiceUnavailable

if TYPE_CHECKING:
    from app.config import Settings

logger = logging.getLogger("app.documents")

CHUNK = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
# An upload being received: not yet a document, never referenced.
IN_FLIGHT = ".upload-"


class DocumentDamaged(Exception):
    """The stored bytes are not the ones their checksum names."""

    def __init__(self, where: str, sha256: str, actual: str) -> None:
        super().__init__(f"{where} holds content of SHA-256 {actual}, not {sha256}")


class StoreUnavailable(ServiceUnavailable):
    """The object storage did not answer, or refused the registry's credentials: 503, nothing changed."""

    def __init__(self, reason: str) -> None:
        logger.warning("document store: %s", reason)
        super().__init__("The document store is not answering.", headers={"Retry-After": "5"})


@dataclass
class Received:
    path: Path
    sha256: str
    size: int
    head: bytes


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as content:
        while chunk := content.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class DocumentStore(Protocol):
    def receive(self, source: BinaryIO) -> Received:
        """Copy an upload into a temporary file, hashing it on the way."""

    def keep(self, received: Received) -> None:
        """Store a received upload under its checksum (a no-op when those bytes are stored)."""

    def discard(self, received: Received) -> None: ...

    def fetch(self, sha256: str) -> Path:
        """A local file holding exactly these bytes, checked; FileNotFoundError when they are not
        stored, DocumentDamaged when what is stored is not them."""

    def remove(self, sha256: str) -> None:
        """The one deletion: a file that held redacted text (ADR 0038), once nothing else names it."""

    def inventory(self) -> Iterator[tuple[str, str | None]]:
        """Every stored object, in a stable order: where it is, and the checksum it is stored
        under (None for a stray object, not where the registry would put one)."""

    def is_empty(self) -> bool: ...


class FolderStore:
    """A folder of files, `<root>/<first two hex digits>/<sha256>`, each written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def receive(self, source: BinaryIO) -> Received:
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size, head = hashlib.sha256(), 0, b""
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=IN_FLIGHT)
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

    def keep(self, received: Received) -> None:
        final = self.path_of(received.sha256)
        final.parent.mkdir(exist_ok=True)
        os.replace(received.path, final)

    def discard(self, received: Received) -> None:
        received.path.unlink(missing_ok=True)

    def fetch(self, sha256: str) -> Path:
        path = self.path_of(sha256)
        if not path.is_file():
            raise FileNotFoundError(path)
        if (actual := sha256_of(path)) != sha256:
            raise DocumentDamaged(str(path), sha256, actual)
        return path

    def remove(self, sha256: str) -> None:
        self.path_of(sha256).unlink(missing_ok=True)

    def inventory(self) -> Iterator[tuple[str, str | None]]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith(IN_FLIGHT):
                named = _SHA256.fullmatch(path.name) is not None and path == self.path_of(path.name)
                yield str(path), path.name if named else None

    def is_empty(self) -> bool:
        return not self.root.exists() or not any(self.root.iterdir())


class BucketStore:
    """A bucket of S3-compatible object storage, keys `<prefix><first two hex digits>/<sha256>`.
    The folder is its local cache: uploads are received there, and a read downloads an object into
    it once (the bytes under one name never change) and checks it there on every read."""

    def __init__(self, client: Any, bucket: str, prefix: str, cache: FolderStore) -> None:
        self.client = client  # boto3's S3 client (typed only by a stubs package)
        self.bucket, self.prefix, self.cache = bucket, prefix, cache

    def key_of(self, sha256: str) -> str:
        return f"{self.prefix}{sha256[:2]}/{sha256}"

    def receive(self, source: BinaryIO) -> Received:
        return self.cache.receive(source)

    def keep(self, received: Received) -> None:
        # The checksum goes with the bytes: the store refuses an upload that arrives otherwise.
        with received.path.open("rb") as content, self._answering(self.key_of(received.sha256)):
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.key_of(received.sha256),
                Body=content,
                ContentType="application/pdf",
                ChecksumSHA256=base64.b64encode(bytes.fromhex(received.sha256)).decode(),
            )
        self.cache.keep(received)

    def discard(self, received: Received) -> None:
        self.cache.discard(received)

    def fetch(self, sha256: str) -> Path:
        try:
            return self.cache.fetch(sha256)
        except FileNotFoundError:
            pass  # not cached yet: download it
        except DocumentDamaged:
            self.cache.remove(sha256)  # the cache's copy is bad, not necessarily the bucket's
        self.cache.root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.cache.root, prefix=IN_FLIGHT)
        os.close(handle)
        try:
            with self._answering(self.key_of(sha256)):
                self.client.download_file(self.bucket, self.key_of(sha256), temporary)
            if (actual := sha256_of(Path(temporary))) != sha256:
                raise DocumentDamaged(self._url_of(self.key_of(sha256)), sha256, actual)
            final = self.cache.path_of(sha256)
            final.parent.mkdir(exist_ok=True)
            os.replace(temporary, final)
            return final
        finally:
            Path(temporary).unlink(missing_ok=True)

    def remove(self, sha256: str) -> None:
        with self._answering(self.key_of(sha256)):
            self.client.delete_object(Bucket=self.bucket, Key=self.key_of(sha256))
        self.cache.remove(sha256)

    def inventory(self) -> Iterator[tuple[str, str | None]]:
        # Page by page (a thousand keys each), so that `is_empty` reads one page, not the bucket.
        with self._answering(self.prefix):
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    key = item["Key"]
                    name = key.rsplit("/", 1)[-1]
                    named = _SHA256.fullmatch(name) is not None and key == self.key_of(name)
                    yield self._url_of(key), name if named else None

    def _url_of(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    @contextmanager
    def _answering(self, key: str) -> Iterator[None]:
        """botocore's errors as the store's: a missing object, or a store that is not answering."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                raise FileNotFoundError(self._url_of(key)) from None
            raise StoreUnavailable(f"the object storage refused {exc.operation_name}") from None
        except BotoCoreError as exc:
            raise StoreUnavailable(f"the object storage is not answering ({type(exc).__name__})") from None

    def is_empty(self) -> bool:
        return next(self.inventory(), None) is None


def build_document_store(settings: Settings) -> DocumentStore:
    folder = FolderStore(settings.documents_dir)
    if settings.documents_store == "folder":
        return folder
    import boto3
    from botocore.config import Config

    # A request a store does not answer is tried three times in all, then answered 503 (a request
    # thread is not held for boto3's default of five attempts with a minute's timeouts).
    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=30)
    client = boto3.client("s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region, config=config)
    return BucketStore(client, settings.s3_bucket or "", settings.s3_prefix, folder)
