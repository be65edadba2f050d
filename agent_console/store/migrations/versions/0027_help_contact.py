"""help center contact form and self-service figures: the articles read on a web case, the forms sent, the searches

Revision ID: 0027
Revises: 0022
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import agent_console.store.types


revision = '0027'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD COLUMN, not a batch: SQLite's batch mode copies the table, and the copy would lose the case index's
    # triggers on cases. Nullable: a feed from a server without the column gives consoles no value for it.
    op.add_column('cases', sa.Column('help_articles', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.create_table('help_contacts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sender', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('visit', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    op.create_index('ix_help_contacts_case_id', 'help_contacts', ['case_id'], unique=False)
    op.create_index('ix_help_contacts_created', 'help_contacts', ['created_at'], unique=False)
    op.create_index('ix_help_contacts_sender_created', 'help_contacts', ['sender', 'created_at'], unique=False)
    op.create_table('help_searches',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('query', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('visit', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_help_searches_created', 'help_searches', ['created_at', 'hits'], unique=False)


def downgrade() -> None:
    op.drop_table('help_searches')
    op.drop_table('help_contacts')
    # DROP COLUMN in place (SQLite 3.35+): a batch copy would lose the case index's triggers.
    op.drop_column('cases', 'help_articles')
