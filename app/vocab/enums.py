"""The vocabularies: kept as data (their terms are rows an admin extends), or fixed in code."""

from enum import StrEnum


class Vocabulary(StrEnum):
    """Vocabularies kept as data, because admins extend them."""

    theme = "theme"
    age_band = "age_band"
    abuse_category = "abuse_category"
    agency = "agency"
    context_factor = "context_factor"
    learning_theme = "learning_theme"  # the codebook researchers code reviews against (a hierarchy)
    perspective = "perspective"  # the discipline a coder codes from


class AnyVocabulary(StrEnum):
    """Every vocabulary: those kept as data (Vocabulary) and those fixed in code by the review
    framework, whose terms' labels are data all the same (ADR 0045)."""

    theme = "theme"
    age_band = "age_band"
    abuse_category = "abuse_category"
    agency = "agency"
    context_factor = "context_factor"
    learning_theme = "learning_theme"
    perspective = "perspective"
    kind = "kind"
    review_type = "review_type"
    susr_criterion = "susr_criterion"
    trigger_outcome = "trigger_outcome"
    recommendation_level = "recommendation_level"
    action_status = "action_status"
