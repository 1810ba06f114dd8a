"""The database itself keeps the record (migration 0014, ADR 0037): it refuses to delete a review and
to alter or delete a revision, whatever the application does; redaction's `allow_rewrite` is the one
door, and it opens for rewriting revisions only, in its own transaction only."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from app.history.repository import allow_rewrite
from tests import flows
from tests.flows import API


@pytest.fixture
def board(token_for):
    return token_for("board", "gwent")


def _refused(connection, statement: str, match: str, **params: object) -> None:
    savepoint = connection.begin_nested()
    with pytest.raises(DatabaseError, match=match):
        connection.execute(text(statement), params)
    savepoint.rollback()


@pytest.mark.parametrize(
    ("statement", "match"),
    [
        ("DELETE FROM review", "reviews are never deleted"),
        ("DELETE FROM review WHERE id = :id", "reviews are never deleted"),
        ("UPDATE revision SET changed_by = 'someone else'", "revisions are append-only"),
        ("UPDATE revision SET snapshot = '{}' WHERE review_id = :id", "revisions are append-only"),
        ("DELETE FROM revision", "revisions are append-only"),
    ],
)
def test_the_database_refuses_to_delete_reviews_and_to_alter_revisions(client, board, connection, statement, match):
    review = flows.review_in(client, board, "published")
    _refused(connection, statement, match, id=review["id"])
    assert connection.execute(text("SELECT count(*) FROM review")).scalar_one() == 1
    changed_by = connection.execute(text("SELECT DISTINCT changed_by FROM revision")).scalars().all()
    assert changed_by and "someone else" not in changed_by


def test_truncate_is_refused_on_postgresql(client, board, connection, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite has no TRUNCATE (its DELETE is refused above)")
    flows.create(client, board)
    for table in ("review", "revision", "audit_event"):
        _refused(connection, f"TRUNCATE {table} CASCADE", "never deleted|append-only")


def test_no_request_can_delete_a_review(client, board, token_for):
    review = flows.create(client, board)
    response = client.delete(f"{API}/reviews/{review['id']}", headers=token_for("admin"))
    assert response.status_code == 405  # no such operation: never a 500 from the trigger
    assert client.get(f"{API}/reviews/{review['id']}", headers=board).status_code == 200


def test_only_allow_rewrite_lets_a_revision_be_rewritten_and_never_deleted(client, board, session):
    review = flows.create(client, board)
    rewrite = text("UPDATE revision SET changed_by = :by WHERE review_id = :id")

    savepoint = session.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(rewrite, {"by": "redaction", "id": review["id"]})
    savepoint.rollback()

    with allow_rewrite(session):
        session.execute(rewrite, {"by": "redaction", "id": review["id"]})
        savepoint = session.begin_nested()
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(text("DELETE FROM revision WHERE review_id = :id"), {"id": review["id"]})
        savepoint.rollback()
    by = session.execute(text("SELECT DISTINCT changed_by FROM revision WHERE review_id = :id"), {"id": review["id"]})
    assert by.scalars().all() == ["redaction"]

    # The door closes with the block, in this transaction too.
    savepoint = session.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(rewrite, {"by": "after", "id": review["id"]})
    savepoint.rollback()


def test_allow_rewrite_closes_the_door_even_when_its_block_fails(client, board, session):
    review = flows.create(client, board)
    with pytest.raises(RuntimeError), allow_rewrite(session):
        raise RuntimeError("the redaction failed")
    if session.get_bind().dialect.name == "sqlite":
        assert session.execute(text("SELECT count(*) FROM redaction_in_progress")).scalar_one() == 0
    savepoint = session.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text("UPDATE revision SET changed_by = 'x' WHERE review_id = :id"), {"id": review["id"]})
    savepoint.rollback()
