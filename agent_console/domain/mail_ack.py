"""The acknowledgement a new e-mail case — or a case from the help center's contact form — gets: a template per
customer language (German, English), rendered in the canned responses' sandbox with the case key and when the first
answer is due by the SLA policy, recorded on the case as an outgoing message and queued in the mail outbox.

Customer-facing text: it follows the case's language, not the interface's, so it is not in the gettext catalog."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from agent_console.domain import sla
from agent_console.domain.mail_headers import new_message_id, subject_for_case
from agent_console.domain.recording import audit
from agent_console.domain.templates import case_context, format_date, render
from agent_console.domain.zones import zone_named
from agent_console.store import queries
from agent_console.store.mail_records import queue_outgoing_mail
from agent_console.store.models import Channel, Direction, Message, new_uid

#: The author shown on the acknowledgement in the case's thread.
ACK_AUTHOR = "Automatic acknowledgement"

ACK_SUBJECTS = {
    "de": "Ihre Anfrage ist bei uns eingegangen: {subject}",
    "en": "We have received your request: {subject}",
}

ACK_TEMPLATES = {
    "de": (
        "Guten Tag {{ customer.name }},\n\n"
        "vielen Dank für Ihre Nachricht. Wir haben Ihre Anfrage unter der Vorgangsnummer {{ case.key }} "
        "aufgenommen.\n\n"
        "Sie erhalten unsere Antwort spätestens am {{ first_response_due }}.\n\n"
        "Bitte lassen Sie bei Rückfragen die Vorgangsnummer [{{ case.key }}] im Betreff stehen, dann landet Ihre "
        "Nachricht direkt bei Ihrem Vorgang.\n\n"
        "Mit freundlichen Grüßen\nIhr Kundenservice"
    ),
    "en": (
        "Hello {{ customer.name }},\n\n"
        "thank you for your message. We have registered your request as case {{ case.key }}.\n\n"
        "You will receive our answer by {{ first_response_due }}.\n\n"
        "If you write again, please keep the case number [{{ case.key }}] in the subject so that your message "
        "reaches your case directly.\n\n"
        "Kind regards\nCustomer Service"
    ),
}


def ack_language(language: str | None) -> str:
    code = (language or "").lower()[:2]
    return code if code in ACK_TEMPLATES else "en"


def format_due(due: datetime | None, language: str, policy) -> str:
    """When the first answer is due, in the customer's language and the policy's business-hours zone."""
    if due is None:
        return "—"
    hours = sla.business_hours(policy)
    zone_name = hours.tz if hours is not None else "UTC"
    local = due.astimezone(zone_named(zone_name))
    if language == "de":
        return f"{format_date(local.date(), 'de')}, {local:%H:%M} Uhr ({zone_name})"
    return f"{format_date(local.date(), 'en')}, {local:%H:%M} ({zone_name})"


def acknowledgement(session, case, policy, now: datetime) -> tuple[str, str]:
    """(subject without the case key, body) of the acknowledgement for ``case`` in its customer's language."""
    language = ack_language(case.language)
    context = case_context(session, case.id, None, now)
    context["first_response_due"] = format_due(case.first_response_due, language, policy)
    rendered = render(ACK_TEMPLATES[language], context)
    return ACK_SUBJECTS[language].format(subject=case.subject), rendered.text


def queue_acknowledgement(session, now: datetime, case, *, recipient: str, mail_from: str,
                          in_reply_to: str | None = None, references: Iterable[str] = ()) -> Message:
    """Record the acknowledgement on ``case`` as an outgoing message and queue it as a mail to ``recipient`` from
    ``mail_from`` (the gateway's ``mail send`` / ``mail run`` sends it), in the caller's transaction. It is no agent
    reply: it moves no SLA clock."""
    policy = queries.policy_for(session, case.channel, case.priority)
    subject, body = acknowledgement(session, case, policy, now)
    ack = Message(uid=new_uid(), case_id=case.id, direction=Direction.outbound, channel=Channel.email,
                  author_name=ACK_AUTHOR, body=body, is_internal=False, created_at=now)
    session.add(ack)
    session.flush()
    queue_outgoing_mail(session, message=ack, recipient=recipient, subject=subject_for_case(case.key, subject),
                        mail_message_id=new_message_id(mail_from, ack.uid), in_reply_to=in_reply_to,
                        references=list(references), now=now)
    audit(session, now, None, "mail.acknowledge", "case", case.id, message_id=ack.id)
    return ack
