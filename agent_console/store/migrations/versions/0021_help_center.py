"""help center: articles get a public flag and an optional queue; visitors' "did this solve your problem?" answers

Revision ID: 0021
Revises: 0019
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import agent_console.store.types


revision = '0021'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD COLUMN, not a batch: SQLite's batch mode copies the table, and the copy would lose the search index's
    # triggers on kb_articles (a NOT NULL column with a constant default is one SQLite adds in place).
    op.add_column('kb_articles', sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('kb_articles', sa.Column('queue', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.create_table('help_feedback',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('solved', sa.Boolean(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('visit', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    op.create_index('ix_help_feedback_article_id', 'help_feedback', ['article_id'], unique=False)
    op.create_index('ix_help_feedback_created', 'help_feedback', ['created_at', 'solved'], unique=False)
    op.create_index('ix_help_feedback_visit', 'help_feedback', ['visit'], unique=False)


def downgrade() -> None:
    op.drop_table('help_feedback')
    # DROP COLUMN in place (SQLite 3.35+): a batch copy would lose the search index's triggers.
    op.drop_column('kb_articles', 'queue')
    op.drop_column('kb_articles', 'public')
