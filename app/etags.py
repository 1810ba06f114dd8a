"""Entity tags for optimistic concurrency: GET gives `ETag`, writes need a matching `If-Match`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from app.errors import PreconditionFailed, PreconditionRequired

# RFC 9110 8.8.3: an entity tag is quoted, optionally marked weak with W/.
_ENTITY_TAG = re.compile(r'(W/)?"[\x21\x23-\x7e\x80-\xff]*"')


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int, *, what: str) -> None:
    """428 without If-Match; 412 unless one of its (strong) tags is the current version or `*`."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(f"Send If-Match with the ETag of the {what} you read, so nobody's change is overwritten.")
    tags = {tag.strip() for tag in if_match.split(",")}
    if not all(tag == "*" or _ENTITY_TAG.fullmatch(tag) for tag in tags):
        # Not a precondition at all, so none was sent: 428, not a 412 that would send the client
        # to read the resource again and repeat the same mistake (ADR 0023).
        raise PreconditionRequired(
            f'If-Match holds ETags in double quotes, exactly as the ETag header gave them: If-Match: "{version}"'
            f" for the {what} you read, not If-Match: {version}."
        )
    if "*" in tags or etag(version) in tags:
        return
    raise PreconditionFailed(
        f"The {what} has changed since you read it (it is now version {version}). Read it again and reapply your change."
    )


def with_etag(status: int = 200, description: str = "Success", *, location: bool = False) -> dict[int | str, dict[str, object]]:
    """OpenAPI: the success response carries an ETag header (and the new resource's `Location`)."""
    headers: dict[str, object] = {
        "ETag": {
            "description": "The version; send it back as `If-Match` to change this resource.",
            "schema": {"type": "string"},
        }
    }
    if location:
        headers["Location"] = {"description": "The path of the resource created.", "schema": {"type": "string"}}
    return {status: {"description": description, "headers": headers}}


@contextmanager
def lost_race_is_412(what: str) -> Iterator[None]:
    """Around a flush: a writer whose UPDATE ... WHERE version = <read> matched nothing lost a
    race to another writer, and hears 412 rather than silently winning."""
    try:
        yield
    except StaleDataError:
        raise PreconditionFailed(f"The {what} changed while your request was being handled. Read it again.") from None
