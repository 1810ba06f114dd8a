"""Examples in the OpenAPI document: what a board sends, and what the registry answers, for the
main operations (issue 10). Redocly's recommended rules check each against its schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

REVIEW = {
    "region": "gwent",
    "reference": "GWSB 2/2023",
    "kind": "cpr",
    "review_type": "extended",
    "trigger_outcome": "died",
    "on_cp_register_6m": True,
    "looked_after_6m": False,
    "reviewers": [{"name": "A. Reviewer", "organisation": "Independent"}, {"name": "B. Reviewer"}],
    "title": "Child A",
    "summary": "Child A died aged nine months. Chronologies were missing and the father was not consulted.",
    "age_band": "under-1",
    "abuse_categories": ["neglect"],
    "agencies": ["health-visiting", "police"],
    "themes": ["voice-of-the-child", "hierarchy-of-knowledge"],
    "completed_on": "2023-05-01",
    "recommendations": [
        {"ref": "R1", "text": "Agencies keep a shared chronology for every child on the register.", "level": "regional_board"},
        {"ref": "R2", "text": "Practitioners seek the views of fathers and new partners.", "level": "agency"},
    ],
}

ACTION_PLAN = {
    "actions": [
        {
            "recommendation_ref": "R1",
            "description": "Introduce a shared multi-agency chronology and audit its use after six months.",
            "lead_agency": "police",
            "target_date": "2024-03-31",
        },
        {
            "recommendation_ref": "R2",
            "description": "Add fathers and new partners to the assessment checklist; train every team.",
            "lead_agency": "health-visiting",
            "target_date": "2024-06-30",
            "status": "in_progress",
        },
    ]
}

SUBMISSION_REJECTED = {
    "type": "/problems/submission-rejected",
    "title": "The review cannot be submitted yet",
    "status": 422,
    "detail": "The review breaks 2 submission rule(s); see errors.",
    "instance": "/api/v1/reviews/6f1c1f0e-2b7a-4c57-9a55-2b1f0f0c9e11/submit",
    "request_id": "2951df9c51384525a88dad03d27511bd",
    "errors": [
        {"code": "action-plan-required", "detail": "A review cannot be submitted without an action plan: PUT it first."},
        {
            "code": "reviewer-count",
            "detail": "A extended review needs at least 2 reviewer(s); it has 1.",
            "field": "reviewers",
        },
    ],
}

SEARCH_RESULTS = {
    "total": 1,
    "items": [
        {
            "id": "6f1c1f0e-2b7a-4c57-9a55-2b1f0f0c9e11",
            "reference": "GWSB 2/2023",
            "region": "gwent",
            "kind": "cpr",
            "review_type": "extended",
            "status": "published",
            "title": "Child A",
            "completed_on": "2023-05-01",
            "score": 8.0,
            "highlights": [
                "Agencies keep a shared <mark>chronology</mark> for every child on the register. "
                "Practitioners seek the views of fathers and <mark>new partners</mark>."
            ],
        }
    ],
    "facets": {
        "region": [{"key": "gwent", "count": 1}],
        "kind": [{"key": "cpr", "count": 1}],
        "review_type": [{"key": "extended", "count": 1}],
        "theme": [{"key": "hierarchy-of-knowledge", "count": 1}, {"key": "voice-of-the-child", "count": 1}],
        "year": [{"key": 2023, "count": 1}],
    },
    "next_cursor": None,
}

TRENDS = {
    "group_by": ["region", "year"],
    "measure": "reviews",
    "suppression": True,
    "buckets": [
        {"key": {"region": "gwent", "year": 2023}, "count": 7, "suppressed": False},
        {"key": {"region": "north-wales", "year": 2023}, "count": 5, "suppressed": False},
        {"key": {"region": "cardiff-vale", "year": 2023}, "count": None, "suppressed": True},
    ],
}

# A trend with a measure: the share of actions completed by their target date, by coded theme. A
# review counts under each theme it was coded with and under the themes above them (ADR 0032), so
# a theme's bucket is never smaller than its sub-themes'. A share of 1 to 4 actions is hidden.
TRENDS_MEASURED = {
    "group_by": ["coded_theme"],
    "measure": "actions_on_time_share",
    "suppression": True,
    "buckets": [
        {
            "key": {"coded_theme": "hierarchy-of-knowledge"},
            "count": 12,
            "suppressed": False,
            "value": 0.5833,
            "denominator": 12,
        },
        {"key": {"coded_theme": "fathers-overlooked"}, "count": 7, "suppressed": False, "value": 0.4286, "denominator": 7},
        {"key": {"coded_theme": "tunnel-vision"}, "count": 5, "suppressed": False, "value": 0.8, "denominator": 5},
        {"key": {"coded_theme": "gdpr-confusion"}, "count": None, "suppressed": True, "value": None, "denominator": None},
    ],
}

SAVED_SEARCH = {
    "name": "Neglect reviews in Gwent",
    "q": "neglect chronology",
    "filters": {"region": "gwent", "kind": "cpr", "year_from": 2022},
}


SIMILAR_RECOMMENDATIONS = {
    "source": {
        "review": {
            "id": "6f1c1f0e-2b7a-4c57-9a55-2b1f0f0c9e11",
            "reference": "GWSB 2/2023",
            "title": "Child A",
            "region": "gwent",
            "year": 2023,
        },
        "ref": "R2",
        "text": "Practitioners seek the views of fathers and new partners.",
        "level": "agency",
        "actions": {"total": 1, "completed": 0, "overdue": 0},
        "action_status": "in_progress",
    },
    "items": [
        {
            "review": {
                "id": "0b6f5a52-8d0e-4f57-a1a4-3c1c3c1e7d20",
                "reference": "NWSB 4/2019",
                "title": "Child F",
                "region": "north-wales",
                "year": 2019,
            },
            "ref": "R3",
            "text": "Practitioners should seek the views of fathers and of new partners.",
            "level": "national",
            "actions": {"total": 2, "completed": 2, "overdue": 0},
            "action_status": "completed",
            "score": 1.0,
        }
    ],
}

RECOMMENDATION_RESULTS = {
    "total": 1,
    "items": [
        {
            "review": {
                "id": "0b6f5a52-8d0e-4f57-a1a4-3c1c3c1e7d20",
                "reference": "NWSB 4/2019",
                "title": "Child F",
                "region": "north-wales",
                "year": 2019,
            },
            "ref": "R1",
            "text": "Welsh Government issues national guidance on sharing information about new partners.",
            "level": "national",
            "actions": {"total": 1, "completed": 0, "overdue": 1},
            "action_status": "not_started",
        }
    ],
    "next_cursor": None,
}


# A coding of the example review's summary: the quote is exactly summary[61:89].
CODING = {
    "theme": "fathers-overlooked",
    "perspective": "social-work",
    "quote": "the father was not consulted",
    "location": {"field": "summary", "start": 61, "end": 89},
    "note": "The father's view was never sought, although he shared the child's care.",
}

AGREEMENT = {
    "perspective": None,
    "themes": [
        {"theme": "fathers-overlooked", "reviews": 20, "coders": 3, "statistic": "fleiss_kappa", "value": 0.4, "reason": None},
        {"theme": "gdpr-confusion", "reviews": 20, "coders": 3, "statistic": "fleiss_kappa", "value": 0.21, "reason": None},
        {
            "theme": "it-systems",
            "reviews": 20,
            "coders": 3,
            "statistic": "fleiss_kappa",
            "value": None,
            "reason": "Every coder said 'absent' on every review counted, so chance alone would agree completely "
            "and fleiss_kappa is undefined (0/0).",
        },
    ],
}

_IMPORT_JOB = {
    "id": "3c9d4f0a-5e8b-4a7c-9d21-6b0e8f1a2c34",
    "format": "zip",
    "region": "gwent",
    "owner": "client:gwent-case-system",
    "archive_sha256": "9f2c1b7e4d8a6f3c0b5e2d9a7c4f1e8b3d6a0c9f2e5b8d1a4c7f0e3b6d9a2c5f",
    "archive_bytes": 48213,
    "created_at": "2026-12-02T09:30:00Z",
}
IMPORT_QUEUED = _IMPORT_JOB | {
    "status": "queued",
    "done": 0,
    "total": 0,
    "problems": [],
    "result": None,
    "started_at": None,
    "finished_at": None,
}
IMPORT_SUCCEEDED = _IMPORT_JOB | {
    "status": "succeeded",
    "done": 14,
    "total": 14,
    "problems": [],
    "result": {
        "imported_ids": ["6f1c1f0e-2b7a-4c57-9a55-2b1f0f0c9e11", "0b6f5a52-8d0e-4f57-a1a4-3c1c3c1e7d20"],
        "already_present": 3,
    },
    "started_at": "2026-12-02T09:30:00Z",
    "finished_at": "2026-12-02T09:30:04Z",
}
IMPORT_FAILED = _IMPORT_JOB | {
    "status": "failed",
    "done": 9,
    "total": 9,
    "problems": [
        {
            "code": "invalid-file",
            "detail": "not a PDF (its content does not start with %PDF-)",
            "location": "gwsb-2-2023.report.pdf",
            "field": "file",
        },
        {
            "code": "invalid-file",
            "detail": "'north-wales' is not gwent, the region this import is for",
            "location": "nwsb-1-2020.json",
            "field": "region",
        },
    ],
    "result": None,
    "started_at": "2026-12-02T09:30:00Z",
    "finished_at": "2026-12-02T09:30:02Z",
}
UNSAFE_ARCHIVE = {
    "type": "/problems/validation-error",
    "title": "Invalid request",
    "status": 422,
    "detail": "The archive cannot be imported: 1 problem(s); nothing was imported.",
    "instance": "/api/v1/imports",
    "request_id": "2951df9c51384525a88dad03d27511bd",
    "errors": [
        {
            "code": "unsafe-path",
            "detail": "'../etc/cron.d/x.json' climbs out of the archive (..).",
            "location": "body",
            "field": "archive",
        }
    ],
}


NEW_USER = {"username": "gwent-officer", "password": "correct horse battery staple", "role": "board", "region": "gwent"}

NEW_CLIENT_ANSWER = {
    "kind": "client",
    "id": "gwent-case-system",
    "username": None,
    "client_id": "gwent-case-system",
    "role": "board",
    "region": "gwent",
    "active": True,
    "version": 1,
    "created_at": "2026-12-02T09:00:00Z",
    "updated_at": "2026-12-02T09:00:00Z",
    "client_secret": "3q2-7wEXAMPLEonly-nS0m3R4nd0mT3xtYQ8vJk1LmN0pQrStU",
}

ACCOUNT = {
    "kind": "user",
    "id": "9b2e4c1a-5d3f-4e8b-a6c7-1f0e2d3c4b5a",
    "username": "gwent-officer",
    "client_id": None,
    "role": "board",
    "region": "gwent",
    "active": False,
    "version": 2,
    "created_at": "2026-12-02T09:00:00Z",
    "updated_at": "2026-12-02T10:30:00Z",
}


# A correction of a submitted or published review: why, and a merge patch of what changes.
CORRECTION: dict[str, Any] = {
    "reason": "The panel's completion date was entered as the date of the draft; the report gives 10 March 2025.",
    "changes": {"completed_on": "2025-03-10", "age_band": None},
}

REDACTION: dict[str, Any] = {
    "text": "Jane Doe",
    "reason": "The child's name was published in error; removed on the data protection officer's instruction (DPO/2025/7).",
}

REDACTION_ANSWER: dict[str, Any] = {
    "review_id": "6f1c2b7e-8a43-4d0e-9c55-1d2e3f4a5b6c",
    "version": 7,
    "marker": "[redacted]",
    "occurrences": 5,
    "revisions_rewritten": 2,
    "places": [
        {
            "entity": "review",
            "entity_id": "6f1c2b7e-8a43-4d0e-9c55-1d2e3f4a5b6c",
            "fields": ["summary", "full_text"],
            "occurrences": 3,
        },
        {"entity": "revision", "entity_id": "41", "fields": ["snapshot"], "occurrences": 1},
        {"entity": "revision", "entity_id": "44", "fields": ["snapshot"], "occurrences": 1},
    ],
    "documents_to_replace": ["report"],
}

PUBLICATION_REJECTED: dict[str, Any] = {
    "type": "/problems/submission-rejected",
    "title": "The review cannot be submitted yet",
    "status": 422,
    "detail": "The review cannot be published yet; see errors.",
    "errors": [
        {
            "code": "report-required",
            "detail": "A review is published with its report: PUT it at /reviews/{id}/documents/report first.",
            "location": "body",
            "field": "documents.report",
        }
    ],
}


@dataclass(frozen=True)
class Named:
    """Several examples of one body, each with a summary (OpenAPI `examples`, not `example`)."""

    examples: dict[str, tuple[str, dict[str, Any]]]  # name -> (summary, value)


# (operationId, "request" or a status) -> the example, or several.
EXAMPLES: dict[tuple[str, str], dict[str, Any] | Named] = {
    ("create_review", "request"): REVIEW,
    ("create_account", "request"): NEW_USER,
    ("create_account", "201"): NEW_CLIENT_ANSWER,
    ("update_account", "request"): {"active": False},
    ("update_account", "200"): ACCOUNT,
    ("reset_password", "request"): {"password": "a new long passphrase"},
    ("change_own_password", "request"): {
        "current_password": "correct horse battery staple",
        "new_password": "a new long passphrase",
    },
    ("put_action_plan", "request"): ACTION_PLAN,
    ("submit_review", "422"): SUBMISSION_REJECTED,
    ("publish_review", "422"): PUBLICATION_REJECTED,
    ("correct_review", "request"): CORRECTION,
    ("create_redaction", "request"): REDACTION,
    ("create_redaction", "201"): REDACTION_ANSWER,
    ("search_reviews", "200"): SEARCH_RESULTS,
    ("get_trends", "200"): Named(
        {
            "reviews": ("Reviews by region and year (the default measure)", TRENDS),
            "measured": ("measure=actions_on_time_share by coded_theme: a share and its denominator", TRENDS_MEASURED),
        }
    ),
    ("create_saved_search", "request"): SAVED_SEARCH,
    ("get_similar_recommendations", "200"): SIMILAR_RECOMMENDATIONS,
    ("search_recommendations", "200"): RECOMMENDATION_RESULTS,
    ("create_coding", "request"): CODING,
    ("get_coding_agreement", "200"): AGREEMENT,
    ("create_import", "202"): IMPORT_QUEUED,
    ("create_import", "422"): UNSAFE_ARCHIVE,
    ("get_import", "200"): Named(
        {
            "succeeded": ("Imported: the new reviews' ids, and how many were already there", IMPORT_SUCCEEDED),
            "failed": ("Nothing imported: every problem, by file", IMPORT_FAILED),
        }
    ),
    ("list_imports", "200"): {"items": [IMPORT_SUCCEEDED], "next_cursor": None},
}
