"""The statements about calls: finding one, the agents and cases a call belongs to, the lists and counts the
phone's screens and figures read. The rules (what an event changes, what counts as missed) are in
:mod:`agent_console.domain.calls`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session

from agent_console.store.agent_records import agent_with_extension  # noqa: F401  (used by domain.calls)
from agent_console.store.models import Agent, Call, Case

CA = Call.__table__.c


def call_by_call_id(session: Session, call_id: str) -> Call | None:
    return session.scalars(select(Call).where(Call.call_id == call_id)).first()


def agents_named(session: Session, names: list[str]) -> dict[str, Agent]:
    """Each name (a login or an extension) -> its agent, for the names that are one."""
    if not names:
        return {}
    found: dict[str, Agent] = {}
    for agent in session.scalars(select(Agent).where(or_(Agent.login.in_(names), Agent.extension.in_(names)))):
        for name in names:
            if name in (agent.login, agent.extension):
                found.setdefault(name, agent)
    return found


def case_for_customer(session: Session, customer_id: int) -> Case | None:
    """The customer's open case (the most recent one), else their most recent case."""
    return session.scalars(select(Case).where(Case.customer_id == customer_id)
                           .order_by(Case.is_open.desc(), Case.created_at.desc(), Case.id.desc())).first()


def unanswered_calls(session: Session) -> list[Call]:
    """Calls that ring now: neither answered nor hung up."""
    return list(session.scalars(select(Call).where(Call.answered_at.is_(None), Call.ended_at.is_(None))
                                .order_by(Call.first_seen_at, Call.id)))


def to_call_back(session: Session, number: str) -> list[Call]:
    """The missed calls from ``number`` nobody has called back yet."""
    return list(session.scalars(select(Call).where(Call.missed.is_(True), Call.called_back_at.is_(None),
                                                   Call.number == number)))


def missed_calls(session: Session, *, include_called_back: bool = False, limit: int = 500) -> list[Call]:
    """Missed calls, newest first (by default only those nobody has called back yet)."""
    query = select(Call).where(Call.missed.is_(True))
    if not include_called_back:
        query = query.where(Call.called_back_at.is_(None))
    return list(session.scalars(query.order_by(Call.ended_at.desc(), Call.id.desc()).limit(limit)))


def calls_of_case(session: Session, case_id: int) -> list[Call]:
    return list(session.scalars(select(Call).where(Call.case_id == case_id)
                                .order_by(Call.first_seen_at, Call.id)))


def waiting_by_queue(conn, now: datetime) -> dict[str | None, tuple[int, datetime]]:
    """Inbound callers in line now, per queue: (how many, since when the longest has waited)."""
    rows = conn.execute(select(CA.queue, func.count(), func.min(CA.first_seen_at))
                        .where(CA.answered_at.is_(None), CA.ended_at.is_(None), CA.direction == "in")
                        .group_by(CA.queue))
    return {queue: (count, since) for queue, count, since in rows}


def offered_calls(conn, since: datetime, until: datetime):
    """(queue, started, answered, ended, cause, missed) of the inbound calls whose first event arrived in
    ``[since, until)``."""
    started = func.coalesce(CA.started_at, CA.first_seen_at)
    return conn.execute(select(CA.queue, started, CA.answered_at, CA.ended_at, CA.cause, CA.missed)
                        .where(CA.first_seen_at >= since, CA.first_seen_at < until, CA.direction == "in")).all()


def case_call_rows(session: Session, case_id: int) -> list[dict]:
    """The calls taken on the case as dicts, the keys of ``fast_read.case_calls`` (``case show``)."""
    rows = []
    for call in calls_of_case(session, case_id):
        answered = session.get(Agent, call.answered_by_id) if call.answered_by_id else None
        rows.append({"call_id": call.call_id, "direction": call.direction, "number": call.number,
                     "withheld": call.withheld, "from_number": call.from_number, "to_number": call.to_number,
                     "first_seen_at": call.first_seen_at, "started_at": call.started_at,
                     "answered_at": call.answered_at, "ended_at": call.ended_at, "cause": call.cause,
                     "missed": call.missed, "answered_login": answered.login if answered else None})
    return rows
