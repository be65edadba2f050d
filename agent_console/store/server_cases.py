"""The server's case reads for its HTTP API (``GET /api/v1/cases`` and ``/cases/{key}``) and its readiness check."""

from __future__ import annotations

from sqlalchemy import and_, func, select, text
from sqlalchemy.orm import aliased

from agent_console.store.models import Agent, Case, Customer, Message

C, CU = Case.__table__.c, Customer.__table__.c
#: The fields of a row of :func:`case_summaries`, in order.
SUMMARY_FIELDS = ("uid", "key", "subject", "status", "priority", "channel", "queue", "tier", "assignee_login",
                  "customer_uid", "customer_name", "created_at", "updated_at", "sla_due_at", "version")


def case_summaries(conn, *, queues: list[str] | None, queue: str | None, status: str | None, channel: str | None,
                   assignee: str | None, is_open: bool | None, order: str, limit: int, offset: int
                   ) -> tuple[int, list]:
    """(how many cases match, the page of them as :data:`SUMMARY_FIELDS` rows). ``queues`` None: every queue;
    ``assignee`` a login, or "none" for unassigned; ``order`` due, created or updated."""
    assignee_table = aliased(Agent.__table__)
    conditions = []
    if queues is not None:
        conditions.append(C.queue.in_(queues))
    if queue:
        conditions.append(C.queue == queue)
    if status:
        conditions.append(C.status == status)
    if channel:
        conditions.append(C.channel == channel)
    if is_open is not None:
        conditions.append(C.is_open.is_(is_open))
    if assignee == "none":
        conditions.append(C.assignee_id.is_(None))
    elif assignee:
        conditions.append(assignee_table.c.login == assignee)
    where = and_(True, *conditions)
    base = (select().select_from(Case.__table__).join(Customer.__table__, CU.id == C.customer_id)
            .outerjoin(assignee_table, assignee_table.c.id == C.assignee_id).where(where))
    ordering = {"due": (C.sla_due_at.is_(None), C.sla_due_at, C.id), "created": (C.created_at.desc(), C.id.desc()),
                "updated": (C.updated_at.desc(), C.id.desc())}[order]
    total = conn.execute(base.with_only_columns(func.count())).scalar_one()
    rows = conn.execute(base.with_only_columns(
        C.uid, C.key, C.subject, C.status, C.priority, C.channel, C.queue, C.tier, assignee_table.c.login,
        CU.uid, CU.name, C.created_at, C.updated_at, C.sla_due_at, C.version,
    ).order_by(*ordering).limit(limit).offset(offset)).all()
    return total, rows


def case_by_key_or_uid(session, key: str) -> Case | None:
    return session.scalars(select(Case).where((Case.key == key) | (Case.uid == key))).first()


def case_by_external_id(session, external_id: str) -> Case | None:
    return session.scalars(select(Case).where(Case.external_id == external_id)).first()


def thread_with_authors(session, case_id: int) -> list[tuple[Message, str | None]]:
    """The case's messages in order, each with its author's login (None: the customer or a system)."""
    author = aliased(Agent)
    return session.execute(
        select(Message, author.login).outerjoin(author, author.id == Message.author_agent_id)
        .where(Message.case_id == case_id).order_by(Message.created_at, Message.id)
    ).all()


def schema_revision(conn) -> str | None:
    """The Alembic revision the database is at."""
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
