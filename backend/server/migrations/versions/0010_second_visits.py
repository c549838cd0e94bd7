"""a divorce's second visit (领证) points at the booking of its first visit

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_booking_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_bookings_first_booking_id'), ['first_booking_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_bookings_first_booking_id_bookings'), 'bookings',
                                    ['first_booking_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_bookings_first_booking_id_bookings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_bookings_first_booking_id'))
        batch_op.drop_column('first_booking_id')
