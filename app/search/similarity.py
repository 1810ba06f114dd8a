"""How alike two recommendations are, from the pair alone (ADR 0027).

A score never reads a statistic of the corpus (a term's document frequency, an average length):
those count reviews the caller may not read (ADR 0022). Backends only find candidates; this module
scores every pair, on every backend, so the order and the scores are the same everywhere.
"""

from __future__ import annotations

from app.search.query import STOPWORDS, words

# At most this many of a recommendation's distinct terms are sent to find candidates (a text may
# hold 10,000 characters); the scorer still compares the whole term sets.
MAX_QUERY_TERMS = 200


def terms(text: str) -> frozenset[str]:
    """The meaningful terms of a text: its lower-cased words without the stopwords. No stemming:
    no stemmer is a dependency, and the same words on both sides is what a reworded copy keeps."""
    return frozenset(w for w in words(text) if w not in STOPWORDS)


def query_terms(text: str) -> list[str]:
    """The distinct terms to find candidates with, in the order they first appear."""
    seen: dict[str, None] = {}
    for word in words(text):
        if word not in STOPWORDS:
            seen.setdefault(word)
    return list(seen)[:MAX_QUERY_TERMS]


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """The Dice coefficient of two term sets, 0 to 1, rounded to 6 places: 2|a∩b| / (|a| + |b|)."""
    if not a or not b:
        return 0.0
    return round(2 * len(a & b) / (len(a) + len(b)), 6)
