"""cases: the 异地代收代办 stage of an application, its step clock and 补正, and what each move recorded

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=16), server_default='received', nullable=False))
        batch_op.add_column(sa.Column('clock_started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('clock_used_before', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('resume_stage', sa.String(length=16), server_default='', nullable=False))
        batch_op.add_column(sa.Column('correction_sealed', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('correction_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_applications_stage'), ['stage'], unique=False)
    # the states of before were the stages of the same name; their clocks start from their last move
    op.execute("UPDATE applications SET stage = status, clock_started_at = updated_at "
               "WHERE status IN ('accepted', 'forwarded')")
    op.execute("UPDATE applications SET stage = status WHERE status IN ('completed', 'rejected')")
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('move', sa.String(length=24), server_default='', nullable=False))
        batch_op.add_column(sa.Column('detail_sealed', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_column('detail_sealed')
        batch_op.drop_column('move')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_stage'))
        batch_op.drop_column('notified_at')
        batch_op.drop_column('correction_due')
        batch_op.drop_column('correction_sealed')
        batch_op.drop_column('resume_stage')
        batch_op.drop_column('clock_used_before')
        batch_op.drop_column('clock_started_at')
        batch_op.drop_column('stage')
