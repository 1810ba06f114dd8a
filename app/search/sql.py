"""The SQL search backend, the embedded default: SQLite FTS5, or PostgreSQL's tsvector.

The SQL index is written by the database itself in the review's own transaction (triggers on
SQLite, a generated column on PostgreSQL: migration 0002), so `index` has nothing left to do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    table,
    text,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.auth.principals import Principal
from app.codings.models import Coding
from app.columns import table_of
from app.language import Language
from app.reviews.models import Review, ReviewTag
from app.reviews.repository import ReviewFilters, filter_clause, visibility_clause
from app.search import highlight
from app.search.backend import FACETS, RANK_TIERS, Hit, SearchDocument, SearchPage, SearchRequest, ordered
from app.search.query import ParsedQuery, SearchQuery, to_fts5, to_fts5_clause, to_tsquery_weighted, to_websearch
from app.vocab import repository as vocab
from app.vocab.enums import Vocabulary

# Migrations 0002 and 0017's SQLite structures (not models: they exist on SQLite only): an FTS5
# index per language, on one key per review.
_SEARCH_KEY = table("search_key", column("key"), column("review_id"))
_FTS_OF = {Language.en: "review_fts", Language.cy: "review_fts_cy"}
_TAG_DIMENSIONS = {"theme": "theme", "agency": "agency"}
# PostgreSQL's text search configurations (migrations 0016, 0017), which read "ŵyr" as "wyr" as
# SQLite's tokenizer and OpenSearch's analyzers do: English stemmed, Welsh neither stemmed nor stopped.
_CONFIG_OF = {Language.en: text("'registry_english'::regconfig"), Language.cy: text("'registry_welsh'::regconfig")}
_CONFIG = _CONFIG_OF[Language.en]
_VECTOR_OF: dict[Language, ColumnElement[Any]] = {
    Language.en: literal_column("review.search_vector"),
    Language.cy: literal_column("review.search_vector_cy"),
}
# The weight label each tier's fields carry in PostgreSQL's search_vector (migration 0002).
_PG_LABELS = {("title",): "A", ("summary", "recommendations"): "B", ("full_text",): "C"}
_HIT_COLUMNS = (
    col(Review.id),
    col(Review.reference),
    col(Review.region),
    col(Review.kind),
    col(Review.review_type),
    col(Review.status),
    col(Review.title),
    col(Review.title_cy),
    col(Review.completed_on),
)
_HEADLINE_OPTIONS = (
    f"StartSel={highlight.START}, StopSel={highlight.STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\ue002"
)


class SqlSearchBackend:
    name = "sql"
    indexes_in_transaction = True

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    def index(self, documents: list[SearchDocument]) -> None:
        return None

    def remove(self, review_ids: list[str]) -> None:
        return None

    def health(self) -> str:
        return "ok"

    def reindex(self, batches: Iterable[list[SearchDocument]]) -> str:
        """The SQL index is derived by the database itself; there is nothing to rebuild from here."""
        for _ in batches:
            pass
        return f"{self.dialect} full-text index (maintained by the database)"

    # --- search -----------------------------------------------------------------------------
    def search(self, session: Session, *, principal: Principal, today: date, request: SearchRequest) -> SearchPage:
        if request.query.is_empty:
            return SearchPage(total=0, hits=[], facets={name: [] for name in FACETS})
        total, facets, ranked = self._one_pass(session, principal=principal, today=today, request=request)
        # The hit's own columns only: a review's full text is tens of kilobytes, and a page needs none of it.
        rows = {row.id: row for row in session.execute(select(*_HIT_COLUMNS).where(col(Review.id).in_(list(ranked))))}
        highlights = self._highlights(session, request.query, list(ranked))
        hits = [
            Hit(**rows[review_id]._mapping, score=round(float(score), 6), highlights=highlights.get(review_id, []))
            for review_id, score in ranked.items()
        ]
        return SearchPage(total=total, hits=hits, facets=facets)

    def _one_pass(
        self, session: Session, *, principal: Principal, today: date, request: SearchRequest
    ) -> tuple[int, dict[str, list[tuple[Any, int]]], dict[str, float]]:
        """The total, every facet and the page's ranked ids, in one statement that finds the matches
        once (a MATERIALIZED CTE of each match's facet values and score) and reads them as often as
        it needs: each extra pass over the full-text index would cost as much as the ranking itself
        (issue 14); MATERIALIZED also keeps SQLite's planner from driving the tag join from review_tag
        and running the MATCH again for every tag row, which took seconds at 10,000 reviews.
        Rows: ("total", None, n, 0), (facet, value, n, 0), and ("hit", id, score, position)."""
        source, matched = self._matching(request.query)
        found = (
            select(
                col(Review.id).label("id"),
                col(Review.region).label("region"),
                col(Review.kind).label("kind"),
                col(Review.review_type).label("review_type"),
                func.extract("year", col(Review.completed_on)).label("year"),
                col(Review.completed_on).label("completed_on"),
                self._score(request.query).label("score"),
            )
            .select_from(source)
            .where(matched, visibility_clause(principal, today), filter_clause(request.filters))
            .cte("found")
            .prefix_with("MATERIALIZED")
        )
        parts: list[Select[str, str, int, int]] = [
            select(_label("total"), cast(null(), String), func.count(), literal(0)).select_from(found)
        ]
        for name in FACETS:
            if name in _TAG_DIMENSIONS:
                tag = aliased(ReviewTag)
                on = and_(col(tag.review_id) == found.c.id, col(tag.vocabulary) == _TAG_DIMENSIONS[name])
                # A review holds a tag once (review_tag's key), so its rows count reviews: no DISTINCT.
                parts.append(
                    select(_label(name), cast(tag.code, String), func.count(), literal(0))
                    .select_from(found.join(tag, on))
                    .group_by(col(tag.code))
                )
            else:
                parts.append(
                    select(_label(name), cast(found.c[name], String), func.count(), literal(0))
                    .where(found.c[name].is_not(None))
                    .group_by(found.c[name])
                )
        rank = (found.c.score.desc(), found.c.completed_on.desc().nulls_last(), found.c.id)
        page = (
            select(found.c.id, found.c.score, func.row_number().over(order_by=rank).label("position"))
            .order_by(*rank)
            .offset(request.offset)
            .limit(request.limit)
            .subquery("page")
        )
        parts.append(select(_label("hit"), page.c.id, page.c.score, page.c.position))
        total, hits = 0, []
        facets: dict[str, list[tuple[tuple[Any, ...], int]]] = {name: [] for name in FACETS}
        for part, key, n, rank in session.execute(union_all(*parts)).all():
            if part == "total":
                total = int(n)
            elif part == "hit":
                hits.append((rank, key, n))
            else:
                facets[part].append(((int(float(key)) if part == "year" else key,), int(n)))
        ranked = {review_id: score for _, review_id, score in sorted(hits)}
        return total, {name: [(key[0], n) for key, n in ordered(cells)] for name, cells in facets.items()}, ranked

    def _matching(self, query: SearchQuery) -> tuple[FromClause, ColumnElement[bool]]:
        """Where matches come from, and the match condition: the English reading in the English
        index, or the Welsh reading in the Welsh one."""
        readings = query.readings()
        if self.dialect == "postgresql":
            found = [
                _VECTOR_OF[language].op("@@")(func.websearch_to_tsquery(_CONFIG_OF[language], to_websearch(reading)))
                for language, reading in readings
            ]
            return table_of(Review), or_(*found)
        # Driven from the FTS indexes (the keys they match), never from a scan of the reviews.
        keys = [
            text(f"SELECT rowid FROM {_FTS_OF[language]} WHERE {_FTS_OF[language]} MATCH :match_{language.value}")
            .bindparams(**{f"match_{language.value}": to_fts5(reading)})
            .columns(column("rowid"))
            for language, reading in readings
        ]
        matched = (union(*keys) if len(keys) > 1 else keys[0]).subquery("matched")
        source = matched.join(_SEARCH_KEY, _SEARCH_KEY.c.key == matched.c.rowid).join(
            Review, col(Review.id) == _SEARCH_KEY.c.review_id
        )
        return source, true()

    def _score(self, query: SearchQuery) -> ColumnElement[int]:
        """RANK_TIERS as SQL: for each clause of each reading and each tier, the tier's weight if the
        clause is found there in that reading's language. Not bm25 (SQLite) or a corpus-wide
        statistic of any kind: those count hidden reviews too."""
        found_in: list[ColumnElement[int]] = []
        for language, reading in query.readings():
            for c, clause in enumerate(reading.required):
                for t, (fields, weight) in enumerate(RANK_TIERS):
                    name = f"rank_{language.value}_{c}_{t}"
                    if self.dialect == "postgresql":
                        weighted = to_tsquery_weighted(clause, _PG_LABELS[fields])
                        tsquery = func.to_tsquery(_CONFIG_OF[language], bindparam(name, weighted))
                        condition = _VECTOR_OF[language].op("@@")(tsquery)
                    else:
                        # Each clause and tier is one lookup in the FTS index, made once per query.
                        index = _FTS_OF[language]
                        rowids = (
                            text(f"SELECT rowid FROM {index} WHERE {index} MATCH :{name}")
                            .bindparams(**{name: to_fts5_clause(clause, fields)})
                            .columns(column("rowid"))
                        )
                        condition = _SEARCH_KEY.c.key.in_(rowids)
                    found_in.append(case((condition, weight), else_=0))
        return sum(found_in[1:], found_in[0])

    def _highlights(self, session: Session, query: SearchQuery, review_ids: list[str]) -> dict[str, list[str]]:
        """Fragments of the English text where the English reading matches, else of the Welsh."""
        found: dict[str, list[str]] = {}
        for language, reading in query.readings():
            missing = [rid for rid in review_ids if not found.get(rid)]
            if missing:
                found |= self._highlights_in(session, language, reading, missing)
        return found

    def _highlights_in(
        self, session: Session, language: Language, query: ParsedQuery, review_ids: list[str]
    ) -> dict[str, list[str]]:
        if self.dialect == "postgresql":
            config = _CONFIG_OF[language]
            tsquery = func.websearch_to_tsquery(config, to_websearch(query))
            reviews: FromClause = table_of(Review)
            if language is Language.en:
                source, reviews = _headline_source(query, tsquery)
            else:
                source = _welsh_headline_source()
            rows = session.execute(
                select(col(Review.id), func.ts_headline(config, source, tsquery, _HEADLINE_OPTIONS))
                .select_from(reviews)
                .where(col(Review.id).in_(review_ids))
            ).all()
            fragments = {rid: headline.split("\ue002") for rid, headline in rows}
        else:
            index = _FTS_OF[language]
            rows = session.execute(
                text(
                    f"SELECT search_key.review_id, snippet({index}, -1, :start, :stop, '…', 24) "
                    f"FROM {index} JOIN search_key ON search_key.key = {index}.rowid "
                    f"WHERE {index} MATCH :q AND search_key.review_id IN (SELECT value FROM json_each(:ids))"
                ).bindparams(start=highlight.START, stop=highlight.STOP, q=to_fts5(query), ids=json.dumps(review_ids))
            ).all()
            fragments = {rid: [snippet] for rid, snippet in rows}
        return {rid: [highlight.to_html(f) for f in parts if highlight.START in f] for rid, parts in fragments.items()}

    # --- candidates for similar recommendations (ADR 0027) -------------------------------------
    def recommendation_candidates(
        self, session: Session, *, principal: Principal, today: date, terms: list[str], excluding: str, limit: int
    ) -> list[str]:
        if not terms:
            return []
        clause: list[tuple[str, ...]] = [(term,) for term in terms]
        source: FromClause
        if self.dialect == "postgresql":
            # Weight B holds the summary and the recommendations: a superset, which the scorer narrows.
            tsquery = func.to_tsquery(_CONFIG, bindparam("candidate_terms", to_tsquery_weighted(clause, "B")))
            source, matched = table_of(Review), _VECTOR_OF[Language.en].op("@@")(tsquery)
        else:
            fts = table("review_fts", column("rowid"))
            source = fts.join(_SEARCH_KEY, _SEARCH_KEY.c.key == fts.c.rowid).join(
                Review, col(Review.id) == _SEARCH_KEY.c.review_id
            )
            fts_query = to_fts5_clause(clause, ("recommendations",))
            matched = literal_column("review_fts").op("MATCH")(bindparam("candidate_terms", fts_query))
        rows = session.execute(
            select(col(Review.id))
            .select_from(source)
            .where(matched, visibility_clause(principal, today), col(Review.id) != excluding)
            .order_by(col(Review.completed_on).desc().nulls_last(), col(Review.id))
            .limit(limit)
        ).scalars()
        return list(rows)

    # --- trends --------------------------------------------------------------------------------
    def trends(
        self, session: Session, *, principal: Principal, today: date, group_by: tuple[str, ...], filters: ReviewFilters
    ) -> list[tuple[tuple[Any, ...], int]]:
        """One GROUP BY over the visible reviews, joined only to what the dimensions need. A review
        is one row of a bucket (its tags are unique), except through codings: several of one review
        may fall in the same bucket, so those buckets count distinct reviews."""
        visible = select().select_from(Review).where(visibility_clause(principal, today), filter_clause(filters))
        query, keys = _keyed(visible, group_by, filters)
        through_codings = bool({"coded_theme", "perspective"} & set(group_by))
        counted = func.count(func.distinct(Review.id)) if through_codings else func.count()
        result = []
        for row in session.execute(query.add_columns(*keys, counted).group_by(*keys)).all():
            key = _key(group_by, row[:-1])
            if key is not None:
                result.append((key, int(row[-1])))
        return ordered(result)


def _welsh_headline_source() -> ColumnElement[str]:
    """What a PostgreSQL headline reads of a hit's Welsh: its title and summary, and the start of the
    report of a review written in Welsh."""
    report = case((col(Review.language) == Language.cy.value, func.left(Review.full_text, 100_000)), else_=null())
    return func.concat_ws(" … ", Review.title_cy, Review.summary_cy, report)


def _headline_source(query: ParsedQuery, tsquery: ColumnElement[Any]) -> tuple[ColumnElement[str], FromClause]:
    """What PostgreSQL's ts_headline reads for a hit, and the FROM that reads it. It parses all the
    text it is given, and a report runs to tens of kilobytes: most of a search's time, measured
    (docs/benchmarks.md). So: the title and summary alone where they hold the match; else those and
    a window of the report around the first place the query's first word's stem begins (found by
    `strpos`, and kept only if the word begins there: the few characters from that place, parsed,
    hold it); else, as before, the first 100,000 characters. The place is found once per hit, in a
    LATERAL subquery (OFFSET 0 keeps the planner from copying it into each use): each use of the
    report would otherwise read and decompress all of it again."""
    short = func.concat_ws(" … ", Review.title, Review.summary)
    word = query.required[0][0][0]
    stem = func.array_to_string(func.ts_lexize(text("'english_stem'::regdictionary"), cast(literal(word), Text)), "")
    # A stem's last letter may not be the word's ("famili" for "family", "share" for "sharing").
    prefix = case((func.length(stem) > 3, func.left(stem, -1)), else_=stem)
    # Case-sensitive, lower case then capitalised: lower() over the whole report cost more than the
    # headline it saves. NULL: the title and summary hold the match, the report is not searched.
    first = (
        select(
            case(
                (func.to_tsvector(_CONFIG, short).op("@@")(tsquery), null()),
                (func.length(prefix) == 0, literal(0)),
                else_=func.coalesce(
                    func.nullif(func.strpos(Review.full_text, prefix), 0),
                    func.strpos(Review.full_text, func.initcap(prefix)),
                ),
            ).label("start")
        )
        .correlate(table_of(Review))
        .offset(0)
        .lateral("first_match")
    )
    start = first.c.start
    window = func.substr(Review.full_text, func.greatest(start - _WINDOW // 3, 1), _WINDOW)
    # From the character before: a stem found inside a longer word ("unshared") is not the word.
    there = func.substr(Review.full_text, func.greatest(start - 1, 1), _AT_THE_MATCH)
    source = case(
        (start.is_(None), short),
        (
            and_(start > 0, func.to_tsvector(_CONFIG, there).op("@@")(func.plainto_tsquery(_CONFIG, word))),
            func.concat_ws(" … ", Review.title, Review.summary, window),
        ),
        else_=func.left(func.concat_ws(" … ", Review.title, Review.summary, Review.full_text), 100_000),
    )
    return source, table_of(Review).join(first, true())


# Characters of a report that a PostgreSQL headline reads around the first match (a fragment is at
# most 30 words; two of them fit several times over).
_WINDOW = 3_000
# Characters read at the first match to tell whether the query's word begins there: parsing them,
# not the whole window, took a third off the headlines' time (docs/benchmarks.md).
_AT_THE_MATCH = 80


def _label(name: str) -> ColumnElement[str]:
    """A constant text column (typed, so that PostgreSQL knows each union branch's first column)."""
    return cast(literal(name), String)


def _keyed(query: Select[Any], dimensions: tuple[str, ...], filters: ReviewFilters) -> tuple[Select[Any], list[Any]]:
    """The query joined to what the dimensions need, and their columns and expressions, in order.

    A coded theme and a perspective come from one coding (one join to it, not one each): a review
    coded (A, legal) and (B, health) is in the buckets (A, legal) and (B, health) only. With a
    `coded_theme` filter and buckets by perspective, the perspectives are those of that theme's
    codings (the theme or one under it), for the same reason."""
    keys: list[Any] = []
    coding = aliased(Coding)
    if "coded_theme" in dimensions or "perspective" in dimensions:
        query = query.join(coding, col(coding.review_id) == Review.id)
        if "coded_theme" not in dimensions and filters.coded_theme is not None:
            lines = vocab.lineage(Vocabulary.learning_theme.value)
            family = select(lines.c.code).where(lines.c.ancestor == filters.coded_theme)
            query = query.where(col(coding.theme).in_(family))
    for name in dimensions:
        if name in _TAG_DIMENSIONS:
            tag = aliased(ReviewTag)
            query = query.join(tag, and_(col(tag.review_id) == Review.id, col(tag.vocabulary) == _TAG_DIMENSIONS[name]))
            keys.append(col(tag.code))
        elif name == "coded_theme":
            # Under each theme a coder chose and under every theme above it (ADR 0032).
            lines = vocab.lineage(Vocabulary.learning_theme.value)
            query = query.join(lines, lines.c.code == col(coding.theme))
            keys.append(lines.c.ancestor)
        elif name == "perspective":
            keys.append(col(coding.perspective))
        elif name == "year":
            keys.append(func.extract("year", col(Review.completed_on)))
        else:
            keys.append(col(getattr(Review, name)))
    return query, keys


def _key(dimensions: tuple[str, ...], values: Any) -> tuple[Any, ...] | None:
    """A bucket's key, or None when a review has no value for one of the dimensions (it is in no bucket)."""
    key = tuple(int(v) if name == "year" and v is not None else v for name, v in zip(dimensions, values, strict=True))
    return key if all(v is not None for v in key) else None


def review_keys(
    session: Session, *, principal: Principal, today: date, group_by: tuple[str, ...], filters: ReviewFilters
) -> list[tuple[str, tuple[Any, ...]]]:
    """(review id, bucket key) of every review the principal may read that the filters keep, once per
    bucket it falls in: what the measures other than `reviews` are computed over, on every backend."""
    base = select(col(Review.id)).where(visibility_clause(principal, today), filter_clause(filters))
    query, keys = _keyed(base, group_by, filters)
    rows = session.execute(query.add_columns(*keys).distinct()).all()
    return [(row[0], key) for row in rows if (key := _key(group_by, row[1:])) is not None]
