"""What a received mail becomes — the one intake code path of ``mail ingest``, ``mail fetch`` and the team server's
``POST /api/v1/mail/inbound``.

In one transaction with its receipt (so a mail handed over twice, or again after a crash, is stored once):

* a delivery-status notification marks the mail it reports on failed (its outbox row, with the status) and is
  attached to that message's case — never a new case;
* mail from our own address is refused; a sender over the rate limit is refused;
* a reply lands on its case by ``In-Reply-To``/``References``, else by the case key in the subject, and counts as the
  customer's new contact (``CaseService.add_inbound``: FCR contact count, next-update clock, reopening);
* anything else starts a new e-mail case for the customer found or created by address, which is acknowledged
  (``mail_ack``) unless the mail is an automatic reply.

Messages the mail system writes (an automatic reply, a bounce note, the acknowledgement) are no customer contact and
no agent reply: they move no SLA clock and append no sync op (a console synced to a team server takes mail in through
the server, where the store is the authority).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from agent_console.domain.case_errors import CaseError
from agent_console.domain.cases import CaseService
from agent_console.domain.clock import Clock
from agent_console.domain.mail_ack import ACK_AUTHOR, queue_acknowledgement  # noqa: F401  (ACK_AUTHOR: re-exported)
from agent_console.domain.queues import require_known_queue
from agent_console.domain.mail_headers import case_key_in_subject
from agent_console.domain.recording import audit
from agent_console.domain.text import clean_text, one_line
from agent_console.i18n import _
from agent_console.mail.parse import MailRejected, ParsedMail, parse_mail
from agent_console.store import mail_receipts, queries
from agent_console.store.mail_records import message_by_mail_id, outbox_row_of_message
from agent_console.store.models import (
    Case,
    Channel,
    Direction,
    MailReceipt,
    Message,
    MessageAttachment,
)
from agent_console.store.queries import NotFound

DEFAULT_SENDER_LIMIT_PER_HOUR = 30
#: The author shown on messages the mail system wrote (bounces, acknowledgements).
MAIL_SYSTEM_AUTHOR = "Mail delivery system"
SUBJECT_LIMIT = 500
NAME_LIMIT = 200


class MailRefused(Exception):
    """The mail can never be accepted (EX_DATAERR for an MTA); the message says why."""


class IntakeSetupError(Exception):
    """The gateway is set up wrongly (e.g. its queue does not exist): the mail is fine and should be handed over
    again once that is fixed (EX_TEMPFAIL)."""


@dataclass(frozen=True)
class IntakeOptions:
    #: Our sender address (``mail_from``): mail from it is refused, acknowledgements go out from it.
    mail_from: str
    #: The queue new e-mail cases go to.
    queue: str
    max_attachment_bytes: int = 10 * 1024 * 1024
    sender_limit_per_hour: int = DEFAULT_SENDER_LIMIT_PER_HOUR

    @classmethod
    def from_settings(cls, settings) -> "IntakeOptions":
        """The options the ``mail_*`` settings give (``config.Settings``, read by attribute)."""
        return cls(mail_from=settings.mail_from, queue=settings.mail_queue,
                   max_attachment_bytes=settings.mail_max_attachment_bytes,
                   sender_limit_per_hour=settings.mail_sender_limit_per_hour)


@dataclass(frozen=True)
class IntakeResult:
    #: new_case | reply | auto_reply | bounce | refused (as recorded in the receipt)
    outcome: str
    case_key: str | None
    detail: str = ""
    #: The mail had been taken before: nothing was stored this time.
    duplicate: bool = False
    acknowledged: bool = False

    def as_json(self) -> dict:
        return {"outcome": self.outcome, "case_key": self.case_key, "detail": self.detail,
                "duplicate": self.duplicate, "acknowledged": self.acknowledged}


def receipt_key(parsed_id: str | None, raw: bytes) -> str:
    return parsed_id or "sha256:" + hashlib.sha256(raw).hexdigest()


def own_address(mail_from: str) -> str:
    return mail_from.rsplit("<", 1)[-1].rstrip(">").strip().lower()


def ingest(store, clock: Clock, raw: bytes, options: IntakeOptions) -> IntakeResult:
    """Take one raw mail into ``store`` (a store, or anything with its ``transaction()``: a run of mails passes a
    ``store.kept_writer.KeptWriter``) in one transaction. Raises :class:`MailRefused` for a mail never to be
    accepted; store failures propagate (the caller tells the MTA to try again)."""
    try:
        parsed = parse_mail(raw)
    except MailRejected as exc:
        raise MailRefused(str(exc)) from None
    try:
        with store.transaction() as session:
            result = ingest_parsed(session, clock, raw, parsed, options)
    except Exception as exc:
        if not mail_receipts.is_receipt_race(exc):
            raise
        # Another intake stored the same mail meanwhile: answer from its receipt.
        with store.transaction() as session:
            result = ingest_parsed(session, clock, raw, parsed, options)
    if result.outcome == "refused":
        raise MailRefused(result.detail)
    return result


def ingest_parsed(session, clock: Clock, raw: bytes, parsed: ParsedMail, options: IntakeOptions) -> IntakeResult:
    """The intake rules in the caller's transaction (the server's route runs them in its own)."""
    now = clock.now()
    key = receipt_key(parsed.message_id, raw)
    earlier = mail_receipts.receipt_by_key(session, key)
    if earlier is not None:
        case = session.get(Case, earlier.case_id) if earlier.case_id is not None else None
        return IntakeResult(earlier.outcome, case.key if case else None, earlier.detail, duplicate=True)
    sender = parsed.sender_address[:320]
    refusal = _refusal(session, parsed, options, now)
    # The receipt goes in first: a concurrent intake of the same mail waits on its unique key (or fails on it) before
    # it writes anything else, and is then answered from this receipt.
    receipt = MailReceipt(receipt_key=key, sender=sender, received_at=now, outcome="refused", detail=refusal or "")
    session.add(receipt)
    session.flush()
    if refusal:
        return IntakeResult("refused", None, refusal)
    if parsed.bounce is not None:
        result = _take_bounce(session, clock, parsed, receipt, options)
    else:
        result = _take_mail(session, clock, parsed, receipt, options)
    session.add(receipt)
    session.flush()
    return result


def _refusal(session, parsed: ParsedMail, options: IntakeOptions, now: datetime) -> str | None:
    ours = own_address(options.mail_from)
    if ours and parsed.sender_address == ours:
        return f"mail from our own address {ours} is not taken in (it would start a mail loop)"
    if len(parsed.sender_address) > 320:
        return "the sender address is longer than 320 characters"
    if parsed.bounce is None and options.sender_limit_per_hour > 0:
        recent = mail_receipts.receipts_from_since(session, parsed.sender_address, now - timedelta(hours=1))
        if recent >= options.sender_limit_per_hour:
            return (f"{parsed.sender_address} sent more than {options.sender_limit_per_hour} mails within an hour; "
                    "this one is refused (rate limit)")
    return None


def _take_mail(session, clock: Clock, parsed: ParsedMail, receipt: MailReceipt,
               options: IntakeOptions) -> IntakeResult:
    service = CaseService.in_session(session, clock)
    case = _thread_case(session, parsed)
    body = parsed.body or "(no text)"
    try:
        if case is not None:
            if parsed.auto_reply:
                message = _system_message(session, clock, case, body, parsed.sender_name or parsed.sender_address,
                                          internal=False)
            else:
                message = service.add_inbound(case, body, channel=Channel.email)
            outcome = "auto_reply" if parsed.auto_reply else "reply"
        else:
            _check_queue(session, options.queue)
            case = service.create_case(
                customer=parsed.sender_address, channel=Channel.email, queue=options.queue,
                subject=parsed.subject[:SUBJECT_LIMIT], body=body, customer_name=_customer_name(parsed),
                language=parsed.language)
            message = queries.thread(session, case.id)[0]
            outcome = "auto_reply" if parsed.auto_reply else "new_case"
    except (CaseError, NotFound) as exc:
        raise MailRefused(str(exc)) from None
    message.mail_message_id = parsed.message_id
    session.add(message)
    _keep_attachments(session, message, parsed, options, clock.now())
    acknowledged = False
    if outcome == "new_case":
        _acknowledge(session, clock, case, message, parsed, options)
        acknowledged = True
    receipt.outcome, receipt.case_id, receipt.message_id = outcome, case.id, message.id
    receipt.detail = parsed.auto_reply or ""
    return IntakeResult(outcome, case.key, receipt.detail, acknowledged=acknowledged)


def _check_queue(session, queue: str) -> None:
    try:
        require_known_queue(session, queue)
    except CaseError as exc:
        raise IntakeSetupError(_("new e-mail cases go to queue {queue}, which cannot be used: {error}").format(
            queue=repr(queue), error=exc)) from None


def _thread_case(session, parsed: ParsedMail) -> Case | None:
    """The case this mail answers: by its threading headers, else by the case key in its subject; a case merged
    into another answers with that one."""
    from agent_console.domain.case_merge import merged_target

    earlier = message_by_mail_id(session, parsed.thread_ids())
    if earlier is not None:
        return merged_target(session, session.get(Case, earlier.case_id))
    key = case_key_in_subject(parsed.subject)
    if key:
        try:
            return merged_target(session, queries.case_by_key(session, key))
        except NotFound:
            return None
    return None


def _customer_name(parsed: ParsedMail) -> str:
    name = one_line(parsed.sender_name) or parsed.sender_address.partition("@")[0]
    return name[:NAME_LIMIT]


def _take_bounce(session, clock: Clock, parsed: ParsedMail, receipt: MailReceipt,
                 options: IntakeOptions) -> IntakeResult:
    """A DSN marks the outgoing mail it reports on failed and lands, as a note, on that mail's case."""
    bounce = parsed.bounce
    summary = one_line(bounce.summary()) or "delivery failed"
    original = message_by_mail_id(session, [bounce.original_message_id] if bounce.original_message_id else [])
    receipt.outcome = "bounce"
    if original is None:
        receipt.detail = f"no mail of ours found for {bounce.original_message_id or 'this report'}: {summary}"
        return IntakeResult("bounce", None, receipt.detail)
    case = session.get(Case, original.case_id)
    outbox = outbox_row_of_message(session, original.id)
    if outbox is not None:
        outbox.state = "failed"
        outbox.last_error = f"bounced: {summary}"
        outbox.next_attempt_at = None
        session.add(outbox)
    note = f"Delivery failed: {summary}\n\n{parsed.body}".strip()
    message = _system_message(session, clock, case, note, MAIL_SYSTEM_AUTHOR, internal=True)
    message.mail_message_id = parsed.message_id
    _keep_attachments(session, message, parsed, options, clock.now())
    receipt.case_id, receipt.message_id, receipt.detail = case.id, message.id, summary
    return IntakeResult("bounce", case.key, summary)


