"""core tables

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 20:17:50.880539
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import agent_console.store.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('login', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('queues', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False),
    sa.Column('skills', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('state_since', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('login'),
    sa.UniqueConstraint('uid')
    )
    op.create_table('canned_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('shortcut', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('usage_count', sa.Integer(), nullable=False),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('updated_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('shortcut'),
    sa.UniqueConstraint('uid')
    )
    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('vip', sa.Boolean(), nullable=False),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_customers_phone'), ['phone'], unique=False)

    op.create_table('kb_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tags', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('helpful_votes', sa.Integer(), nullable=False),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('updated_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug'),
    sa.UniqueConstraint('uid')
    )
    op.create_table('sla_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('first_response_s', sa.Integer(), nullable=False),
    sa.Column('next_update_s', sa.Integer(), nullable=True),
    sa.Column('resolution_s', sa.Integer(), nullable=False),
    sa.Column('at_risk_fraction', sa.Float(), nullable=False),
    sa.Column('business_hours', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('service_level_goal', sa.Float(), nullable=False),
    sa.Column('auto_escalate', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'priority'),
    sa.UniqueConstraint('uid')
    )
    op.create_table('agent_state_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('started_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.Column('ended_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('agent_state_changes', schema=None) as batch_op:
        batch_op.create_index('ix_agent_state_changes_agent_started', ['agent_id', 'started_at'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.Column('actor_agent_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['actor_agent_id'], ['agents.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entity', ['entity', 'entity_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('queue', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('tags', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False),
    sa.Column('contact_count', sa.Integer(), nullable=False),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('first_response_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('last_inbound_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('resolved_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('closed_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('reopened_count', sa.Integer(), nullable=False),
    sa.Column('last_reopened_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('first_response_due', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('next_update_due', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('resolution_due', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('sla_due_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('sla_paused_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('sla_paused_seconds', sa.Float(), nullable=False),
    sa.Column('sla_breached', sa.Boolean(), nullable=False),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('wrap_up_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id'),
    sa.UniqueConstraint('key'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_cases_customer_created', ['customer_id', 'created_at'], unique=False)
        batch_op.create_index('ix_cases_open_assignee_due', ['assignee_id', 'sla_due_at'], unique=False, sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))
        batch_op.create_index('ix_cases_open_channel_due', ['channel', 'sla_due_at'], unique=False, sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))
        batch_op.create_index('ix_cases_open_due', ['sla_due_at'], unique=False, sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))
        batch_op.create_index('ix_cases_open_queue_due', ['queue', 'sla_due_at'], unique=False, sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))
        batch_op.create_index('ix_cases_open_tier_due', ['tier', 'sla_due_at'], unique=False, sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))
        batch_op.create_index('ix_cases_queue_status', ['queue', 'status'], unique=False)
        batch_op.create_index('ix_cases_resolved_at', ['resolved_at'], unique=False)

    op.create_table('case_article_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'article_id'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('case_article_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_article_links_case_id'), ['case_id'], unique=False)

    op.create_table('drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'agent_id', 'kind')
    )
    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('from_tier', sa.Integer(), nullable=False),
    sa.Column('to_tier', sa.Integer(), nullable=False),
    sa.Column('from_queue', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('to_queue', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('from_agent_id', sa.Integer(), nullable=True),
    sa.Column('to_agent_id', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['from_agent_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['to_agent_id'], ['agents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_case_id'), ['case_id'], unique=False)

    op.create_table('handling_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('delta_seconds', sa.Float(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('corrected_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['corrected_by_id'], ['agents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('handling_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handling_corrections_case_id'), ['case_id'], unique=False)

    op.create_table('handling_segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('started_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.Column('ended_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('heartbeat_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('wrap_up_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('handling_segments', schema=None) as batch_op:
        batch_op.create_index('ix_handling_agent_started', ['agent_id', 'started_at'], unique=False)
        batch_op.create_index('ix_handling_case', ['case_id'], unique=False)
        batch_op.create_index('ix_handling_open', ['agent_id'], unique=False, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('author_agent_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('is_internal', sa.Boolean(), nullable=False),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_agent_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_case_created', ['case_id', 'created_at'], unique=False)

    op.create_table('sla_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.Column('due_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('sla_events', schema=None) as batch_op:
        batch_op.create_index('ix_sla_events_case', ['case_id', 'at'], unique=False)

    op.create_table('surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('csat', sa.Integer(), nullable=True),
    sa.Column('nps', sa.Integer(), nullable=True),
    sa.Column('ces', sa.Integer(), nullable=True),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id'),
    sa.UniqueConstraint('uid')
    )
    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=True),
    sa.Column('due_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.Column('done_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_follow_ups_open_agent_due', ['agent_id', 'due_at'], unique=False, sqlite_where=sa.text('done_at IS NULL'), postgresql_where=sa.text('done_at IS NULL'))



def downgrade() -> None:
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_open_agent_due', sqlite_where=sa.text('done_at IS NULL'), postgresql_where=sa.text('done_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_follow_ups_case_id'))

    op.drop_table('follow_ups')
    op.drop_table('surveys')
    with op.batch_alter_table('sla_events', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_events_case')

    op.drop_table('sla_events')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_case_created')

    op.drop_table('messages')
    with op.batch_alter_table('handling_segments', schema=None) as batch_op:
        batch_op.drop_index('ix_handling_open', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index('ix_handling_case')
        batch_op.drop_index('ix_handling_agent_started')

    op.drop_table('handling_segments')
    with op.batch_alter_table('handling_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handling_corrections_case_id'))

    op.drop_table('handling_corrections')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalations_case_id'))

    op.drop_table('escalations')
    op.drop_table('drafts')
    with op.batch_alter_table('case_article_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_article_links_case_id'))

    op.drop_table('case_article_links')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_resolved_at')
        batch_op.drop_index('ix_cases_queue_status')
        batch_op.drop_index('ix_cases_open_tier_due', sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))
        batch_op.drop_index('ix_cases_open_queue_due', sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))
        batch_op.drop_index('ix_cases_open_due', sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))
        batch_op.drop_index('ix_cases_open_channel_due', sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))
        batch_op.drop_index('ix_cases_open_assignee_due', sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))
        batch_op.drop_index('ix_cases_customer_created')
        batch_op.drop_index('ix_cases_created_at')

    op.drop_table('cases')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entity')

    op.drop_table('audit_events')
    with op.batch_alter_table('agent_state_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_agent_state_changes_agent_started')

    op.drop_table('agent_state_changes')
    op.drop_table('sla_policies')
    op.drop_table('kb_articles')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_phone'))
        batch_op.drop_index(batch_op.f('ix_customers_email'))

    op.drop_table('customers')
    op.drop_table('canned_responses')
    op.drop_table('agents')
