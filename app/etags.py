"""Entity tags for optimistic concurrency: GET gives `ETag`, writes need a matching `If-Match`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from app.errors import PreconditionFailed, PreconditionRequired


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int, *, what: str) -> None:
    """428 without If-Match; 412 unless one of its (strong) tags is the current version or `*`."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            f"Send If-Match with the ETag of the {what} you read, so nobody's change is overwritten."
        )
    tags = {tag.strip() for tag in if_match.split(",")}
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
