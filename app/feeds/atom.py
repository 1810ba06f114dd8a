"""Atom 1.0 documents (RFC 4287), built with the standard library's XML writer, which escapes every
text and attribute: a review's title or summary can never become markup."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
GENERATOR = "Safeguarding Reviews Registry"
# The namespace of the registry's uuid5 identifiers (a review id that is not itself a UUID).
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:safeguarding-registry")


def urn_of(kind: str, key: str) -> str:
    """A urn:uuid IRI: the key itself when it is a UUID, else a uuid5 derived from it (stable)."""
    try:
        return uuid.UUID(key).urn
    except ValueError:
        return uuid.uuid5(_NAMESPACE, f"{kind}:{key}").urn


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: datetime
    link: str
    summary: str | None
    author: str
    categories: tuple[tuple[str, str], ...] = ()  # (scheme, term)


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    updated: datetime
    self_link: str
    entries: list[Entry]
    subtitle: str | None = None


# What XML 1.0 cannot carry at all; text stored before today's input rules may still hold it (ADR 0019).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = _NOT_XML.sub("\ufffd", value)
    return element


def render(feed: Feed) -> bytes:
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "id", feed.id)
    _text(root, "title", feed.title)
    if feed.subtitle:
        _text(root, "subtitle", feed.subtitle)
    _text(root, "updated", _stamp(feed.updated))
    ET.SubElement(root, f"{{{ATOM}}}link", rel="self", type=MEDIA_TYPE, href=feed.self_link)
    _text(ET.SubElement(root, f"{{{ATOM}}}author"), "name", GENERATOR)
    _text(root, "generator", GENERATOR)
    for item in feed.entries:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        _text(entry, "id", item.id)
        _text(entry, "title", item.title)
        _text(entry, "updated", _stamp(item.updated))
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="application/json", href=item.link)
        _text(ET.SubElement(entry, f"{{{ATOM}}}author"), "name", item.author)
        for scheme, term in item.categories:
            ET.SubElement(entry, f"{{{ATOM}}}category", scheme=scheme, term=term)
        if item.summary:
            _text(entry, "summary", item.summary).set("type", "text")
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document
