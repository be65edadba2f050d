"""Export in exactly the formats the importer reads (docs/formats.md): what ``export`` writes, ``import`` reads
back. Rows are read by ``store/exports.py`` in id order, paged, and streamed to the output."""

from __future__ import annotations

from typing import TextIO

from agent_console.admin.records import format_datetime, write_records
from agent_console.i18n import _
from agent_console.store import exports
from agent_console.store.db import Store

COLUMNS = {
    "customers": ["name", "email", "phone", "language", "vip"],
    "cases": ["external_id", "customer_email", "channel", "queue", "priority", "subject", "body", "created_at",
              "customer_name", "customer_phone", "language", "status", "tier", "tags", "resolved_at"],
    "kb": ["slug", "title", "body", "tags", "language"],
    "canned": ["title", "shortcut", "category", "language", "body"],
    "agents": ["login", "name", "role", "tier", "queues", "skills", "active"],
    "surveys": ["case_external_id", "csat", "nps", "ces", "created_at"],
}


def export(store: Store, kind: str, fmt: str, out: TextIO) -> int:
    """Write every record of ``kind`` to ``out``; returns how many."""
    if kind not in COLUMNS:
        raise ValueError(_("unknown kind {kind}; expected one of: {value}").format(
            kind=repr(kind), value=', '.join(COLUMNS)))
    with store.session() as session:
        conn = session.connection()
        if kind == "cases" and fmt != "csv":
            # JSON and JSONL hold whole cases (every message, escalation, SLA event …); CSV the flat summary.
            from agent_console.admin.case_archive import WHOLE_CASE_FIELDS, whole_cases

            return write_records(out, fmt, COLUMNS[kind] + WHOLE_CASE_FIELDS,
                                 whole_cases(conn, _cases(conn, with_id=True)))
        return write_records(out, fmt, COLUMNS[kind], _ROWS[kind](conn))


def _customers(conn):
    for r in exports.customers(conn):
        yield {"name": r.name, "email": r.email or "", "phone": r.phone or "", "language": r.language,
               "vip": bool(r.vip)}


def _cases(conn, with_id: bool = False):
    for r in exports.cases(conn):
        yield {"external_id": r.external_id or r.key, "customer_email": r.email or "", "channel": r.channel,
               "queue": r.queue, "priority": r.priority, "subject": r.subject, "body": r.body or r.subject,
               "created_at": format_datetime(r.created_at), "customer_name": r.customer_name,
               "customer_phone": r.phone or "", "language": r.language, "status": r.status, "tier": r.tier,
               "tags": r.tags, "resolved_at": format_datetime(r.resolved_at) or "",
               **({"_id": r.id} if with_id else {})}


def _kb(conn):
    for r in exports.kb_articles(conn):
        yield {"slug": r.slug, "title": r.title, "body": r.body, "tags": r.tags, "language": r.language}


def _canned(conn):
    for r in exports.canned_responses(conn):
        yield {"title": r.title, "shortcut": r.shortcut, "category": r.category, "language": r.language,
               "body": r.body}


def _agents(conn):
    for r in exports.agents(conn):
        yield {"login": r.login, "name": r.name, "role": r.role, "tier": r.tier, "queues": r.queues,
               "skills": r.skills, "active": bool(r.active)}


def _surveys(conn):
    for r in exports.surveys(conn):
        yield {"case_external_id": r.external_id or r.key, "csat": r.csat, "nps": r.nps, "ces": r.ces,
               "created_at": format_datetime(r.created_at)}


_ROWS = {"customers": _customers, "cases": _cases, "kb": _kb, "canned": _canned, "agents": _agents,
         "surveys": _surveys}
