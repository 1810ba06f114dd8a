"""The vocabularies kept as data (their terms are rows an admin extends)."""

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
