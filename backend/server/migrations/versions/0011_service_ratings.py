"""好差评 of the kiosk's services: a rating names its service and, for a low one, the reason; only a rating of
an application names the case

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service', sa.String(length=16), server_default='apply', nullable=False))
        batch_op.add_column(sa.Column('reason', sa.String(length=16), nullable=True))
        batch_op.alter_column('application_number', existing_type=sa.String(length=50), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM ratings WHERE application_number IS NULL")
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.alter_column('application_number', existing_type=sa.String(length=50), nullable=False)
        batch_op.drop_column('reason')
        batch_op.drop_column('service')
