"""Export in exactly the formats the importer reads (docs/formats.md): what ``export`` writes, ``import`` reads
back. Rows are read with Core selects in id order and streamed to the output."""

from __future__ import annotations

from typing import Iterator, TextIO

from sqlalchemy import and_, func, select

from agent_console.admin.records import format_datetime, write_records
from agent_console.store.db import Store
from agent_console.store.models import Agent, CannedResponse, Case, Customer, KBArticle, Message, Survey

COLUMNS = {
    "customers": ["name", "email", "phone", "language", "vip"],
    "cases": ["external_id", "customer_email", "channel", "queue", "priority", "subject", "body", "created_at",
              "customer_name", "customer_phone", "language", "status", "tier", "tags", "resolved_at"],
    "kb": ["slug", "title", "body", "tags", "language"],
    "canned": ["title", "shortcut", "category", "language", "body"],
    "agents": ["login", "name", "role", "tier", "queues", "skills", "active"],
    "surveys": ["case_external_id", "csat", "nps", "ces", "created_at"],
}
PAGE = 2000


def export(store: Store, kind: str, fmt: str, out: TextIO) -> int:
    """Write every record of ``kind`` to ``out``; returns how many."""
    if kind not in COLUMNS:
        raise ValueError(f"unknown kind {kind!r}; expected one of: {', '.join(COLUMNS)}")
    with store.session() as session:
        conn = session.connection()
        if kind == "cases" and fmt != "csv":
            # JSON and JSONL hold whole cases (every message, escalation, SLA event …); CSV the flat summary.
            from agent_console.admin.case_archive import WHOLE_CASE_FIELDS, whole_cases

            return write_records(out, fmt, COLUMNS[kind] + WHOLE_CASE_FIELDS,
                                 whole_cases(conn, _cases(conn, with_id=True)))
        return write_records(out, fmt, COLUMNS[kind], _ROWS[kind](conn))


def _paged(conn, query, id_column) -> Iterator:
    """Keyset paging by id, so a 100,000-row export never holds everything in memory."""
    last = 0
    while True:
        rows = conn.execute(query.where(id_column > last).order_by(id_column).limit(PAGE)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1]._mapping["id"]


def _customers(conn):
    t = Customer.__table__
    for r in _paged(conn, select(t.c.id, t.c.name, t.c.email, t.c.phone, t.c.language, t.c.vip), t.c.id):
        yield {"name": r.name, "email": r.email or "", "phone": r.phone or "", "language": r.language,
               "vip": bool(r.vip)}


def _cases(conn, with_id: bool = False):
    c, cu, m = Case.__table__, Customer.__table__, Message.__table__
    first_inbound = (select(func.min(m.c.id)).where(and_(m.c.case_id == c.c.id, m.c.direction == "in"))
                     .correlate(c).scalar_subquery())
    query = (select(c.c.id, c.c.key, c.c.external_id, c.c.channel, c.c.queue, c.c.priority, c.c.subject,
                    c.c.created_at, c.c.language, c.c.status, c.c.tier, c.c.tags, c.c.resolved_at,
                    cu.c.email, cu.c.name.label("customer_name"), cu.c.phone, m.c.body)
             .select_from(c.join(cu, cu.c.id == c.c.customer_id).outerjoin(m, m.c.id == first_inbound)))
    for r in _paged(conn, query, c.c.id):
        yield {"external_id": r.external_id or r.key, "customer_email": r.email or "", "channel": r.channel,
               "queue": r.queue, "priority": r.priority, "subject": r.subject, "body": r.body or r.subject,
               "created_at": format_datetime(r.created_at), "customer_name": r.customer_name,
               "customer_phone": r.phone or "", "language": r.language, "status": r.status, "tier": r.tier,
               "tags": r.tags, "resolved_at": format_datetime(r.resolved_at) or "",
               **({"_id": r.id} if with_id else {})}


def _kb(conn):
    t = KBArticle.__table__
    for r in _paged(conn, select(t.c.id, t.c.slug, t.c.title, t.c.body, t.c.tags, t.c.language), t.c.id):
        yield {"slug": r.slug, "title": r.title, "body": r.body, "tags": r.tags, "language": r.language}


def _canned(conn):
    t = CannedResponse.__table__
    for r in _paged(conn, select(t.c.id, t.c.title, t.c.shortcut, t.c.category, t.c.language, t.c.body), t.c.id):
        yield {"title": r.title, "shortcut": r.shortcut, "category": r.category, "language": r.language,
               "body": r.body}


def _agents(conn):
    t = Agent.__table__
    query = select(t.c.id, t.c.login, t.c.name, t.c.role, t.c.tier, t.c.queues, t.c.skills, t.c.active)
    for r in _paged(conn, query, t.c.id):
        yield {"login": r.login, "name": r.name, "role": r.role, "tier": r.tier, "queues": r.queues,
               "skills": r.skills, "active": bool(r.active)}


def _surveys(conn):
    s, c = Survey.__table__, Case.__table__
    query = (select(s.c.id, c.c.external_id, c.c.key, s.c.csat, s.c.nps, s.c.ces, s.c.created_at)
             .select_from(s.join(c, c.c.id == s.c.case_id)))
    for r in _paged(conn, query, s.c.id):
        yield {"case_external_id": r.external_id or r.key, "csat": r.csat, "nps": r.nps, "ces": r.ces,
               "created_at": format_datetime(r.created_at)}


_ROWS = {"customers": _customers, "cases": _cases, "kb": _kb, "canned": _canned, "agents": _agents,
         "surveys": _surveys}
