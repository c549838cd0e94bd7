"""the fleet console: commands staff queue for a kiosk's next heartbeat, acknowledged alerts

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kiosk_commands',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.String(length=80), nullable=False),
    sa.Column('queued_by', sa.String(length=64), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.kiosk_id'], name=op.f('fk_kiosk_commands_kiosk_id_kiosks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_commands'))
    )
    with op.batch_alter_table('kiosk_commands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_commands_kiosk_id'), ['kiosk_id'], unique=False)
    op.create_table('alert_acknowledgements',
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('acknowledged_by', sa.String(length=64), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kiosk_id', 'kind', name=op.f('pk_alert_acknowledgements'))
    )
    with op.batch_alter_table('kiosk_alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kiosk_alerts', schema=None) as batch_op:
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('acknowledged_by')
    op.drop_table('alert_acknowledgements')
    with op.batch_alter_table('kiosk_commands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_commands_kiosk_id'))
    op.drop_table('kiosk_commands')
