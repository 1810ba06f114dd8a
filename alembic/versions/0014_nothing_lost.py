"""nothing lost: the database refuses to delete reviews and to alter or delete revisions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

Issue 13, part 7 (ADR 0037). Whatever the application does, the database itself refuses DELETE of
a review and UPDATE or DELETE of a revision (and TRUNCATE of either on PostgreSQL). The audit trail
has been append-only since 0004.

Redaction is the one path that may rewrite revisions (never delete them): inside its transaction,
`app.history.repository.allow_rewrite` sets `registry.redaction = 'on'` (SET LOCAL) on PostgreSQL,
and puts the one row of `redaction_in_progress` on SQLite, which has no session settings; the
revision UPDATE trigger lets the change through only then.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVIEWS_KEPT = "reviews are never deleted: withdraw one instead"
REVISIONS_APPEND_ONLY = "revisions are append-only (only a redaction may rewrite one)"
NO_REDACTION = "NOT EXISTS (SELECT 1 FROM redaction_in_progress)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TABLE redaction_in_progress (id INTEGER PRIMARY KEY CHECK (id = 1))")
        op.execute(f"CREATE TRIGGER review_no_delete BEFORE DELETE ON review BEGIN SELECT RAISE(ABORT, '{REVIEWS_KEPT}'); END")
        op.execute(
            f"CREATE TRIGGER revision_no_update BEFORE UPDATE ON revision WHEN {NO_REDACTION} "
            f"BEGIN SELECT RAISE(ABORT, '{REVISIONS_APPEND_ONLY}'); END"
        )
        op.execute(
            f"CREATE TRIGGER revision_no_delete BEFORE DELETE ON revision BEGIN SELECT RAISE(ABORT, '{REVISIONS_APPEND_ONLY}'); END"
        )
        return
    op.execute(
        f"""CREATE FUNCTION review_kept() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{REVIEWS_KEPT}' USING ERRCODE = 'insufficient_privilege'; END $$"""
    )
    op.execute(
        f"""CREATE FUNCTION revision_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND current_setting('registry.redaction', true) = 'on' THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '{REVISIONS_APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege';
            END $$"""
    )
    op.execute("CREATE TRIGGER review_no_delete BEFORE DELETE ON review FOR EACH ROW EXECUTE FUNCTION review_kept()")
    op.execute("CREATE TRIGGER review_no_truncate BEFORE TRUNCATE ON review FOR EACH STATEMENT EXECUTE FUNCTION review_kept()")
    op.execute(
        "CREATE TRIGGER revision_append_only BEFORE UPDATE OR DELETE ON revision "
        "FOR EACH ROW EXECUTE FUNCTION revision_append_only()"
    )
    op.execute(
        "CREATE TRIGGER revision_no_truncate BEFORE TRUNCATE ON revision FOR EACH STATEMENT EXECUTE FUNCTION revision_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("revision_no_delete", "revision_no_update", "review_no_delete"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE redaction_in_progress")
        return
    op.execute("DROP TRIGGER revision_no_truncate ON revision")
    op.execute("DROP TRIGGER revision_append_only ON revision")
    op.execute("DROP TRIGGER review_no_truncate ON review")
    op.execute("DROP TRIGGER review_no_delete ON review")
    op.execute("DROP FUNCTION revision_append_only()")
    op.execute("DROP FUNCTION review_kept()")
