"""help center answers outlive their article: a deleted article's "did this solve your problem?" answers stay (the
self-service figures of past days must not change) with no article

Revision ID: 0033
Revises: 0025
"""
from alembic import op
import sqlalchemy as sa


revision = '0033'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('help_feedback') as batch:
        batch.alter_column('article_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM help_feedback WHERE article_id IS NULL")
    with op.batch_alter_table('help_feedback') as batch:
        batch.alter_column('article_id', existing_type=sa.Integer(), nullable=False)
