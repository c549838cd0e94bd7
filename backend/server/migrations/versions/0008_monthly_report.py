"""the monthly 汇总表: each kiosk's site and whether it is a test kiosk, the reporting period an administrator
sets per month, and what the divisions enter per task and month

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('test', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table('report_periods',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_report_periods'))
    )
    op.create_table('report_entries',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('task', sa.String(length=32), nullable=False),
    sa.Column('window_count', sa.Integer(), nullable=True),
    sa.Column('online_count', sa.Integer(), nullable=True),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('month', 'task', name=op.f('pk_report_entries'))
    )


def downgrade() -> None:
    op.drop_table('report_entries')
    op.drop_table('report_periods')
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.drop_column('test')
        batch_op.drop_column('site')