def _system_message(session, clock: Clock, case: Case, body: str, author: str, *, internal: bool) -> Message:
    """A message on the case that is no customer contact (an automatic reply, a bounce): it moves no SLA clock."""
    now = clock.now()
    message = Message(case_id=case.id, direction=Direction.inbound, channel=Channel.email, author_name=author[:200],
                      body=clean_text(body), is_internal=internal, created_at=now)
    session.add(message)
    session.flush()
    audit(session, now, None, "message.inbound", "case", case.id, message_id=message.id)
    return message


def _keep_attachments(session, message: Message, parsed: ParsedMail, options: IntakeOptions, now: datetime) -> None:
    for attachment in parsed.attachments:
        row = MessageAttachment(message_id=message.id, filename=attachment.filename,
                                content_type=attachment.content_type, size=attachment.size, created_at=now)
        if attachment.size > options.max_attachment_bytes:
            row.omitted_reason = (f"larger than the limit of {options.max_attachment_bytes} bytes: "
                                  "the file was not kept")
        else:
            row.content = attachment.content
        session.add(row)
    session.flush()


def _acknowledge(session, clock: Clock, case: Case, message: Message, parsed: ParsedMail,
                 options: IntakeOptions) -> None:
    """Record the acknowledgement on the case as an outgoing message and queue it for the sender (``mail run``)."""
    references = [*parsed.references, parsed.message_id] if parsed.message_id else list(parsed.references)
    queue_acknowledgement(session, clock.now(), case, recipient=parsed.sender_address, mail_from=options.mail_from,
                          in_reply_to=parsed.message_id, references=references)
