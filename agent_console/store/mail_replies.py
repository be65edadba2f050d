"""An agent's reply on an e-mail case — or a web case from the help center's contact form, whose customer gave an
e-mail address and got the acknowledgement by mail — becomes a queued mail in the same transaction as the message.

Called by ``CaseService`` (console, CLI, the server's ORM op path) and by the server's batched op path, so every
reply is addressed, threaded and queued in one way. Internal notes, replies on other channels and stores without a
sender address (``mail_from`` empty: a console that syncs to a server, where the server queues the mail) queue
nothing."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from agent_console.domain.mail_headers import new_message_id, subject_for_case
from agent_console.store.mail_records import case_mail_ids, queue_outgoing_mail
from agent_console.store.models import Case, Channel, Customer, Direction, MailOutbox, Message

REPLY_PREFIX = "Re: "
#: The channels whose cases are answered by mail.
MAILED_CHANNELS = frozenset({Channel.email, Channel.web})


def reply_subject(case: Case) -> str:
    subject = (case.subject or "").strip()
    if subject and not subject.lower().startswith(("re:", "aw:")):
        subject = REPLY_PREFIX + subject
    return subject_for_case(case.key, subject)


def customer_last_mail_id(session: Session, case_id: int) -> str | None:
    """The Message-ID of the customer's newest mail on the case: the ``In-Reply-To`` of our answer."""
    return session.exec(select(Message.mail_message_id)
                        .where(Message.case_id == case_id, Message.direction == Direction.inbound,
                               Message.mail_message_id.is_not(None))
                        .order_by(Message.created_at.desc(), Message.id.desc()).limit(1)).first()


def queue_reply_mail(session: Session, message: Message, case: Case, *, mail_from: str,
                     now: datetime) -> MailOutbox | None:
    """Queue ``message`` (just added, flushed) as a mail to the case's customer, or None when it does not go out."""
    if not mail_from or message.is_internal or message.direction != Direction.outbound:
        return None
    if case.channel not in MAILED_CHANNELS:
        return None
    customer = session.get(Customer, case.customer_id)
    if customer is None or not customer.email:
        return None
    references = case_mail_ids(session, case.id)
    return queue_outgoing_mail(session, message=message, recipient=customer.email, subject=reply_subject(case),
                               mail_message_id=new_message_id(mail_from, message.uid),
                               in_reply_to=customer_last_mail_id(session, case.id), references=references, now=now)


def queue_reply_mails(conn, messages: list[dict], *, mail_from: str, now: datetime) -> list[dict]:
    """The batched op path's replies (rows just inserted on ``conn``, as dicts with their ``id``): queue those that
    go out as mail, in the same transaction, and note each one's Message-ID in its dict, as the row now holds it.
    Returns the outbox rows written (column name -> value), for the change feed."""
    wanted = [values for values in messages if not values["is_internal"] and values["channel"] in MAILED_CHANNELS]
    queued: list[dict] = []
    if not wanted:
        return queued
    # Joins the transaction of ``conn``: flushed here, committed (or rolled back) with the rest of the batch.
    with Session(bind=conn) as session:
        for values in wanted:
            message = session.get(Message, values["id"])
            row = queue_reply_mail(session, message, session.get(Case, values["case_id"]), mail_from=mail_from,
                                   now=now)
            values["mail_message_id"] = row.mail_message_id if row else None
            if row is not None:
                queued.append({column.name: getattr(row, column.name) for column in MailOutbox.__table__.columns})
        session.flush()
    return queued
