"""mail: the e-mail channel's receipts, attachments and outbox, and the Message-ID of each mail message

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import agent_console.store.types


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

BIG_KEY = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TEXT_998 = sqlmodel.sql.sqltypes.AutoString(length=998)


def upgrade() -> None:
    with op.batch_alter_table('messages') as batch:
        batch.add_column(sa.Column('mail_message_id', TEXT_998, nullable=True))
        batch.create_index('ix_messages_mail_message_id', ['mail_message_id'], unique=False)

    op.create_table('mail_receipts',
    sa.Column('id', BIG_KEY, nullable=False),
    sa.Column('receipt_key', TEXT_998, nullable=False),
    sa.Column('sender', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('received_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('case_id', BIG_KEY, nullable=True),
    sa.Column('message_id', BIG_KEY, nullable=True),
    sa.Column('detail', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('receipt_key')
    )
    op.create_index('ix_mail_receipts_sender_received', 'mail_receipts', ['sender', 'received_at'], unique=False)

    op.create_table('message_attachments',
    sa.Column('id', BIG_KEY, nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('message_id', BIG_KEY, nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('size', BIG_KEY, nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('omitted_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    op.create_index('ix_message_attachments_message_id', 'message_attachments', ['message_id'], unique=False)

    op.create_table('mail_outbox',
    sa.Column('id', BIG_KEY, nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('message_id', BIG_KEY, nullable=False),
    sa.Column('case_id', BIG_KEY, nullable=False),
    sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('subject', TEXT_998, nullable=False),
    sa.Column('mail_message_id', TEXT_998, nullable=False),
    sa.Column('in_reply_to', TEXT_998, nullable=True),
    sa.Column('references', sa.Text(), server_default='', nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.Column('sent_at', agent_console.store.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('mail_message_id'),
    sa.UniqueConstraint('message_id'),
    sa.UniqueConstraint('uid')
    )
    op.create_index('ix_mail_outbox_case_id', 'mail_outbox', ['case_id'], unique=False)
    op.create_index('ix_mail_outbox_state_next', 'mail_outbox', ['state', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_table('mail_outbox')
    op.drop_table('message_attachments')
    op.drop_table('mail_receipts')
    with op.batch_alter_table('messages') as batch:
        batch.drop_index('ix_messages_mail_message_id')
        batch.drop_column('mail_message_id')
