"""The e-mail channel's rows: queueing an outgoing mail beside its message, and finding the message a mail refers to.

Both the gateway's intake (acknowledgements, bounces, threading) and the reply path use these, so a Message-ID is
written and looked up in one way."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Iterable

from sqlmodel import Session, select

from agent_console.store.models import MailOutbox, Message


def queue_outgoing_mail(session: Session, *, message: Message, recipient: str, subject: str, mail_message_id: str,
                        in_reply_to: str | None, references: Iterable[str], now: datetime) -> MailOutbox:
    """Queue ``message`` to be sent as a mail, in the caller's transaction (the message and its outbox row commit
    together or not at all). The Message-ID is fixed here, before any attempt to send, and kept on the message so a
    reply to it threads back to its case."""
    message.mail_message_id = mail_message_id
    session.add(message)
    session.flush()
    row = MailOutbox(uid=mail_row_uid(message.uid), message_id=message.id, case_id=message.case_id, recipient=recipient, subject=subject,
                     mail_message_id=mail_message_id, in_reply_to=in_reply_to, references=" ".join(references),
                     state="queued", attempts=0, next_attempt_at=now, created_at=now)
    session.add(row)
    session.flush()
    return row


def mail_row_uid(message_uid: str) -> str:
    """The uid of a message's outbox row, derived from the message's: a message is mailed once, and every store that
    queues it (the team server on either op path, a console that worked alone) names its row alike."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"agent-console:mail:{message_uid}"))


def message_by_mail_id(session: Session, mail_message_ids: Iterable[str]) -> Message | None:
    """The newest message received or sent as one of these Message-IDs (``In-Reply-To`` first, then ``References``
    newest first, as the caller orders them), or None."""
    for mail_message_id in mail_message_ids:
        if not mail_message_id:
            continue
        found = session.exec(select(Message).where(Message.mail_message_id == mail_message_id)
                             .order_by(Message.id.desc()).limit(1)).first()
        if found is not None:
            return found
    return None


def case_mail_ids(session: Session, case_id: int) -> list[str]:
    """The Message-IDs of a case's mails, oldest first: the ``References`` of the next mail on its thread."""
    rows = session.exec(select(Message.mail_message_id)
                        .where(Message.case_id == case_id, Message.mail_message_id.is_not(None))
                        .order_by(Message.created_at, Message.id)).all()
    return [row for row in rows if row]


def outbox_row_of_message(session: Session, message_id: int) -> MailOutbox | None:
    return session.exec(select(MailOutbox).where(MailOutbox.message_id == message_id)).first()
