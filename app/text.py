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

import unicodedata
from collections.abc import Iterator

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
    """Each refused character of `text` with its index, in order."""
    for index, character in enumerate(text):
        category = unicodedata.category(character)
        if multiline and (character in LINE_BREAKS or (character == ZERO_WIDTH_JOINER and _joins_an_emoji(text, index))):
            continue
        if category in REFUSED_CATEGORIES or category in LINE_BREAK_CATEGORIES:
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
