"""Realistic review and action-plan payloads for tests (anonymised, as real reports are)."""

from __future__ import annotations

import copy
from typing import Any

REVIEW: dict[str, Any] = {
    "region": "gwent",
    "reference": "GWSB 2/2023",
    "kind": "cpr",
    "review_type": "extended",
    "susr_criteria": [],
    "trigger_outcome": "died",
    "on_cp_register_6m": True,
    "looked_after_6m": False,
    "historic": False,
    "multiple_abuse": False,
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

SUSR: dict[str, Any] = {
    **REVIEW,
    "reference": "GWSB SUSR 1/2025",
    "kind": "susr",
    "review_type": None,
    "susr_criteria": ["cpr", "dhr"],
    "completed_on": "2025-03-10",
    "title": "Child B",
}


def review(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(REVIEW)
    payload.update(changes)
    return payload


def susr(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(SUSR)
    payload.update(changes)
    return payload


def action_plan(*refs: str, target_date: str = "2027-03-31", lead_agency: str = "police") -> dict[str, Any]:
    return {
        "actions": [
            {
                "recommendation_ref": ref,
                "description": f"Deliver what recommendation {ref} asks, and audit it after six months.",
                "lead_agency": lead_agency,
                "target_date": target_date,
            }
            for ref in (refs or ("R1", "R2"))
        ]
    }
