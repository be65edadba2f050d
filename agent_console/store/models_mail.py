"""The e-mail channel's tables: what the gateway received (so no mail is taken twice), the attachments kept on
messages, and the outbox of mails to send (``store/models.py`` re-exports them).

A message's own RFC 5322 ``Message-ID`` (received or sent) is ``Message.mail_message_id``: threading looks a reply's
``In-Reply-To``/``References`` up there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from agent_console.store.model_values import BigKey, _ts, _ts_required, new_uid


class MailReceipt(SQLModel, table=True):
    """One mail the gateway accepted, refused or recorded: its key makes intake idempotent (a mail fetched twice, or
    handed over again after a crash, finds its receipt and is not stored again); ``sender`` and ``received_at`` serve
    the per-sender rate limit."""

    __tablename__ = "mail_receipts"
    __table_args__ = (Index("ix_mail_receipts_sender_received", "sender", "received_at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    #: The mail's Message-ID, or ``sha256:<hex>`` of the raw message when it has none.
    receipt_key: str = Field(max_length=998, unique=True)
    sender: str = Field(default="", max_length=320)
    received_at: datetime = _ts_required()
    #: new_case | reply | auto_reply | bounce | refused
    outcome: str = Field(max_length=16)
    case_id: int | None = Field(default=None, foreign_key="cases.id", sa_type=BigKey)
    message_id: int | None = Field(default=None, foreign_key="messages.id", sa_type=BigKey)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class MessageAttachment(SQLModel, table=True):
    """A file that came with (or was sent with) a message. ``content`` is None when the file was over the size limit:
    the name, type and size stay listed with ``omitted_reason``."""

    __tablename__ = "message_attachments"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    message_id: int = Field(foreign_key="messages.id", sa_type=BigKey, index=True)
    #: Sanitised: no path, no control characters.
    filename: str = Field(max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=255)
    size: int = Field(default=0, sa_type=BigKey)
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    omitted_reason: str | None = Field(default=None, max_length=200)
    created_at: datetime = _ts_required()


class MailOutbox(SQLModel, table=True):
    """A mail to send (a reply or an acknowledgement), queued in the same transaction as its message. The Message-ID
    is fixed when the row is written, before any attempt, so a retry after a crash sends the same mail again and the
    receiving side can drop the duplicate."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_state_next", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    message_id: int = Field(foreign_key="messages.id", sa_type=BigKey, unique=True)
    case_id: int = Field(foreign_key="cases.id", sa_type=BigKey, index=True)
    recipient: str = Field(max_length=320)
    subject: str = Field(max_length=998)
    mail_message_id: str = Field(max_length=998, unique=True)
    in_reply_to: str | None = Field(default=None, max_length=998)
    #: Space-separated Message-IDs, oldest first (RFC 5322 References).
    references: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    #: queued | sending | sent | failed
    state: str = Field(default="queued", max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = _ts()
    #: The SMTP server's last reply (or the connection error), shown with the message.
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _ts_required()
    sent_at: datetime | None = _ts()
