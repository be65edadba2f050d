"""The store side of exports (``admin/exporter.py``): every record of a kind, read with Core selects in id order
and paged by id, so a 100,000-row export never holds everything in memory."""

from __future__ import annotations

from typing import Iterator

from sqlalchemy import and_, func, select

from agent_console.store.models import Agent, CannedResponse, Case, Customer, KBArticle, Message, Survey

PAGE = 2000


def _paged(conn, query, id_column) -> Iterator:
    last = 0
    while True:
        rows = conn.execute(query.where(id_column > last).order_by(id_column).limit(PAGE)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1]._mapping["id"]


def customers(conn) -> Iterator:
    t = Customer.__table__
    return _paged(conn, select(t.c.id, t.c.name, t.c.email, t.c.phone, t.c.language, t.c.vip), t.c.id)


def cases(conn) -> Iterator:
    """Cases with their customer's contact and the body of their first inbound message."""
    c, cu, m = Case.__table__, Customer.__table__, Message.__table__
    first_inbound = (select(func.min(m.c.id)).where(and_(m.c.case_id == c.c.id, m.c.direction == "in"))
                     .correlate(c).scalar_subquery())
    query = (select(c.c.id, c.c.key, c.c.external_id, c.c.channel, c.c.queue, c.c.priority, c.c.subject,
                    c.c.created_at, c.c.language, c.c.status, c.c.tier, c.c.tags, c.c.resolved_at,
                    cu.c.email, cu.c.name.label("customer_name"), cu.c.phone, m.c.body)
             .select_from(c.join(cu, cu.c.id == c.c.customer_id).outerjoin(m, m.c.id == first_inbound)))
    return _paged(conn, query, c.c.id)


def kb_articles(conn) -> Iterator:
    t = KBArticle.__table__
    return _paged(conn, select(t.c.id, t.c.slug, t.c.title, t.c.body, t.c.tags, t.c.language), t.c.id)


def canned_responses(conn) -> Iterator:
    t = CannedResponse.__table__
    return _paged(conn, select(t.c.id, t.c.title, t.c.shortcut, t.c.category, t.c.language, t.c.body), t.c.id)


def agents(conn) -> Iterator:
    t = Agent.__table__
    return _paged(conn, select(t.c.id, t.c.login, t.c.name, t.c.role, t.c.tier, t.c.queues, t.c.skills,
                               t.c.active), t.c.id)


def surveys(conn) -> Iterator:
    """Surveys with their case's external id and key."""
    s, c = Survey.__table__, Case.__table__
    query = (select(s.c.id, c.c.external_id, c.c.key, s.c.csat, s.c.nps, s.c.ces, s.c.created_at)
             .select_from(s.join(c, c.c.id == s.c.case_id)))
    return _paged(conn, query, s.c.id)
