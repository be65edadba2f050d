"""help center: articles get a public flag and an optional queue; visitors' "did this solve your problem?" answers

Revision ID: 0021
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import agent_console.store.types


revision = '0021'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kb_articles') as batch:
        batch.add_column(sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('queue', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
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
    with op.batch_alter_table('kb_articles') as batch:
        batch.drop_column('queue')
        batch.drop_column('public')
