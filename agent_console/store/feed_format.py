"""The change feed's format, shared by the server that writes it and the consoles that apply it.

A change carries an entity's full current state. Local integer ids never travel: a reference to another row is
given by that row's uid (``case_uid``, ``customer_uid`` …) or, for agents, by login (``assignee_login`` …).
"""

from __future__ import annotations

from dataclasses import dataclass

from agent_console.store.models import (
    Agent,
    Call,
    CannedResponse,
    Case,
    CaseLink,
    Customer,
    Escalation,
    FollowUp,
    HandlingCorrection,
    HandlingSegment,
    HelpContact,
    HelpFeedback,
    KBArticle,
    MailOutbox,
    Message,
    MessageAttachment,
    SlaEvent,
    SlaPolicy,
    Survey,
)

#: Feed entity name -> model, in dependency order (a row comes after the rows it refers to).
ENTITIES: dict[str, type] = {
    "agent": Agent,
    "customer": Customer,
    "sla_policy": SlaPolicy,
    "kb_article": KBArticle,
    # The help center's "Did this solve your problem?" answers and its contact forms: a console's monitor shows the
    # same self-service figures as the server (``domain/selfservice.py``). Its searches stay on the server.
    "help_feedback": HelpFeedback,
    "canned_response": CannedResponse,
    "case": Case,
    "case_link": CaseLink,
    "help_contact": HelpContact,
    "escalation": Escalation,
    "message": Message,
    # The files that came with a mail: name, type, size (the content stays on the server: ``SERVER_ONLY_COLUMNS``).
    "message_attachment": MessageAttachment,
    # How a reply's mail stands (queued / sent / failed with the SMTP reply): consoles show it on the message.
    "mail_delivery": MailOutbox,
    "follow_up": FollowUp,
    "handling_segment": HandlingSegment,
    "handling_correction": HandlingCorrection,
    "survey": Survey,
    "sla_event": SlaEvent,
    "call": Call,
}
#: Columns that never leave the server.
SECRET_COLUMNS: dict[str, frozenset[str]] = {"agents": frozenset({"password_hash"})}
#: Columns only the store that runs the mail gateway uses (threading by Message-ID): not sent to consoles.
GATEWAY_COLUMNS: dict[str, frozenset[str]] = {"messages": frozenset({"mail_message_id"})}
#: Columns kept on the server only: an attachment's content (up to ``mail_max_attachment_bytes`` each) would make
#: every console's first sync carry every file of the floor; a console lists the file (name, type, size) and asks the
#: server for its content (``GET /api/v1/mail/attachments/{uid}``, for agents of the case's queue).
SERVER_ONLY_COLUMNS: dict[str, frozenset[str]] = {"message_attachments": frozenset({"content"})}
#: Referenced table -> (its identifying column, suffix of the feed field).
REFERENCES: dict[str, tuple[str, str]] = {
    "agents": ("login", "_login"),
    "cases": ("uid", "_uid"),
    "customers": ("uid", "_uid"),
    "escalations": ("uid", "_uid"),
    "kb_articles": ("uid", "_uid"),
    "messages": ("uid", "_uid"),
}
#: Feed fields whose name does not follow ``<column without _id><suffix>``.
FIELD_NAMES = {("messages", "author_agent_id"): "author_login", ("case_article_links", "article_id"): "article_uid"}


@dataclass(frozen=True)
class Reference:
    column: str     # local foreign-key column, e.g. customer_id
    target: str     # referenced table, e.g. customers
    key: str        # the target's identifying column, e.g. uid
    field: str      # the feed's field, e.g. customer_uid
    required: bool


def references(table) -> list[Reference]:
    """The table's foreign keys that travel in the feed, with the name of their feed field."""
    found = []
    for column in table.columns:
        for fk in column.foreign_keys:
            target = fk.column.table.name
            if target not in REFERENCES:
                continue
            key, suffix = REFERENCES[target]
            name = FIELD_NAMES.get((table.name, column.name)) or column.name.removesuffix("_id") + suffix
            found.append(Reference(column.name, target, key, name, not column.nullable))
    return found


def plain_columns(table) -> list[str]:
    """The columns sent as they are: no id, no foreign keys (sent as references), nothing secret, nothing only the
    mail gateway's store uses, no attachment content."""
    skip = ({"id"} | {ref.column for ref in references(table)} | SECRET_COLUMNS.get(table.name, frozenset())
            | GATEWAY_COLUMNS.get(table.name, frozenset()) | SERVER_ONLY_COLUMNS.get(table.name, frozenset()))
    return [c.name for c in table.columns if c.name not in skip]
