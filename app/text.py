"""Which characters a text may hold, so that what a reader sees is what was written (ADR 0019).

Format characters (Unicode category Cf: bidirectional overrides and isolates, zero-width spaces and
joiners, the byte order mark, the soft hyphen) and control characters (Cc) can reorder or hide
text: `Child \\u202eA gnp.exe` shows as `Child exe.png A`. Surrogates (Cs) are never text and
private-use characters (Co) mean nothing outside one system (two of them mark search highlights).
One-line text refuses all of these and the line and paragraph separators (Zl, Zp); multi-line
text also allows line feed, carriage return and tab, and a zero width joiner inside an emoji
sequence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})
LINE_BREAK_CATEGORIES = frozenset({"Zl", "Zp"})
LINE_BREAKS = frozenset("\n\r\t")
ZERO_WIDTH_JOINER = "\u200d"
# What may stand either side of a zero width joiner in an emoji sequence (a man, woman, girl; a
# woman, skin tone, health worker; a white flag, emoji presentation, rainbow).
_EMOJI_BEFORE_JOINER = frozenset({"So", "Sk"})
_EMOJI_PRESENTATION = "\ufe0f"

# Control characters have no Unicode name; these are the ones worth naming.
_CONTROL_NAMES = {
    "\x00": "NULL",
    "\t": "CHARACTER TABULATION",
    "\n": "LINE FEED",
    "\x0b": "LINE TABULATION",
    "\x0c": "FORM FEED",
    "\r": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
    "\x85": "NEXT LINE",
}


def describe(character: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`: a character named without showing it."""
    name = (
        unicodedata.name(character, "")
        or _CONTROL_NAMES.get(character)
        or {
            "Cc": "(a control character)",
            "Cs": "(a lone surrogate)",
            "Co": "(a private-use character)",
        }.get(unicodedata.category(character), "")
    )
    return f"U+{ord(character):04X} {name}".rstrip()


def _joins_an_emoji(text: str, index: int) -> bool:
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    return (
        bool(before)
        and bool(after)
        and (before == _EMOJI_PRESENTATION or unicodedata.category(before) in _EMOJI_BEFORE_JOINER)
        and unicodedata.category(after) == "So"
    )


def refused_characters(text: str, *, multiline: bool) -> Iterator[tuple[int, str]]:
    """Each refused character of `text` with its index, in order. Found by one regex, a class of
    every refused character: a report's 40 KB read character by character in Python was more than
    half of an import's time (measured, docs/benchmarks.md). Most text is ASCII, which a class of
    the ASCII characters alone scans 6x faster than the whole class does (a fifth of an import)."""
    for found in _refused_pattern(multiline=multiline, ascii_only=text.isascii()).finditer(text):
        index, character = found.start(), found.group()
        if multiline and character == ZERO_WIDTH_JOINER and _joins_an_emoji(text, index):
            continue
        yield index, character


def first_refused(text: str, *, multiline: bool) -> str | None:
    """Why `text` is refused (its first refused character, described), or None when it is fine."""
    for index, character in refused_characters(text, multiline=multiline):
        return f"{describe(character)} (character {index + 1})"
    return None


def without_refused(text: str) -> str:
    """Multi-line text with every refused character taken out: for text the registry extracts
    itself (a PDF's), which no client can be asked to correct."""
    refused = {index for index, _ in refused_characters(text, multiline=True)}
    return "".join(character for index, character in enumerate(text) if index not in refused) if refused else text


# The whitespace the request models strip from both ends: pydantic's str_strip_whitespace strips
# Unicode's White_Space, which is not quite what Python's str.strip() or a regex's \s take.
_WHITESPACE = "\t\n\x0b\x0c\r\x20\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"

# The refused characters of the supplementary private-use planes (15 and 16), as a range of their
# own: 131,068 characters, which a test generator spells out one by one if they stand in a class
# of characters it must draw from. In a `not`, they are only ever matched.
_PRIVATE_PLANES = [(0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)]


def _escaped(character: str) -> str:
    # An escape both JSON Schema's regex dialect and Python's read alike; a character outside the
    # Basic Multilingual Plane has none in common, so it stands as itself.
    return f"\\u{ord(character):04x}" if ord(character) <= 0xFFFF else character


def _as_class(ranges: list[tuple[int, int]]) -> str:
    return "".join(
        _escaped(chr(first)) if first == last else f"{_escaped(chr(first))}-{_escaped(chr(last))}" for first, last in ranges
    )


@cache
def _refused_ranges(*, multiline: bool) -> tuple[tuple[int, int], ...]:
    """The refused characters in ranges, but the private-use planes. A zero width joiner is in
    them even for multi-line text: a schema cannot say "only inside an emoji". Lone surrogates are
    not: no validator's regex can name them (Rust's cannot hold them at all), and I-JSON (RFC
    7493), which the registry's JSON is, has no strings that carry them."""
    allowed = sorted(ord(character) for character in LINE_BREAKS) if multiline else []
    ranges: list[tuple[int, int]] = []
    for first, last in _refused_or_line_break():
        for code in [c for c in allowed if first <= c <= last]:
            if first < code:
                ranges.append((first, code - 1))
            first = code + 1
        if first <= last:
            ranges.append((first, last))
    return tuple(ranges)


@cache
def _refused_or_line_break() -> tuple[tuple[int, int], ...]:
    """Every code point below the private-use planes, but the surrogates, whose category is refused
    or a line break, in ranges: read once for both kinds of text (each reading is a sixth of a
    second of a process's first check)."""
    ranges: list[list[int]] = []
    for code in range(_PRIVATE_PLANES[0][0]):
        category = unicodedata.category(chr(code))
        if category != "Cs" and (category in REFUSED_CATEGORIES or category in LINE_BREAK_CATEGORIES):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return tuple((first, last) for first, last in ranges)


@cache
def _refused_pattern(*, multiline: bool, ascii_only: bool = False) -> re.Pattern[str]:
    """A class of every refused character: the ranges, the private-use planes and the surrogates;
    for text known to be ASCII, the ranges' ASCII part."""
    ranges = [*_refused_ranges(multiline=multiline), *_PRIVATE_PLANES, (0xD800, 0xDFFF)]
    if ascii_only:
        ranges = [(first, min(last, 0x7F)) for first, last in ranges if first <= 0x7F]
    return re.compile("[" + "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in ranges) + "]")


def schema_of_text(*, multiline: bool, min_length: int = 0, in_form: bool = False) -> dict[str, object]:
    """The JSON Schema keywords of a text the registry takes: `pattern`, none of its refused
    characters; `not`, none from the private-use planes, nor fewer than `min_length` characters
    once the whitespace at both ends is stripped (as the request models do). Stricter than the
    check only about a zero width joiner. A form field (`in_form`) is not stripped, and has its
    `pattern` alone: Schemathesis cannot judge a `not` inside a form with a file in it."""
    refused = list(_refused_ranges(multiline=multiline))
    if in_form:
        return {"pattern": f"^[^{_as_class([*refused, *_PRIVATE_PLANES])}]*$"}
    keywords: dict[str, object] = {"pattern": f"^[^{_as_class(refused)}]*$"}
    barred = [f"[{_as_class(_PRIVATE_PLANES)}]"]
    if min_length > 0:
        blank = _as_class([(ord(c), ord(c)) for c in _WHITESPACE])
        barred.append(f"^[{blank}]*[^{blank}]{{0,{min_length - 1}}}[{blank}]*$")
    keywords["not"] = {"pattern": "|".join(barred)}
    return keywords
