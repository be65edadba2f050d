"""The help center's contact form: what it asks, checked field by field, and the web-channel case it makes.

* The case is made by ``CaseService.create_case`` (the one case-creation rule) for the customer found by e-mail
  address or created, as mail intake does, in the server's own transaction: the feed carries it like any new case.
* The articles the customer read in the visit are kept on the case (``Case.help_articles``) for the agent; the case
  goes to the queue most of those articles name (on a tie, the queue of the article read last), else to the web
  channel's default queue. A queue that is not one of the store's is passed over.
* At most ``limit_per_hour`` forms per sender address within an hour (the per-client limit is the server's, which
  knows the client).
* The customer is told the case key and the first-response target of the web channel's SLA policy; where mail is
  sent (``mail_from`` set), the acknowledgement mail (``domain/mail_ack.py``) with the key and when the first answer is
  due is queued to the form's address too, in the visit's language.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from agent_console.domain import sla
from agent_console.domain.case_errors import CaseError
from agent_console.domain.cases import CaseService
from agent_console.domain.clock import Clock
from agent_console.domain.help_articles import articles_to_json
from agent_console.domain.mail_ack import queue_acknowledgement
from agent_console.domain.new_case import EMAIL_PATTERN
from agent_console.domain.queues import require_known_queue
from agent_console.domain.text import UnsafeText, check_identifier, clean_text, one_line
from agent_console.i18n import N_, _, ngettext
from agent_console.store import help_records, queries
from agent_console.store.models import Channel, HelpContact, KBArticle

MAX_NAME_CHARS = 200
MAX_EMAIL_CHARS = 320
MAX_SUBJECT_CHARS = 200
MAX_MESSAGE_CHARS = 5000
DEFAULT_LIMIT_PER_HOUR = 5
#: The form's fields in the order the page shows them (and names them in its messages).
FIELDS = ("name", "email", "subject", "message")
FIELD_LABELS = {"name": N_("Your name"), "email": N_("Your e-mail address"), "subject": N_("Subject"),
                "message": N_("Your message")}
LIMITS = {"name": MAX_NAME_CHARS, "email": MAX_EMAIL_CHARS, "subject": MAX_SUBJECT_CHARS,
          "message": MAX_MESSAGE_CHARS}

MSG_MISSING = N_("{field}: please fill this in.")
MSG_TOO_LONG = N_("{field}: at most {limit} characters, please ({length} now).")
MSG_BAD_EMAIL = N_("{field}: this is not an e-mail address (like name@example.com).")
MSG_UNSAFE = N_("{field}: contains characters that cannot be used.")


@dataclass(frozen=True)
class ContactForm:
    name: str
    email: str
    subject: str
    message: str


@dataclass(frozen=True)
class FieldProblem:
    #: The form field to fix (one of ``FIELDS``).
    field: str
    message: str


@dataclass(frozen=True)
class ContactResult:
    case_key: str
    queue: str
    #: The web channel's first-response target in seconds (its SLA policy, else the built-in one).
    first_response_s: int


class RateLimited(Exception):
    """Too many forms from one address (or one client): the message says when to try again."""


def field_label(field: str) -> str:
    return _(FIELD_LABELS[field])


def check_form(values: dict[str, str]) -> ContactForm | list[FieldProblem]:
    """The form, or every problem with it (each message names its field)."""
    cleaned = {field: clean_text(values.get(field) or "") for field in FIELDS}
    cleaned["name"], cleaned["email"], cleaned["subject"] = (" ".join(cleaned[field].split())
                                                            for field in ("name", "email", "subject"))
    cleaned["message"] = cleaned["message"].strip()
    problems = []
    for field in FIELDS:
        value = cleaned[field]
        if not value:
            problems.append(FieldProblem(field, _(MSG_MISSING).format(field=field_label(field))))
        elif len(value) > LIMITS[field]:
            problems.append(FieldProblem(field, _(MSG_TOO_LONG).format(field=field_label(field), limit=LIMITS[field],
                                                                       length=len(value))))
        elif field == "email" and not EMAIL_PATTERN.match(value):
            problems.append(FieldProblem(field, _(MSG_BAD_EMAIL).format(field=field_label(field))))
        elif field in ("name", "email"):
            try:
                check_identifier(value, field, limit=LIMITS[field])
            except UnsafeText:
                problems.append(FieldProblem(field, _(MSG_UNSAFE).format(field=field_label(field))))
    if problems:
        return problems
    return ContactForm(name=cleaned["name"], email=cleaned["email"].lower(), subject=one_line(cleaned["subject"]),
                       message=cleaned["message"])


def articles_read(session, slugs: list[str]) -> list[KBArticle]:
    """The public articles among ``slugs`` (read oldest first), in that order; internal or deleted ones drop out."""
    from agent_console.domain.help_center import public_article

    found = [public_article(session, slug) for slug in slugs]
    return [article for article in found if article is not None]


def queue_for(session, articles: list[KBArticle], default_queue: str) -> str:
    """The queue most of the articles read name; on a tie the one of the article read last; else ``default_queue``.
    Only queues a case may go to count."""
    usable = []
    for article in articles:
        if not article.queue:
            continue
        try:
            require_known_queue(session, article.queue)
        except CaseError:
            continue
        usable.append(article.queue)
    if not usable:
        return default_queue
    counts = Counter(usable)
    best = max(counts.values())
    return next(queue for queue in reversed(usable) if counts[queue] == best)


def check_rate(session, sender: str, now, limit_per_hour: int) -> None:
    if limit_per_hour > 0 and help_records.contacts_from_since(session, sender, now - timedelta(hours=1)) \
            >= limit_per_hour:
        raise RateLimited(ngettext("You have sent us {limit} message within the last hour. Please wait a while "
                                   "before you write again.",
                                   "You have sent us {limit} messages within the last hour. Please wait a while "
                                   "before you write again.", limit_per_hour).format(limit=limit_per_hour))


def send(session, clock: Clock, form: ContactForm, read_slugs: list[str], *, visit: str, language: str,
         default_queue: str, limit_per_hour: int = DEFAULT_LIMIT_PER_HOUR, mail_from: str = "") -> ContactResult:
    """Make the web case for ``form`` in the caller's transaction, and queue its acknowledgement mail from
    ``mail_from`` (empty: no mail is sent). Raises :class:`RateLimited`, or ``CaseError`` when the case cannot be made
    (e.g. the default queue does not exist)."""
    now = clock.now()
    check_rate(session, form.email, now, limit_per_hour)
    articles = articles_read(session, read_slugs)
    queue = queue_for(session, articles, default_queue)
    service = CaseService.in_session(session, clock)
    case = service.create_case(customer=form.email, customer_name=form.name, channel=Channel.web, queue=queue,
                               subject=form.subject, body=form.message, language=language)
    case.help_articles = articles_to_json(articles)
    session.add(case)
    session.add(HelpContact(case_id=case.id, sender=form.email, visit=visit, language=language, created_at=now))
    session.flush()
    if mail_from:
        queue_acknowledgement(session, now, case, recipient=form.email, mail_from=mail_from)
    policy = queries.policy_for(session, case.channel, case.priority)
    return ContactResult(case.key, case.queue, sla.targets(policy, case.channel)[0])
