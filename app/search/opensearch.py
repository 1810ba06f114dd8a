"""The OpenSearch backend, for national scale: on when REGISTRY_OPENSEARCH_URL is set.

A versioned physical index (`<prefix>-v<mapping>-<stamp>`) sits behind a read alias and a write
alias, so `registry search reindex` can build a new one while the old one serves. Documents are
written with external versioning (the review's version): a stale write never replaces a newer one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date
from typing import Any

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import NotFoundError, TransportError
from sqlmodel import Session

from app.auth.policies import READ_GRANTS
from app.auth.principals import Principal
from app.config import Settings
from app.language import Language
from app.reviews.repository import ReviewFilters
from app.search import highlight
from app.search.backend import (
    FACETS,
    RANK_TIERS,
    Hit,
    SearchDocument,
    SearchPage,
    SearchRequest,
    SearchUnavailable,
    ordered,
    pair_of,
)
from app.search.query import STOPWORDS, ParsedQuery, SearchQuery
from app.vocab import repository as vocab
from app.vocab.enums import Vocabulary

logger = logging.getLogger("app.search")

# A bulk request is cut at this many bytes (or documents), whichever comes first: a review's full
# text can be megabytes, and OpenSearch works best on bulk requests of 5 to 15 MB.
BULK_MAX_BYTES = 10 * 1024 * 1024
BULK_MAX_DOCUMENTS = 500
MAPPING_VERSION = 4
_TEXT_FIELDS = ["title", "summary", "recommendations", "full_text"]


def _in_language(fields: Sequence[str], language: Language) -> list[str]:
    """The fields as they are named in a language's part of the index: the Welsh are `<field>_cy`."""
    return [f"{name}_cy" if language is Language.cy else name for name in fields]


# Each language's fields (ADR 0045), the Welsh analysed as Welsh.
_FIELDS_OF = {language: _in_language(_TEXT_FIELDS, language) for language in Language}
_FIELD_OF = {"theme": "themes", "agency": "agencies", "coded_theme": "coded_themes", "perspective": "perspectives"}
# Fields added to the mapping after version 1: put on an older index in place (ADR 0026), so that
# no document is refused. coded_themes and perspectives came before any coding; coded_pairs (version
# 3, ADR 0032's amendment) came after, so the coded reviews of an older index lack it until
# `registry search reindex` rebuilds it (ensure_index logs that). The Welsh fields (version 4) need
# the Welsh analyzer, which an older index is given first (ensure_index).
_ADDED_FIELDS = ("coded_themes", "perspectives", "coded_pairs", *_FIELDS_OF[Language.cy])
_MAX_BUCKETS = 10_000

_TEXT = {"type": "text", "analyzer": "registry_english"}
_WELSH = {"type": "text", "analyzer": "registry_welsh"}
_KEYWORD = {"type": "keyword"}
_DATE = {"type": "date", "format": "strict_date"}
MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "id": _KEYWORD,
        "version": {"type": "long"},
        "reference": _KEYWORD,
        "region": _KEYWORD,
        "kind": _KEYWORD,
        "review_type": _KEYWORD,
        "status": _KEYWORD,
        "year": {"type": "integer"},
        "completed_on": _DATE,
        "published_on": _DATE,
        "public_until": _DATE,
        "age_band": _KEYWORD,
        "themes": _KEYWORD,
        "agencies": _KEYWORD,
        "abuse_categories": _KEYWORD,
        "title": _TEXT,
        "summary": _TEXT,
        "recommendations": _TEXT,
        "full_text": _TEXT,
        **{name: _WELSH for name in _FIELDS_OF[Language.cy]},
        "coded_themes": _KEYWORD,
        "perspectives": _KEYWORD,
        "coded_pairs": _KEYWORD,
    },
}
# English stemming like the SQL backends (Porter, accents folded), with the same stopwords as every
# backend; Welsh with accents folded, neither stemmed nor stopped (ADR 0045). Apostrophes split
# words as they do in SQLite's tokenizer and the query parser.
ANALYSIS: dict[str, Any] = {
    "char_filter": {"registry_apostrophes": {"type": "mapping", "mappings": ["'=>\\u0020", "\u2019=>\\u0020"]}},
    "filter": {"registry_stop": {"type": "stop", "stopwords": sorted(STOPWORDS)}},
    "analyzer": {
        "registry_english": {
            "type": "custom",
            "char_filter": ["registry_apostrophes"],
            "tokenizer": "standard",
            "filter": ["lowercase", "asciifolding", "registry_stop", "porter_stem"],
        },
        "registry_welsh": {
            "type": "custom",
            "char_filter": ["registry_apostrophes"],
            "tokenizer": "standard",
            "filter": ["lowercase", "asciifolding"],
        },
    },
}
SETTINGS: dict[str, Any] = {"analysis": ANALYSIS}


