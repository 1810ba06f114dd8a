"""Learning context (issue 12, part 4): a review says what it lacks for others to learn from it, as
warnings that never stop a submission, on the submit answer and on every read of the review."""

from __future__ import annotations

from tests import flows, pdfs
from tests.flows import API

LONG_SUMMARY = " ".join(["Practitioners did not see the baby's father or hear from the wider family."] * 8)  # 104 words
ALL_WARNINGS = ["no-themes", "no-context-factors", "no-agencies", "no-timeline", "short-summary"]


def _codes(review):
    return [warning["code"] for warning in review["warnings"]]


def _upload_timeline(client, headers, review):
    response = client.put(
        f"{API}/reviews/{review['id']}/documents/timeline",
        files={"file": ("timeline.pdf", pdfs.report("Timeline of events"), "application/pdf")},
        headers=headers,
    )
    assert response.status_code == 201, response.text


def test_a_review_missing_context_is_still_submitted_with_every_warning(client, token_for):
    board = token_for("board", "gwent")
    review = flows.create(client, board, themes=[], agencies=[], context_factors=[], summary="Too short.")
    flows.put_plan(client, board, review)
    submitted = flows.submit(client, board, review)
    assert submitted["status"] == "submitted"
    assert _codes(submitted) == ALL_WARNINGS
    by_code = {w["code"]: w for w in submitted["warnings"]}
    assert by_code["no-themes"]["field"] == "themes"
    assert by_code["short-summary"]["field"] == "summary" and "2 word(s)" in by_code["short-summary"]["detail"]
    assert _codes(client.get(f"{API}/reviews/{review['id']}", headers=token_for("inspectorate")).json()) == ALL_WARNINGS


def test_complete_context_has_no_warnings_and_a_timeline_uploaded_later_clears_its_warning(client, token_for):
    board = token_for("board", "gwent")
    review = flows.create(client, board, context_factors=["domestic-abuse"], summary=LONG_SUMMARY)
    flows.put_plan(client, board, review)
    submitted = flows.submit(client, board, review)
    assert _codes(submitted) == ["no-timeline"]  # the factories' review has themes and agencies
    _upload_timeline(client, board, submitted)
    assert _codes(client.get(f"{API}/reviews/{review['id']}", headers=board).json()) == []


def test_a_summary_of_99_words_is_short_and_100_is_not(client, token_for):
    board = token_for("board", "gwent")
    short = flows.create(client, board, reference="S-99", summary=" ".join(["word"] * 99))
    enough = flows.create(client, board, reference="S-100", summary=" ".join(["word"] * 100))
    assert "short-summary" in _codes(short)
    assert "short-summary" not in _codes(enough)


def test_warnings_are_not_part_of_the_review_history(client, token_for):
    board = token_for("board", "gwent")
    review = flows.review_in(client, board, "submitted")
    revisions = client.get(f"{API}/reviews/{review['id']}/revisions", headers=board).json()["items"]
    assert revisions and all("warnings" not in str(revision.get("snapshot", {})) for revision in revisions)


def test_the_integrators_guide_lists_every_warning_code():
    from pathlib import Path

    from app.reviews.models import Review
    from app.reviews.rules import context_warnings

    guide = (Path(__file__).resolve().parent.parent / "docs" / "integrating.md").read_text()
    listed = guide.split("\n### Every `warnings[].code`\n", 1)[1].split("\n## ", 1)[0]
    bare = Review(region="gwent", reference="x", kind="cpr", trigger_outcome="died", title="x", created_by="x", updated_by="x")
    codes = [warning.code for warning in context_warnings(bare, has_timeline=False)]
    assert codes == ALL_WARNINGS
    assert all(f"- `{code}`" in listed for code in codes)
