"""applied_ops keyed by (author, op id) with the op's fingerprint; kb_helpful_votes: one vote per agent per article

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import agent_console.store.types


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _applied_ops_table(name: str, *, scoped: bool) -> None:
    columns = [
        sa.Column('op_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=not scoped),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    ]
    if scoped:
        columns.append(sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.create_table(name, *columns,
                    sa.Column('result', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
                    sa.Column('applied_at', agent_console.store.types.UTCDateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=f'fk_{name}_agent_id'),
                    sa.PrimaryKeyConstraint(*(('agent_id', 'op_id') if scoped else ('op_id',)), name=f'pk_{name}'))


def upgrade() -> None:
    # A new table rather than a changed primary key: the same steps on SQLite and PostgreSQL. An op stored without
    # its author (never written by the server) can be answered to no one and is left behind.
    _applied_ops_table('applied_ops_scoped', scoped=True)
    op.execute("INSERT INTO applied_ops_scoped (op_id, agent_id, kind, fingerprint, result, applied_at) "
               "SELECT op_id, agent_id, kind, NULL, result, applied_at FROM applied_ops WHERE agent_id IS NOT NULL")
    op.drop_table('applied_ops')
    op.rename_table('applied_ops_scoped', 'applied_ops')

    op.create_table('kb_helpful_votes',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ),
    sa.PrimaryKeyConstraint('article_id', 'agent_id')
    )


def downgrade() -> None:
    op.drop_table('kb_helpful_votes')
    _applied_ops_table('applied_ops_global', scoped=False)
    # Op ids were one namespace before: of an op id used by several authors, the first applied keeps it.
    op.execute("INSERT INTO applied_ops_global (op_id, agent_id, kind, result, applied_at) "
               "SELECT op_id, agent_id, kind, result, applied_at FROM applied_ops a WHERE NOT EXISTS ("
               "SELECT 1 FROM applied_ops b WHERE b.op_id = a.op_id AND (b.applied_at < a.applied_at OR "
               "(b.applied_at = a.applied_at AND b.agent_id < a.agent_id)))")
    op.drop_table('applied_ops')
    op.rename_table('applied_ops_global', 'applied_ops')
