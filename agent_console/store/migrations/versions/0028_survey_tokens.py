"""survey links: the hashes of the one-time survey tokens handed to customers; the help center's cache stamp index

Revision ID: 0028
Revises: 0027
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import agent_console.store.types


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey_tokens',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.Column('used_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index('ix_survey_tokens_case_id', 'survey_tokens', ['case_id'], unique=False)
    # Lets the help center read its cache stamp (kb_articles.articles_stamp) without reading the articles' bodies.
    op.create_index('ix_kb_articles_stamp', 'kb_articles', ['version', 'updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_kb_articles_stamp', table_name='kb_articles')
    op.drop_index('ix_survey_tokens_case_id', table_name='survey_tokens')
    op.drop_table('survey_tokens')
