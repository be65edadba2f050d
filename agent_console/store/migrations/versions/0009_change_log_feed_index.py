"""change_log index by seq covering queue and uid: a feed page picks its rows (and checks its cache) from the index
alone, without reading each row's JSON from the table

Revision ID: 0009
Revises: 0008
"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index('ix_change_log_feed', ['seq', 'queue', 'uid'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index('ix_change_log_feed')
