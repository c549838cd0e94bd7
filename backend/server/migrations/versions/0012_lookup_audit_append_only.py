"""the look-up audit is append-only: a row is never deleted, and changed only by the look-up that wrote it, to
mark itself refused by the limits

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# A look-up writes its audit row before it counts against the limits (api_kiosk._guarded: the counter rows are
# locked from their upsert to the commit, so the upsert comes last); a refusal then marks that row "limited".
# That one change is allowed, and only inside the transaction that inserted the row: PostgreSQL compares the
# row's inserting transaction (xmin) with the current one. SQLite has no such id; it writes one transaction at a
# time, so the row a look-up just wrote is the newest, and only the newest may be marked.
UNCHANGED = ("NEW.id = OLD.id AND NEW.kiosk_id = OLD.kiosk_id AND NEW.at = OLD.at AND NEW.kind = OLD.kind"
             " AND NEW.person_index IS NOT DISTINCT FROM OLD.person_index"
             " AND NEW.application_number IS NOT DISTINCT FROM OLD.application_number")
MARKED_LIMITED = ("NEW.outcome = 'limited' AND NEW.count = 0 AND OLD.outcome IN ('answered', 'not_found')"
                  f" AND {UNCHANGED}")

SQLITE = [
    f"""CREATE TRIGGER lookup_audit_append_only_update BEFORE UPDATE ON lookup_audit
        WHEN NOT ({MARKED_LIMITED.replace('IS NOT DISTINCT FROM', 'IS')}
                  AND OLD.id = (SELECT max(id) FROM lookup_audit))
        BEGIN SELECT RAISE(ABORT, 'lookup_audit is append-only'); END""",
    """CREATE TRIGGER lookup_audit_append_only_delete BEFORE DELETE ON lookup_audit
       BEGIN SELECT RAISE(ABORT, 'lookup_audit is append-only'); END""",
]
POSTGRES = [
    f"""CREATE FUNCTION lookup_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' AND {MARKED_LIMITED}
             AND (SELECT xmin::text FROM lookup_audit WHERE id = OLD.id) = (txid_current() % 4294967296)::text THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'lookup_audit is append-only';
        END $$""",
    """CREATE TRIGGER lookup_audit_append_only BEFORE UPDATE OR DELETE ON lookup_audit
       FOR EACH ROW EXECUTE FUNCTION lookup_audit_append_only()""",
    """CREATE TRIGGER lookup_audit_no_truncate BEFORE TRUNCATE ON lookup_audit
       FOR EACH STATEMENT EXECUTE FUNCTION lookup_audit_append_only()""",
]


def upgrade() -> None:
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER lookup_audit_append_only_update")
        op.execute("DROP TRIGGER lookup_audit_append_only_delete")
    else:
        op.execute("DROP TRIGGER lookup_audit_no_truncate ON lookup_audit")
        op.execute("DROP TRIGGER lookup_audit_append_only ON lookup_audit")
        op.execute("DROP FUNCTION lookup_audit_append_only()")