class OpenSearchBackend:
    indexes_in_transaction = False
    name = "opensearch"

    def __init__(
        self,
        client: OpenSearch,
        *,
        prefix: str = "registry-reviews",
        refresh: bool = False,
        shards: int | None = None,
        replicas: int | None = None,
    ) -> None:
        self.client = client
        self.prefix = prefix
        sizing = {k: v for k, v in {"number_of_shards": shards, "number_of_replicas": replicas}.items() if v is not None}
        self.settings = SETTINGS | ({"index": sizing} if sizing else {})
        self.read_alias = f"{prefix}-read"
        self.write_alias = f"{prefix}-write"
        self.refresh_on_write = refresh
        self._ready = False

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenSearchBackend:
        assert settings.opensearch_url
        client = OpenSearch(
            hosts=[settings.opensearch_url], timeout=settings.opensearch_timeout_seconds, max_retries=1, retry_on_timeout=False
        )
        return cls(
            client,
            prefix=settings.opensearch_index_prefix,
            shards=settings.opensearch_shards,
            replicas=settings.opensearch_replicas,
        )

    # --- the index and its aliases -----------------------------------------------------------
    def ensure_index(self) -> None:
        """The template, and a first physical index behind both aliases, if there is none yet."""
        if self._ready:
            return
        with _unavailable_on_transport_errors():
            self.client.indices.put_index_template(
                name=self.prefix,
                body={"index_patterns": [f"{self.prefix}-v*"], "template": {"settings": self.settings, "mappings": MAPPING}},
            )
            if not self.client.indices.exists_alias(name=self.write_alias):
                self.client.indices.create(
                    index=self.new_index_name(),
                    body={"aliases": {self.read_alias: {}, self.write_alias: {"is_write_index": True}}},
                )
            else:
                # An index made before the codings or Welsh: the new fields are added to it in place.
                added = {name: MAPPING["properties"][name] for name in _ADDED_FIELDS}
                for index in dict.fromkeys(self.indices_behind(self.write_alias) + self.indices_behind(self.read_alias)):
                    self._give_analyzers(index)
                    self.client.indices.put_mapping(index=index, body={"properties": added})
                older = [i for i in self.indices_behind(self.read_alias) if _mapping_version(i, self.prefix) < MAPPING_VERSION]
                if older:
                    logger.warning(
                        "search index %s predates mapping version %d: run `registry search reindex` "
                        "(trends by coded theme and perspective miss reviews coded before it)",
                        ", ".join(older),
                        MAPPING_VERSION,
                    )
        self._ready = True

    def _give_analyzers(self, index: str) -> None:
        """An index made before an analyzer existed gets it: analysis settings change only while the
        index is closed, a moment in which it refuses reads and writes (writes wait in the outbox)."""
        analyzers = self.client.indices.get_settings(index=index)[index]["settings"]["index"].get("analysis", {})
        if set(ANALYSIS["analyzer"]) <= set(analyzers.get("analyzer", {})):
            return
        logger.warning("search index %s is given the analyzers of mapping version %d", index, MAPPING_VERSION)
        self.client.indices.close(index=index)
        try:
            self.client.indices.put_settings(index=index, body={"analysis": ANALYSIS})
        finally:
            self.client.indices.open(index=index)

    def new_index_name(self) -> str:
        return f"{self.prefix}-v{MAPPING_VERSION}-{time.strftime('%Y%m%d%H%M%S')}-{time.perf_counter_ns() % 1000:03d}"

    def indices_behind(self, alias: str) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=alias))
        except NotFoundError:
            return []

    def reindex(self, batches: Iterable[list[SearchDocument]]) -> str:
        """Build a new physical index from the database and swap the aliases to it, with no gap:
        writes move to the new index first, reads only once it is full, then the old one goes."""
        self.ensure_index()
        new = self.new_index_name()
        with _unavailable_on_transport_errors():
            self.client.indices.create(index=new)
            old_writes = self.indices_behind(self.write_alias)
            self.client.indices.update_aliases(
                body={
                    "actions": [
                        *({"remove": {"index": old, "alias": self.write_alias}} for old in old_writes),
                        {"add": {"index": new, "alias": self.write_alias, "is_write_index": True}},
                    ]
                }
            )
        for batch in batches:
            self.index(batch, into=new)
        with _unavailable_on_transport_errors():
            old_reads = self.indices_behind(self.read_alias)
            self.client.indices.update_aliases(
                body={
                    "actions": [
                        *({"remove": {"index": old, "alias": self.read_alias}} for old in old_reads),
                        {"add": {"index": new, "alias": self.read_alias}},
                    ]
                }
            )
            for old in set(old_reads) | set(old_writes):
                if old != new:
                    self.client.indices.delete(index=old, ignore=[404])
        return new

    def refresh(self) -> None:
        with _unavailable_on_transport_errors():
            self.client.indices.refresh(index=self.read_alias)

    def health(self) -> str:
        try:
            return str(self.client.cluster.health()["status"])
        except (TransportError, OSConnectionError) as exc:
            return f"unreachable ({type(exc).__name__})"

    # --- writing ------------------------------------------------------------------------------
    def index(self, documents: list[SearchDocument], *, into: str | None = None) -> None:
        if not documents:
            return
        self.ensure_index()
        actions = [
            {
                "_op_type": "index",
                "_index": into or self.write_alias,
                "_id": doc.id,
                "version": doc.version,
                "version_type": "external",
                "_source": _source(doc),
            }
            for doc in documents
        ]
        try:
            with _unavailable_on_transport_errors():
                _, errors = helpers.bulk(
                    self.client,
                    actions,
                    chunk_size=BULK_MAX_DOCUMENTS,
                    max_chunk_bytes=BULK_MAX_BYTES,
                    raise_on_error=False,
                    raise_on_exception=True,
                    refresh="wait_for" if self.refresh_on_write else False,
                )
        except SearchUnavailable:
            self._ready = False  # it may come back empty: make sure the index exists again first
            raise
        failures = [e for e in errors if next(iter(e.values())).get("status") != 409]
        if failures:
            # A 409 means a newer version is already indexed: that is success. Anything else is not.
            raise SearchUnavailable(f"{len(failures)} document(s) refused by OpenSearch")

    def remove(self, review_ids: list[str]) -> None:
        with _unavailable_on_transport_errors():
            for review_id in review_ids:
                with suppress(NotFoundError):
                    self.client.delete(index=self.write_alias, id=review_id)

    # --- reading ------------------------------------------------------------------------------
    def search(self, session: Session, *, principal: Principal, today: date, request: SearchRequest) -> SearchPage:
        if request.query.is_empty:
            return SearchPage(total=0, hits=[], facets={name: [] for name in FACETS})
        self.ensure_index()
        matching = _text_query(request.query)
        body = {
            # Matching filters and scores nothing; the score is RANK_TIERS, fixed weights that depend on
            # the review alone (not BM25, whose statistics count reviews the caller may not read).
            "query": {
                "bool": {
                    "filter": [{"bool": matching}, _visibility(principal, today), *_filters(session, request.filters)],
                    "should": _tier_scores(request.query),
                }
            },
            "from": request.offset,
            "size": request.limit,
            "sort": [{"_score": "desc"}, {"completed_on": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
            "track_total_hits": True,
            "_source": ["id", "reference", "region", "kind", "review_type", "status", "title", "title_cy", "completed_on"],
            "highlight": {
                "pre_tags": [highlight.START],
                "post_tags": [highlight.STOP],
                "fragment_size": 160,
                "number_of_fragments": 2,
                "highlight_query": {"bool": matching},
                "fields": {name: {} for language in Language for name in _FIELDS_OF[language]},
            },
            "aggs": {name: {"terms": {"field": _FIELD_OF.get(name, name), "size": _MAX_BUCKETS}} for name in FACETS},
        }
        with _unavailable_on_transport_errors():
            answer = self.client.search(index=self.read_alias, body=body)
        hits = []
        for hit in answer["hits"]["hits"]:
            source = hit["_source"]
            # The English text's fragments where the English reading matches, else the Welsh text's.
            found = hit.get("highlight", {})
            fragments = next(
                (
                    parts
                    for language in Language
                    if (parts := [f for field in _FIELDS_OF[language] for f in found.get(field, [])])
                ),
                [],
            )
            hits.append(
                Hit(
                    id=source["id"],
                    reference=source["reference"],
                    region=source["region"],
                    kind=source["kind"],
                    review_type=source.get("review_type"),
                    status=source["status"],
                    title=source["title"],
                    title_cy=source.get("title_cy") or None,
                    completed_on=date.fromisoformat(source["completed_on"]) if source.get("completed_on") else None,
                    score=round(float(hit.get("_score") or 0.0), 6),
                    highlights=[highlight.to_html(f) for f in fragments[:2]],
                )
            )
        facets = {
            name: [
                (key, n) for (key,), n in ordered(((b["key"],), b["doc_count"]) for b in answer["aggregations"][name]["buckets"])
            ]
            for name in FACETS
        }
        return SearchPage(total=answer["hits"]["total"]["value"], hits=hits, facets=facets)

    def recommendation_candidates(
        self, session: Session, *, principal: Principal, today: date, terms: list[str], excluding: str, limit: int
    ) -> list[str]:
        """A filter, not a scored query: `match` finds reviews whose recommendations share a term
        (the index's analyzer stems them), and nothing of its relevance is used (ADR 0027)."""
        if not terms:
            return []
        self.ensure_index()
        body = {
            "query": {
                "bool": {
                    "filter": [{"match": {"recommendations": {"query": " ".join(terms)}}}, _visibility(principal, today)],
                    "must_not": [{"term": {"id": excluding}}],
                }
            },
            "size": limit,
            "sort": [{"completed_on": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
            "track_total_hits": False,
            "_source": ["id"],
        }
        with _unavailable_on_transport_errors():
            answer = self.client.search(index=self.read_alias, body=body)
        return [hit["_source"]["id"] for hit in answer["hits"]["hits"]]

    def trends(
        self, session: Session, *, principal: Principal, today: date, group_by: tuple[str, ...], filters: ReviewFilters
    ) -> list[tuple[tuple[Any, ...], int]]:
        self.ensure_index()
        query = {"bool": {"filter": [_visibility(principal, today), *_filters(session, filters)]}}
        if set(group_by) == {"coded_theme", "perspective"}:
            # One filter per (theme, perspective), on the pairs of single codings (ADR 0032's amendment).
            pairs = _pair_filters(session, group_by)
            body = {"size": 0, "query": query, "aggs": {"pairs": {"filters": {"filters": {n: q for n, (_, q) in pairs.items()}}}}}
            with _unavailable_on_transport_errors():
                answer = self.client.search(index=self.read_alias, body=body)
            buckets = answer["aggregations"]["pairs"]["buckets"]
            return ordered((pairs[name][0], b["doc_count"]) for name, b in buckets.items() if b["doc_count"] > 0)
        aggs: dict[str, Any] = {}
        for name in reversed(group_by):
            aggs = {name: {**_buckets_of(session, name, filters), **({"aggs": aggs} if aggs else {})}}
        body = {"size": 0, "query": query, "aggs": aggs}
        with _unavailable_on_transport_errors():
            answer = self.client.search(index=self.read_alias, body=body)
        return ordered(_flatten(answer["aggregations"], group_by))


def _flatten(
    aggregations: dict[str, Any], group_by: tuple[str, ...], prefix: tuple[Any, ...] = ()
) -> list[tuple[tuple[Any, ...], int]]:
    name, rest = group_by[0], group_by[1:]
    buckets = aggregations[name]["buckets"]
    # A terms aggregation answers a list of buckets; a filters one (coded_theme) a dict by theme.
    keyed = buckets.items() if isinstance(buckets, dict) else ((b["key"], b) for b in buckets)
    cells: list[tuple[tuple[Any, ...], int]] = []
    for value, bucket in keyed:
        if bucket["doc_count"] == 0:
            continue
        key = (*prefix, value)
        cells.extend(_flatten(bucket, rest, key) if rest else [(key, bucket["doc_count"])])
    return cells


def _theme_families(session: Session) -> dict[str, list[str]]:
    return vocab.families(session, Vocabulary.learning_theme.value)


def _perspectives(session: Session) -> list[str]:
    return sorted(vocab.families(session, Vocabulary.perspective.value))


def _coded_from(family: list[str], perspective: str) -> dict[str, Any]:
    """Reviews with a coding of one of these themes from this perspective (one coding carries both)."""
    return {"terms": {"coded_pairs": [pair_of(theme, perspective) for theme in family]}}


def _pair_filters(session: Session, group_by: tuple[str, ...]) -> dict[str, tuple[tuple[str, str], dict[str, Any]]]:
    """For every theme and perspective, the bucket's key (in group_by's order) and its filter: a
    coding of the theme or one under it (ADR 0032) from the perspective."""
    found, perspectives = {}, _perspectives(session)
    for theme, family in _theme_families(session).items():
        for perspective in perspectives:
            values = {"coded_theme": theme, "perspective": perspective}
            key = (values[group_by[0]], values[group_by[1]])
            found[pair_of(theme, perspective)] = (key, _coded_from(family, perspective))
    return found


def _buckets_of(session: Session, dimension: str, filters: ReviewFilters) -> dict[str, Any]:
    """The aggregation that buckets reviews by one dimension. A coded theme's bucket holds the reviews
    coded with it or any theme under it (ADR 0032), so it is a filter per theme, not a terms count.
    With a coded_theme filter, a perspective's bucket holds the reviews with a coding of that theme
    (or one under it) from the perspective: a filter per perspective on the codings' pairs."""
    if dimension == "coded_theme":
        families = _theme_families(session)
        return {"filters": {"filters": {theme: {"terms": {"coded_themes": family}} for theme, family in families.items()}}}
    if dimension == "perspective" and filters.coded_theme is not None:
        family = _theme_families(session).get(filters.coded_theme, [])
        return {"filters": {"filters": {p: _coded_from(family, p) for p in _perspectives(session)}}}
    return {"terms": {"field": _FIELD_OF.get(dimension, dimension), "size": _MAX_BUCKETS}}


def _mapping_version(index: str, prefix: str) -> int:
    """The mapping version in a physical index's name (`<prefix>-v<version>-...`), 0 if it has none."""
    version = index.removeprefix(f"{prefix}-v").split("-", 1)[0]
    return int(version) if version.isdigit() else 0


def _source(doc: SearchDocument) -> dict[str, Any]:
    source = {k: v.isoformat() if isinstance(v, date) else v for k, v in vars(doc).items()}
    return source


def _alternative(words: tuple[str, ...], fields: list[str]) -> dict[str, Any]:
    kind = "phrase" if len(words) > 1 else "best_fields"
    return {"multi_match": {"query": " ".join(words), "fields": fields, "type": kind}}


def _clause(clause: list[tuple[str, ...]], fields: list[str]) -> dict[str, Any]:
    return {"bool": {"should": [_alternative(a, fields) for a in clause], "minimum_should_match": 1}}


def _reading_query(query: ParsedQuery, fields: list[str]) -> dict[str, Any]:
    return {
        "must": [_clause(clause, fields) for clause in query.required],
        "must_not": [_alternative(a, fields) for a in query.excluded],
    }


def _text_query(query: SearchQuery) -> dict[str, Any]:
    """The English reading in the English fields, or the Welsh reading in the Welsh fields."""
    readings = [{"bool": _reading_query(reading, _FIELDS_OF[language])} for language, reading in query.readings()]
    return {"should": readings, "minimum_should_match": 1}


def _tier_scores(query: SearchQuery) -> list[dict[str, Any]]:
    """RANK_TIERS: each clause of each reading found in a tier's fields of its language adds the
    tier's weight, whatever the term's frequency."""
    return [
        {"constant_score": {"filter": _clause(clause, _in_language(fields, language)), "boost": weight}}
        for language, reading in query.readings()
        for clause in reading.required
        for fields, weight in RANK_TIERS
    ]


def _visibility(principal: Principal, today: date) -> dict[str, Any]:
    """The OpenSearch form of READ_GRANTS: the reviews this principal may read."""
    should = []
    for grant in READ_GRANTS[principal.role]:
        conditions: list[dict[str, Any]] = [{"terms": {"status": sorted(s.value for s in grant.statuses)}}]
        if grant.own_region_only:
            conditions.append({"term": {"region": principal.region}} if principal.region else {"match_none": {}})
        if grant.within_public_window:
            conditions.append({"range": {"public_until": {"gte": today.isoformat()}}})
        should.append({"bool": {"filter": conditions}})
    return {"bool": {"should": should, "minimum_should_match": 1}} if should else {"match_none": {}}


def _filters(session: Session, filters: ReviewFilters) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    for name in ("region", "kind", "review_type", "status", "age_band", "year"):
        value = getattr(filters, name)
        if value is not None:
            clauses.append({"term": {name: value}})
    if filters.theme is not None:
        clauses.append({"term": {"themes": filters.theme}})
    if filters.coded_theme is not None:
        # The theme or any theme under it (ADR 0032); an unknown theme matches nothing, as in SQL.
        clauses.append({"terms": {"coded_themes": _theme_families(session).get(filters.coded_theme, [])}})
    if filters.year_from is not None or filters.year_to is not None:
        bounds = {"gte": filters.year_from, "lte": filters.year_to}
        clauses.append({"range": {"year": {k: v for k, v in bounds.items() if v is not None}}})
    return clauses


@contextmanager
def _unavailable_on_transport_errors() -> Iterator[None]:
    """Connection trouble and server errors become SearchUnavailable (a 503 to API callers)."""
    try:
        yield
    except OSConnectionError as exc:
        raise SearchUnavailable(f"OpenSearch unreachable: {type(exc).__name__}") from None
    except TransportError as exc:
        if isinstance(exc.status_code, int) and exc.status_code < 500:
            raise
        raise SearchUnavailable(f"OpenSearch error: {exc.status_code}") from None
