"""monitor indexes: a covering partial index over open cases, surveys by arrival time

The live monitor aggregates every open case on each refresh (every 2 s). With the covering index the aggregate reads
only the index (no table lookups), so its cost grows with the number of open cases, not with the store.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

MONITOR_COLUMNS = ['queue', 'channel', 'priority', 'status', 'assignee_id', 'sla_due_at', 'created_at',
                   'first_response_at', 'first_response_due', 'next_update_due', 'escalation_level']


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_open_monitor', MONITOR_COLUMNS, unique=False,
                              sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index('ix_surveys_created_at', ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index('ix_surveys_created_at')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_open_monitor', sqlite_where=sa.text('is_open = 1'),
                            postgresql_where=sa.text('is_open'))
