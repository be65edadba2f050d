"""The gateway's receipts: finding a mail taken before (intake idempotence) and counting a sender's recent mails
(the rate limit)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from agent_console.store.models import MailReceipt


def receipt_by_key(session: Session, receipt_key: str) -> MailReceipt | None:
    return session.exec(select(MailReceipt).where(MailReceipt.receipt_key == receipt_key)).first()


def receipts_from_since(session: Session, sender: str, since: datetime) -> int:
    """How many mails ``sender`` sent that the gateway took (or refused) since ``since``."""
    return session.exec(select(func.count()).select_from(MailReceipt)
                        .where(MailReceipt.sender == sender, MailReceipt.received_at >= since)).one()


def is_receipt_race(exc: BaseException) -> bool:
    """A concurrent intake stored the same mail first (the unique receipt key refused ours)."""
    return isinstance(exc, IntegrityError) and "receipt" in str(exc.orig).lower()
