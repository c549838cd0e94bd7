"""look-up limits shared by all workers, the audit of every look-up, kiosk alerts and quarantine

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_counters',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_counters'))
    )
    op.create_table('lookup_audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('person_index', sa.String(length=64), nullable=True),
    sa.Column('application_number', sa.String(length=50), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lookup_audit'))
    )
    with op.batch_alter_table('lookup_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lookup_audit_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lookup_audit_kiosk_id'), ['kiosk_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lookup_audit_person_index'), ['person_index'], unique=False)
    op.create_table('kiosk_alerts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_alerts'))
    )
    with op.batch_alter_table('kiosk_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_alerts_kiosk_id'), ['kiosk_id'], unique=False)
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quarantined_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.drop_column('quarantined_at')
    op.drop_table('kiosk_alerts')
    op.drop_table('lookup_audit')
    op.drop_table('rate_counters')
