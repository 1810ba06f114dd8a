"""The submission rules: pure checks that list every reason a review cannot be submitted yet, and
the learning-context warnings, which never stop a submission."""

from __future__ import annotations

from collections.abc import Set

from app.errors import ProblemItem
from app.reviews.enums import ReviewKind, ReviewType
from app.reviews.models import Review
from app.reviews.schemas import ContextWarning

# Fields a draft may leave empty but a submitted review must have.
REQUIRED_TO_SUBMIT = ("summary", "completed_on", "age_band")


def _problem(code: str, detail: str, field: str | None = None) -> ProblemItem:
    return ProblemItem(
        code=code,
        detail=detail,
        location="body" if field else None,
        field=field,
        pointer=("#/" + field.replace(".", "/")) if field else None,
    )


def expected_review_type(review: Review) -> ReviewType:
    """Extended exactly when the child was on the CP register or looked after in the 6 months before."""
    return ReviewType.extended if (review.on_cp_register_6m or review.looked_after_6m) else ReviewType.concise


def minimum_reviewers(review: Review) -> int:
    return 2 if review.review_type == ReviewType.extended else 1


def submission_problems(review: Review, addressed_refs: Set[str] | None) -> list[ProblemItem]:
    """Every broken rule at once. `addressed_refs` is None when the review has no action plan."""
    problems: list[ProblemItem] = []
    if addressed_refs is None:
        problems.append(_problem("action-plan-required", "A review cannot be submitted without an action plan: PUT it first."))
    if not review.recommendations:
        problems.append(_problem("recommendations-required", "A review ends in recommendations; it has none.", "recommendations"))
    for index, recommendation in enumerate(review.recommendations):
        if addressed_refs is not None and recommendation["ref"] not in addressed_refs:
            problems.append(
                _problem(
                    "recommendation-not-addressed",
                    f"No action in the action plan answers recommendation {recommendation['ref']}.",
                    f"recommendations.{index}",
                )
            )
    if review.kind == ReviewKind.cpr:
        expected = expected_review_type(review)
        if review.review_type != expected:
            facts = (
                "was on the CP register or looked after"
                if expected is ReviewType.extended
                else "was neither on the CP register nor looked after"
            )
            problems.append(
                _problem(
                    "review-type-mismatch",
                    f"The child {facts} in the 6 months before, so the review must be {expected}, not {review.review_type}.",
                    "review_type",
                )
            )
    needed = minimum_reviewers(review)
    if len(review.reviewers) < needed:
        problems.append(
            _problem(
                "reviewer-count",
                f"A {review.review_type or review.kind} review needs at least {needed} reviewer(s); it has {len(review.reviewers)}.",
                "reviewers",
            )
        )
    for field in REQUIRED_TO_SUBMIT:
        if getattr(review, field) in (None, ""):
            problems.append(_problem("missing-field", f"{field} is needed before submission.", field))
    return problems


def publication_problems(*, has_report: bool) -> list[ProblemItem]:
    """What a submitted review lacks to be published: its report (a complete record, issue 13)."""
    if has_report:
        return []
    return [
        ProblemItem(
            code="report-required",
            detail="A review is published with its report: PUT it at /reviews/{id}/documents/report first.",
            location="body",
            field="documents.report",
        )
    ]


# A summary shorter than this says too little for others to learn from (warning `short-summary`).
SUMMARY_MIN_WORDS = 100


def context_warnings(review: Review, *, has_timeline: bool) -> list[ContextWarning]:
    """What learning context the review lacks: what a reader needs to learn from it (issue 12). Each
    is a warning, never an error: a review missing them is still submitted."""
    warnings = []
    for vocabulary, field, code, what in (
        ("theme", "themes", "no-themes", "no learning themes"),
        ("context_factor", "context_factors", "no-context-factors", "no context factors"),
        ("agency", "agencies", "no-agencies", "no agencies involved"),
    ):
        if not review.tag_codes(vocabulary):
            warnings.append(ContextWarning(code=code, detail=f"The review names {what}.", field=field))
    if not has_timeline:
        warnings.append(
            ContextWarning(
                code="no-timeline",
                detail="The review has no timeline document: PUT it at /reviews/{id}/documents/timeline.",
                field="documents.timeline",
            )
        )
    words = len((review.summary or "").split())
    if words < SUMMARY_MIN_WORDS:
        warnings.append(
            ContextWarning(
                code="short-summary",
                detail=f"The summary has {words} word(s); at least {SUMMARY_MIN_WORDS} give readers the context to learn from it.",
                field="summary",
            )
        )
    return warnings
