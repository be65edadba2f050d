"""calls: telephone calls from CTI events, agents' extensions, customers' phone numbers in E.164

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import agent_console.store.types


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_WAITING = "answered_at IS NULL AND ended_at IS NULL"


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table('calls',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('call_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('from_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('to_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('withheld', sa.Boolean(), nullable=False),
    sa.Column('queue', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('ringing', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answering_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('first_seen_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.Column('started_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('answered_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('ended_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('cause', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('missed', sa.Boolean(), nullable=False),
    sa.Column('called_back_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('called_back_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['called_back_by_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('call_id'),
    sa.UniqueConstraint('uid')
    )
    op.create_index('ix_calls_first_seen', 'calls', ['first_seen_at', 'queue', 'direction'], unique=False)
    op.create_index('ix_calls_waiting', 'calls', ['queue', 'first_seen_at'], unique=False,
                    sqlite_where=sa.text(_WAITING), postgresql_where=sa.text(_WAITING))
    op.create_index('ix_calls_customer', 'calls', ['customer_id', 'first_seen_at'], unique=False)
    op.create_index('ix_calls_case', 'calls', ['case_id'], unique=False)
    op.create_index('ix_calls_number', 'calls', ['number'], unique=False)
    op.create_index('ix_calls_to_call_back', 'calls', ['ended_at'], unique=False,
                    sqlite_where=sa.text("missed = 1 AND called_back_at IS NULL"),
                    postgresql_where=sa.text("missed AND called_back_at IS NULL"))
    with op.batch_alter_table('agents') as batch_op:
        batch_op.add_column(sa.Column('extension', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    op.create_index('ix_agents_extension', 'agents', ['extension'], unique=True)
    _normalise_customer_phones(bind)


def _normalise_customer_phones(bind) -> None:
    """Customers' numbers to E.164 (read in the default region), so a caller's number finds them; text that is no
    number stays as it was."""
    from agent_console.domain.phone_numbers import normalise_or_keep

    rows = bind.execute(sa.text("SELECT id, phone FROM customers WHERE phone IS NOT NULL")).all()
    changed = [{"id": row_id, "phone": new} for row_id, phone in rows
               if (new := normalise_or_keep(phone)) != phone and new is not None and len(new) <= 40]
    if changed:
        bind.execute(sa.text("UPDATE customers SET phone = :phone WHERE id = :id"), changed)


def downgrade() -> None:
    op.drop_index('ix_agents_extension', table_name='agents')
    with op.batch_alter_table('agents') as batch_op:
        batch_op.drop_column('extension')
    op.drop_table('calls')
