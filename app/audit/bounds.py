"""Making what a caller controls fit the audit row, so the row is always written.

A subject comes from a token or a sign-in form, a target id from a path or a body, a client
address from the ASGI server (behind a proxy, from a forwarded header). PostgreSQL refuses a value
longer than its column, and any text holding NUL; an attempt whose row cannot be written would go
unrecorded. Each value is cut to its column's length here instead, marked so a reader can see it
was cut. The limits are the model's own, never repeated.
"""

from __future__ import annotations

import ipaddress
from typing import overload

from app.audit.models import AuditEvent
from app.columns import table_of

CUT = "…"  # ends a value that was too long for its column
_NUL_STAND_IN = "\ufffd"


def limit_of(column: str) -> int:
    length = getattr(table_of(AuditEvent).c[column].type, "length", None)  # a VARCHAR(n) column's n
    assert isinstance(length, int), f"{column} has no length limit"
    return length


@overload
def fit(value: str, column: str) -> str: ...
@overload
def fit(value: None, column: str) -> None: ...
@overload
def fit(value: str | None, column: str) -> str | None: ...
def fit(value: str | None, column: str) -> str | None:
    """The value, without NUL and cut to the column's length (its last character then says so)."""
    if value is None:
        return None
    value = value.replace("\x00", _NUL_STAND_IN)
    limit = limit_of(column)
    return value if len(value) <= limit else value[: limit - len(CUT)] + CUT


def client_address(value: str | None) -> str | None:
    """A valid IP address in its canonical text, an IPv4-mapped IPv6 address as the IPv4 one (so
    one address is counted as one, however written); anything else the server reported, fitted
    like any other caller-controlled text."""
    if value is None:
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return fit(value, "client_address")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return fit(str(address), "client_address")
