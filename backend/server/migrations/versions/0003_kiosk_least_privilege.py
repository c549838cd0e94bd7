"""least privilege per kiosk: receipt query codes, case steps, local references unique per kiosk, one rating
per application

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('query_code_digest', sa.String(length=64), server_default='', nullable=False))
        batch_op.create_unique_constraint('uq_applications_kiosk_reference', ['kiosk_id', 'local_reference'])
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ratings_application_number'))
        batch_op.create_index(batch_op.f('ix_ratings_application_number'), ['application_number'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ratings_application_number'))
        batch_op.create_index(batch_op.f('ix_ratings_application_number'), ['application_number'], unique=False)
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint('uq_applications_kiosk_reference', type_='unique')
        batch_op.drop_column('query_code_digest')
        batch_op.drop_column('step')
