"""The acknowledgement a new e-mail case gets: a template per customer language (German, English), rendered in the
canned responses' sandbox with the case key and when the first answer is due by the SLA policy.

Customer-facing text: it follows the case's language, not the interface's, so it is not in the gettext catalog."""

from __future__ import annotations

from datetime import datetime

from agent_console.domain import sla
from agent_console.domain.templates import case_context, format_date, render
from agent_console.domain.zones import zone_named

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
