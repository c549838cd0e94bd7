"""staff accounts with roles and scrypt hashes, expiring tokens, the append-only record of openings, sealed
staff notes

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = """
CREATE TRIGGER record_openings_append_only_{what} BEFORE {what} ON record_openings
BEGIN SELECT RAISE(ABORT, 'record_openings is append-only'); END
"""
APPEND_ONLY_POSTGRES = [
    """CREATE FUNCTION record_openings_append_only() RETURNS trigger LANGUAGE plpgsql AS
       $$ BEGIN RAISE EXCEPTION 'record_openings is append-only'; END $$""",
    """CREATE TRIGGER record_openings_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON record_openings
       FOR EACH STATEMENT EXECUTE FUNCTION record_openings_append_only()""",
]


def upgrade() -> None:
    op.create_table('staff_accounts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_accounts')),
    sa.UniqueConstraint('name', name=op.f('uq_staff_accounts_name'))
    )
    op.create_table('record_openings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('staff_name', sa.String(length=64), nullable=False),
    sa.Column('application_number', sa.String(length=50), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['staff_accounts.id'],
                            name=op.f('fk_record_openings_account_id_staff_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_openings'))
    )
    with op.batch_alter_table('record_openings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_openings_application_number'), ['application_number'],
                              unique=False)
    with op.batch_alter_table('staff_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_staff_tokens_account_id'), ['account_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_staff_tokens_account_id_staff_accounts'), 'staff_accounts',
                                    ['account_id'], ['id'])
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note_sealed', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note_sealed', sa.LargeBinary(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        for what in ("UPDATE", "DELETE"):
            op.execute(APPEND_ONLY_SQLITE.format(what=what))
    else:
        for statement in APPEND_ONLY_POSTGRES:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER record_openings_append_only ON record_openings")
        op.execute("DROP FUNCTION record_openings_append_only()")
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_column('note_sealed')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('note_sealed')
    with op.batch_alter_table('staff_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_staff_tokens_account_id_staff_accounts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_staff_tokens_account_id'))
        batch_op.drop_column('expires_at')
        batch_op.drop_column('account_id')
    op.drop_table('record_openings')
    op.drop_table('staff_accounts')
