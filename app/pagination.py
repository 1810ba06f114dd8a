"""Opaque cursors for keyset pagination."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from app.errors import InvalidInput, ProblemItem

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def encode_cursor(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, keys: tuple[str, ...]) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        position = None
    if not isinstance(position, dict) or set(position) != set(keys):
        raise invalid_cursor()
    return position


def decode_row_id(cursor: str, *, key: str) -> int:
    """The row id a cursor of one key holds: an int (a bool is one to isinstance) that fits a
    64-bit column, so no driver fails on it."""
    row_id = decode_cursor(cursor, keys=(key,))[key]
    if type(row_id) is not int or not 0 <= row_id < 2**63:
        raise invalid_cursor()
    return row_id


def invalid_cursor() -> InvalidInput:
    return InvalidInput(
        "The cursor is not one this API gave out.",
        errors=[
            ProblemItem(
                code="invalid-cursor",
                detail="Use next_cursor from the previous page, unchanged.",
                location="query",
                field="cursor",
            )
        ],
    )
