"""Realistic review and action-plan payloads for tests (anonymised, as real reports are)."""

from __future__ import annotations

import copy
from typing import Any

from app import openapi_examples

# The API document's own example (so the example is proven by every test that uses it), with the
# optional fields a board system usually sends too.
REVIEW: dict[str, Any] = copy.deepcopy(openapi_examples.REVIEW) | {
    "susr_criteria": [],
    "historic": False,
    "multiple_abuse": False,
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
