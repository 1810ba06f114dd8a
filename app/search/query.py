"""What a person types into the search box, parsed once and rendered for each backend.

Any text is a valid query: quotes, hyphens, `AND`, `OR`, a lone `-`, emoji. The same parse feeds
PostgreSQL (websearch_to_tsquery), SQLite FTS5 and OpenSearch, and the same stopword list is
dropped for all three, so the backends agree on what matches.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from app.language import Language

# PostgreSQL's `english` stopword list (Snowball), used by every backend.
STOPWORDS = frozenset(
    [
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "it",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "should",
        "now",
    ]
)

_TOKEN = re.compile(r'"[^"]*"?|\S+')
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_CLAUSES = 32


@dataclass
class ParsedQuery:
    """AND of `required` clauses; each clause is an OR of alternatives; each alternative a phrase
    (a tuple of words: one word is a term). `excluded` alternatives must not match."""

    required: list[list[tuple[str, ...]]] = field(default_factory=list)
    excluded: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.required


@dataclass(frozen=True)
class SearchQuery:
    """What was typed, read as English (its stopwords dropped, as the English index drops them) and
    as Welsh (every word kept: the Welsh index has no stopwords, and English ones are Welsh words,
    "a" and "i", or become them once folded, "cân"). A review matches if it matches either reading in
    that language's text (ADR 0045)."""

    english: ParsedQuery
    welsh: ParsedQuery

    @property
    def is_empty(self) -> bool:
        return self.welsh.is_empty  # the Welsh reading keeps every word the English one keeps

    def readings(self) -> list[tuple[Language, ParsedQuery]]:
        """Each language's reading that has something to match."""
        found = [(Language.en, self.english), (Language.cy, self.welsh)]
        return [(language, query) for language, query in found if not query.is_empty]


def fold(word: str) -> str:
    """The word without its diacritics ("ŵyr" -> "wyr"), as every backend's index folds it."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORD.findall(text))


def words(text: str) -> tuple[str, ...]:
    """A text's words as the parser reads them: runs of letters and digits, lower-cased, stopwords kept."""
    return _words(text)


def _meaningful(words: tuple[str, ...], stopwords: frozenset[str]) -> tuple[str, ...]:
    """A phrase keeps its stopwords (they hold positions) unless it is only stopwords."""
    if len(words) == 1 or all(fold(w) in stopwords for w in words):
        return tuple(w for w in words if fold(w) not in stopwords)
    return words


def parse_search(text: str) -> SearchQuery:
    return SearchQuery(english=parse(text), welsh=parse(text, stopwords=frozenset()))


def parse(text: str, *, stopwords: frozenset[str] = STOPWORDS) -> ParsedQuery:
    """The query as English reads it; `stopwords=frozenset()` keeps every word (Welsh). A stopword is
    compared without diacritics: the indexes fold "cân" to "can" before they drop it."""
    query = ParsedQuery()
    pending_or = False
    for token in _TOKEN.findall(text):
        if token == "OR":
            pending_or = bool(query.required)
            continue
        if token in ("AND", "-"):
            continue
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        # An unquoted hyphenated or punctuated word is several terms, each required.
        quoted = body.startswith('"')
        alternatives = (
            [_meaningful(_words(body), stopwords)] if quoted else [(w,) for w in _words(body) if fold(w) not in stopwords]
        )
        alternatives = [a for a in alternatives if a]
        if not alternatives:
            continue
        if negated:
            query.excluded.extend(alternatives)
        elif pending_or and len(alternatives) == 1:
            query.required[-1].append(alternatives[0])
        else:
            query.required.extend([a] for a in alternatives)
        pending_or = False
    query.required = query.required[:MAX_CLAUSES]
    query.excluded = query.excluded[:MAX_CLAUSES]
    return query


def _quoted(words: tuple[str, ...]) -> str:
    return '"' + " ".join(words) + '"'


def to_websearch(query: ParsedQuery) -> str:
    """For PostgreSQL's websearch_to_tsquery."""
    parts = [" OR ".join(_quoted(a) for a in clause) for clause in query.required]
    parts += ["-" + _quoted(a) for a in query.excluded]
    return " ".join(parts)


def to_fts5(query: ParsedQuery) -> str:
    """For SQLite FTS5 MATCH: every word double-quoted, so no input is FTS5 syntax."""
    parts = [to_fts5_clause(clause) for clause in query.required]
    text = " AND ".join(parts)
    if query.excluded:
        text += " NOT (" + " OR ".join(_quoted(a) for a in query.excluded) + ")"
    return text


def to_fts5_clause(clause: list[tuple[str, ...]], columns: tuple[str, ...] = ()) -> str:
    """One required clause for FTS5, limited to `columns` when given (a column filter)."""
    alternatives = "(" + " OR ".join(_quoted(a) for a in clause) + ")"
    return "{" + " ".join(columns) + "} : " + alternatives if columns else alternatives


def to_tsquery_weighted(clause: list[tuple[str, ...]], label: str) -> str:
    """One required clause for PostgreSQL's to_tsquery, matching only lexemes of weight `label`.
    Words hold letters and digits only (`_WORD`), so quoting them is enough to keep them literal."""
    return " | ".join("(" + " <-> ".join(f"'{w}':{label}" for w in a) + ")" for a in clause)
