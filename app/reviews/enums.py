"""Review vocabularies that are fixed in code (not data an admin extends): kinds, types, criteria, outcomes, levels, statuses."""

from enum import StrEnum


class ReviewKind(StrEnum):
    cpr = "cpr"
    susr = "susr"


class ReviewType(StrEnum):
    concise = "concise"
    extended = "extended"


class SusrCriterion(StrEnum):
    apr = "apr"
    cpr = "cpr"
    dhr = "dhr"
    mhhr = "mhhr"
    owhr = "owhr"


class TriggerOutcome(StrEnum):
    died = "died"
    life_threatening_injury = "life_threatening_injury"
    serious_permanent_impairment = "serious_permanent_impairment"


class RecommendationLevel(StrEnum):
    agency = "agency"
    regional_board = "regional_board"
    national = "national"


class ReviewStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    published = "published"
    withdrawn = "withdrawn"


class ReviewPart(StrEnum):
    """What a read of a review leaves out unless asked (`include=`)."""

    full_text = "full_text"
