"""Imports every table, so SQLModel.metadata is complete for alembic."""

from sqlmodel import SQLModel

from app.action_plans.models import Action, ActionPlan
from app.audit.models import AuditEvent
from app.auth.models import ApiClient, SignInAttempts, User
from app.codings.models import Coding
from app.documents.models import ReviewDocument
from app.feeds.models import SavedSearch
from app.history.models import Revision
from app.imports.models import ImportJob
from app.reviews.models import Review, ReviewTag
from app.search.models import SearchOutbox
from app.vocab.models import Region, TermLabel, VocabularyTerm

metadata = SQLModel.metadata

# Search structures that live outside the models, created by migration 0002 for one dialect only:
# SQLite's FTS5 tables (English and Welsh, with their shadow tables) and key map, PostgreSQL's
# generated tsvector columns.
SEARCH_ONLY_NAMES = frozenset(
    {"review_fts", "search_key", "search_vector", "ix_review_search_vector", "search_vector_cy", "ix_review_search_vector_cy"}
)
# SQLite's marker of a redaction in progress (migration 0014), which PostgreSQL keeps in a setting.
GUARD_ONLY_NAMES = frozenset({"redaction_in_progress"})


def is_modelled(name: str | None) -> bool:
    """False for the dialect-specific structures alembic must not compare with the models."""
    return not (name and (name in SEARCH_ONLY_NAMES | GUARD_ONLY_NAMES or name.startswith("review_fts_")))


__all__ = [
    "Action",
    "ActionPlan",
    "ApiClient",
    "AuditEvent",
    "Coding",
    "ImportJob",
    "Region",
    "Review",
    "ReviewDocument",
    "ReviewTag",
    "Revision",
    "SavedSearch",
    "SearchOutbox",
    "SignInAttempts",
    "TermLabel",
    "User",
    "VocabularyTerm",
    "metadata",
]
