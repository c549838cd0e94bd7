"""citizens' calls for staff from kiosks, their acknowledgement and the messaging-group notice

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('help_calls',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('screen', sa.String(length=32), nullable=False),
    sa.Column('problem', sa.String(length=32), nullable=False),
    sa.Column('site', sa.String(length=64), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=64), nullable=False),
    sa.Column('webhook', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.kiosk_id'], name=op.f('fk_help_calls_kiosk_id_kiosks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_calls'))
    )
    with op.batch_alter_table('help_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_calls_kiosk_id'), ['kiosk_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_calls_received_at'), ['received_at'], unique=False)


def downgrade() -> None:
    op.drop_table('help_calls')
