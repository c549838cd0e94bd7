"""usage counts of kiosks (guide prints, progress lookups) for the monthly report

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('usage_counts',
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.kiosk_id'], name=op.f('fk_usage_counts_kiosk_id_kiosks')),
    sa.PrimaryKeyConstraint('kiosk_id', 'day', 'item_id', 'kind', name=op.f('pk_usage_counts'))
    )


def downgrade() -> None:
    op.drop_table('usage_counts')
