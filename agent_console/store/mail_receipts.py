"""The gateway's receipts: finding a mail taken before (intake idempotence) and counting a sender's recent mails
(the rate limit)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from agent_console.store.models import Case, MailReceipt, Message, MessageAttachment


def receipt_by_key(session: Session, receipt_key: str) -> MailReceipt | None:
    return session.exec(select(MailReceipt).where(MailReceipt.receipt_key == receipt_key)).first()


def receipts_from_since(session: Session, sender: str, since: datetime) -> int:
    """How many mails ``sender`` sent that the gateway took (or refused) since ``since``."""
    return session.exec(select(func.count()).select_from(MailReceipt)
                        .where(MailReceipt.sender == sender, MailReceipt.received_at >= since)).one()


def is_receipt_race(exc: BaseException) -> bool:
    """A concurrent intake stored the same mail first (the unique receipt key refused ours)."""
    return isinstance(exc, IntegrityError) and "receipt" in str(exc.orig).lower()


def attachments_by_message(session: Session, message_ids: list[int]) -> dict[int, list[tuple]]:
    """What the thread lists under each message: (file name, type, size, omitted reason) by message id, without the
    contents."""
    if not message_ids:
        return {}
    found: dict[int, list[tuple]] = {}
    rows = session.exec(select(MessageAttachment.message_id, MessageAttachment.filename,
                               MessageAttachment.content_type, MessageAttachment.size,
                               MessageAttachment.omitted_reason)
                        .where(MessageAttachment.message_id.in_(message_ids))
                        .order_by(MessageAttachment.id)).all()
    for message_id, *listed in rows:
        found.setdefault(message_id, []).append(tuple(listed))
    return found


def attachment_with_queue(session: Session, uid: str) -> tuple[MessageAttachment, str] | None:
    """The attachment ``uid`` (with its content) and the queue of its message's case — who may have it — or None."""
    row = session.exec(select(MessageAttachment, Case.queue)
                       .join(Message, Message.id == MessageAttachment.message_id)
                       .join(Case, Case.id == Message.case_id)
                       .where(MessageAttachment.uid == uid)).first()
    return (row[0], row[1]) if row is not None else None
