"""Imports every table, so SQLModel.metadata is complete for alembic."""

from sqlmodel import SQLModel

from app.action_plans.models import Action, ActionPlan
from app.auth.models import ApiClient, User
from app.reviews.models import Review, ReviewTag
from app.vocab.models import Region, VocabularyTerm

metadata = SQLModel.metadata

__all__ = ["Action", "ActionPlan", "ApiClient", "Region", "Review", "ReviewTag", "User", "VocabularyTerm", "metadata"]
