"""The outbox of mails to send, as the gateway works it: which are due, and each attempt's outcome.

An attempt is marked ``sending`` (and committed) before the mail leaves; a gateway killed during the attempt finds
the row still ``sending`` at its next start and sends it again with the same Message-ID: at least once, never lost,
and a receiver that dedupes by Message-ID shows it once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, select

from agent_console.store.models import Case, MailOutbox, Message

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"


@dataclass(frozen=True)
class MailToSend:
    outbox_id: int
    case_key: str
    recipient: str
    subject: str
    mail_message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]
    body: str
    attempts: int


def requeue_interrupted(session: Session, now: datetime) -> int:
    """Rows a killed gateway left ``sending``: due again now (sent again with their Message-ID). Call once at start,
    before any attempt of this gateway."""
    rows = session.exec(select(MailOutbox).where(MailOutbox.state == SENDING)).all()
    for row in rows:
        row.state, row.next_attempt_at = QUEUED, now
    session.flush()
    return len(rows)


def due_ids(session: Session, now: datetime, limit: int = 100) -> list[int]:
    return list(session.exec(select(MailOutbox.id)
                             .where(MailOutbox.state == QUEUED, MailOutbox.next_attempt_at <= now)
                             .order_by(MailOutbox.next_attempt_at, MailOutbox.id).limit(limit)).all())


def next_due_at(session: Session) -> datetime | None:
    """When the earliest queued mail is due (None: nothing queued)."""
    return session.exec(select(func.min(MailOutbox.next_attempt_at)).where(MailOutbox.state == QUEUED)).first()


def start_attempt(session: Session, outbox_id: int) -> MailToSend | None:
    """Mark the row ``sending`` (only if still queued: another gateway did not take it) and return what to send."""
    taken = session.execute(update(MailOutbox).where(MailOutbox.id == outbox_id, MailOutbox.state == QUEUED)
                            .values(state=SENDING, attempts=MailOutbox.attempts + 1))
    if not taken.rowcount:
        return None
    row = session.get(MailOutbox, outbox_id)
    session.refresh(row)
    _announce(session, row)
    message = session.get(Message, row.message_id)
    case = session.get(Case, row.case_id)
    return MailToSend(outbox_id=row.id, case_key=case.key if case else "", recipient=row.recipient,
                      subject=row.subject, mail_message_id=row.mail_message_id, in_reply_to=row.in_reply_to,
                      references=tuple(row.references.split()), body=message.body if message else "",
                      attempts=row.attempts)


def _set(session: Session, outbox_id: int, **values) -> None:
    # Through the ORM: the team server's write session puts every changed row into the change feed, so the
    # floor's consoles see how the mail stands.
    row = session.get(MailOutbox, outbox_id)
    if row is None:
        return
    for name, value in values.items():
        setattr(row, name, value)
    _announce(session, row)


def _announce(session: Session, row: MailOutbox) -> None:
    """Mark the row changed even where its values were written by a statement (the guarded ``sending`` update) or
    are equal to before, so the server's session records it for the feed; flushed in the caller's transaction."""
    flag_modified(row, "state")
    session.flush()


def mark_sent(session: Session, outbox_id: int, now: datetime) -> None:
    _set(session, outbox_id, state=SENT, sent_at=now, last_error=None, next_attempt_at=None)


def mark_retry(session: Session, outbox_id: int, reply: str, next_attempt_at: datetime) -> None:
    _set(session, outbox_id, state=QUEUED, last_error=reply, next_attempt_at=next_attempt_at)


def mark_failed(session: Session, outbox_id: int, reply: str) -> None:
    _set(session, outbox_id, state=FAILED, last_error=reply, next_attempt_at=None)


def newest_outbox_id(session: Session) -> int:
    return session.exec(select(func.max(MailOutbox.id))).first() or 0


def mail_states(session: Session, message_ids: list[int]) -> dict[int, MailOutbox]:
    """The outbox row of each of these messages that was queued as a mail (message id -> row)."""
    if not message_ids:
        return {}
    rows = session.exec(select(MailOutbox).where(MailOutbox.message_id.in_(message_ids))).all()
    return {row.message_id: row for row in rows}


def failed_mails(session: Session, limit: int = 200) -> list[tuple[int, str, str]]:
    """(outbox id, case key, last error) of the newest failed mails."""
    rows = session.exec(select(MailOutbox.id, Case.key, MailOutbox.last_error)
                        .join(Case, Case.id == MailOutbox.case_id)
                        .where(MailOutbox.state == FAILED)
                        .order_by(MailOutbox.id.desc()).limit(limit)).all()
    return [(row[0], row[1], row[2] or "") for row in rows]


def sent_message_uids(session: Session, message_uids: list[str]) -> set[str]:
    """The uids among these messages whose mail this store has sent (the SMTP server accepted it)."""
    if not message_uids:
        return set()
    return set(session.exec(select(Message.uid).join(MailOutbox, MailOutbox.message_id == Message.id)
                            .where(Message.uid.in_(message_uids), MailOutbox.state == SENT)).all())
