"""queues: the queues agents work become records, filled from the queues cases and agents already name

Revision ID: 0013
Revises: 0012
"""
from datetime import datetime, timezone
import uuid

from alembic import op
import sqlalchemy as sa
import sqlmodel
import agent_console.store.types


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    queues = op.create_table('queues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('uid')
    )
    # An existing store keeps working: every queue its cases or agents already use becomes a record.
    bind = op.get_bind()
    names = {row[0] for row in bind.execute(sa.text("SELECT DISTINCT queue FROM cases"))}
    for (listed,) in bind.execute(sa.text("SELECT DISTINCT queues FROM agents WHERE queues != ''")):
        names.update(part.strip() for part in listed.split(","))
    names = sorted(name for name in names if name and name.strip())
    if names:
        now = datetime.now(timezone.utc)
        op.bulk_insert(queues, [{"uid": str(uuid.uuid4()), "name": name, "description": "", "created_at": now}
                                for name in names])


def downgrade() -> None:
    op.drop_table('queues')
