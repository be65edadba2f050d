"""monitor indexes: covering indexes for the live monitor's refresh

The live monitor recomputes every figure each refresh (default every 2 s). These indexes hold every column its
queries read, so each query is a scan of one index range with no table lookups: open cases (partial, ``is_open``),
cases created today, cases resolved today, their handling segments, surveys received today, open follow-ups by due
time. Measured in bench/bench_monitor.py.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OPEN = dict(sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))
NOT_DONE = dict(sqlite_where=sa.text('done_at IS NULL'), postgresql_where=sa.text('done_at IS NULL'))

CASE_INDEXES = (
    ('ix_cases_open_monitor', ['queue', 'channel', 'priority', 'status', 'assignee_id', 'sla_due_at', 'created_at',
                               'first_response_at', 'next_update_due', 'escalation_level'], OPEN),
    # Contacts waiting (open, nobody assigned, not pending on the customer): count and oldest per queue and channel.
    ('ix_cases_waiting', ['queue', 'channel', 'created_at'],
     dict(sqlite_where=sa.text("is_open = 1 AND assignee_id IS NULL AND status != 'pending'"),
          postgresql_where=sa.text("is_open AND assignee_id IS NULL AND status != 'pending'"))),
    # The due list: escalated open cases by due time (the predicate's terms are written the same in the query).
    ('ix_cases_open_escalated_due', ['sla_due_at'], dict(sqlite_where=sa.text('is_open = 1 AND escalation_level > 0'),
                                                         postgresql_where=sa.text('is_open AND escalation_level > 0'))),
    ('ix_cases_created_monitor', ['created_at', 'queue', 'channel', 'first_response_at', 'first_response_due'], {}),
    ('ix_cases_resolved_monitor', ['resolved_at', 'queue', 'channel', 'assignee_id', 'contact_count',
                                   'reopened_count'], {}),
)


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name, columns, where in CASE_INDEXES:
            batch_op.create_index(name, columns, unique=False, **where)
    with op.batch_alter_table('handling_segments', schema=None) as batch_op:
        batch_op.create_index('ix_handling_case_times', ['case_id', 'agent_id', 'started_at', 'ended_at',
                                                         'heartbeat_at'], unique=False)
        # metrics.aht over today's segments (dated by their start).
        batch_op.create_index('ix_handling_started', ['started_at', 'kind', 'case_id', 'agent_id', 'ended_at'],
                              unique=False)
    with op.batch_alter_table('handling_corrections', schema=None) as batch_op:
        # metrics.aht's corrections by date: without it the planner scans every case.
        batch_op.create_index('ix_handling_corrections_created', ['created_at', 'case_id', 'agent_id',
                                                                  'delta_seconds'], unique=False)
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index('ix_surveys_created_at', ['created_at', 'case_id', 'csat'], unique=False)
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_follow_ups_open_due', ['due_at'], unique=False, **NOT_DONE)


def downgrade() -> None:
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_open_due', **NOT_DONE)
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index('ix_surveys_created_at')
    with op.batch_alter_table('handling_corrections', schema=None) as batch_op:
        batch_op.drop_index('ix_handling_corrections_created')
    with op.batch_alter_table('handling_segments', schema=None) as batch_op:
        batch_op.drop_index('ix_handling_started')
        batch_op.drop_index('ix_handling_case_times')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name, _columns, where in reversed(CASE_INDEXES):
            batch_op.drop_index(name, **where)
