"""The languages the registry speaks (English, and Welsh as the Welsh Language Standards require),
and which of them a caller asked for."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    """ISO 639-1 codes: a review's original language, and the language of an answer."""

    en = "en"
    cy = "cy"


def negotiate(accept_language: str | None) -> Language:
    """The language an `Accept-Language` header prefers among those the registry speaks (RFC 9110
    12.5.4: the highest q-value; a tag's primary subtag, so `cy-GB` is Welsh); English otherwise."""
    best, best_q = Language.en, 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().lower().split("-")[0]
        # An earlier tag wins a tie; "*" (any) and unknown languages leave English.
        if primary in Language.__members__ and q > best_q:
            best, best_q = Language(primary), q
    return best


def spoken_in(language: Language) -> dict[str, str]:
    """The headers of an answer whose words depend on Accept-Language."""
    return {"Content-Language": language.value, "Vary": "Accept-Language"}
