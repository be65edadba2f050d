"""The SQL of the contact-center metrics: the aggregates ``domain.metrics`` turns into figures, and the SQL duration
and local-day expressions the monitor's statements share with them.

Every function takes a session, a half-open UTC range ``[since, until)``, a grouping ``by`` (None, ``agent``,
``queue``, ``channel`` or ``day``; checked by the domain) and the zone ``tz`` the ``day`` grouping is counted in,
and returns the grouped rows; the definitions of the figures are in ``domain/metrics.py``'s docstring.
On SQLite the local day is computed by the registered SQL function ``ac_local_day``, on PostgreSQL by
``AT TIME ZONE``.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Float, Integer, and_, case as sql_case, exists, func, literal, not_, select, true
from sqlalchemy.orm import aliased

from agent_console.store.db import on_sqlite_connect
from agent_console.store.models import (
    Agent,
    Case,
    Escalation,
    HandlingCorrection,
    HandlingSegment,
    Message,
    SlaEvent,
    Survey,
)

UNASSIGNED = "(unassigned)"
COMPLAINTS_QUEUE = "Complaints"

C = Case.__table__.c
A = Agent.__table__.c
HS = HandlingSegment.__table__.c
HC = HandlingCorrection.__table__.c
SE = SlaEvent.__table__.c
M = Message.__table__.c
ES = Escalation.__table__.c
SU = Survey.__table__.c


def seconds_between_on(dialect: str, start, end):
    """SQL expression: seconds from ``start`` to ``end`` (both UTC timestamp columns) on the named dialect."""
    if dialect == "sqlite":
        # Whole seconds from strftime('%s') plus the stored microseconds: exact, unlike julianday() arithmetic
        # (which is off by ~10 µs). Stored values look like "2026-11-23 09:00:20.000000".
        def epoch(column):
            return (func.cast(func.strftime("%s", column), Integer)
                    + func.cast(func.coalesce(func.substr(column, 20), ""), Float))
        return epoch(end) - epoch(start)
    return func.extract("epoch", end - start)


def _dialect(session) -> str:
    return session.get_bind().dialect.name


def seconds_between(session, start, end):
    """SQL expression: seconds from ``start`` to ``end`` in the session's dialect."""
    return seconds_between_on(_dialect(session), start, end)


@lru_cache(maxsize=65536)
def _local_day(minute_prefix: str, tz: str) -> str:
    moment = datetime.fromisoformat(minute_prefix).replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(tz)).date().isoformat()


def _sqlite_local_day(value, tz):
    if value is None:
        return None
    # Zone offsets are whole minutes, so the day only depends on the minute: cache on it.
    return _local_day(str(value)[:16], tz or "UTC")


@on_sqlite_connect
def _register_sql_functions(connection: sqlite3.Connection) -> None:
    connection.create_function("ac_local_day", 2, _sqlite_local_day, deterministic=True)


def local_day(session, column, tz: str):
    """SQL expression: the calendar day (``YYYY-MM-DD``) in zone ``tz`` of the UTC timestamp ``column``."""
    if _dialect(session) == "sqlite":
        return func.ac_local_day(column, tz)
    return func.to_char(func.timezone(tz, func.timezone("UTC", column)), "YYYY-MM-DD")


def _group(session, by: str | None, *, day_column, tz: str):
    """The grouping expression and whether the agents table must be joined."""
    if by is None:
        return literal("all"), False
    if by == "agent":
        return func.coalesce(A.login, UNASSIGNED), True
    if by == "queue":
        return C.queue, False
    if by == "channel":
        return C.channel, False
    return local_day(session, day_column, tz), False


def _grouped(query, group_expr, by: str | None):
    return query if by is None else query.group_by(group_expr)


def handling_rows(session, since: datetime, until: datetime, by: str | None, tz: str) -> list[tuple]:
    """(group, handled cases, handle seconds, wrap-up seconds) of the closed segments started in the range."""
    group, join_agents = _group(session, by, day_column=HS.started_at, tz=tz)
    duration = seconds_between(session, HS.started_at, HS.ended_at)
    query = select(
        group.label("g"),
        func.count(func.distinct(HS.case_id)),
        func.coalesce(func.sum(sql_case((HS.kind == "handle", duration), else_=0.0)), 0.0),
        func.coalesce(func.sum(sql_case((HS.kind == "wrap_up", duration), else_=0.0)), 0.0),
    ).select_from(HandlingSegment.__table__.join(Case.__table__, C.id == HS.case_id))
    if join_agents:
        query = query.join(Agent.__table__, A.id == HS.agent_id, isouter=True)
    query = query.where(HS.ended_at.is_not(None), HS.started_at >= since, HS.started_at < until)
    return session.execute(_grouped(query, group, by)).all()


def correction_rows(session, since: datetime, until: datetime, by: str | None, tz: str) -> list[tuple]:
    """(group, seconds) of the handling-time corrections created in the range, attributed to their agent, else to
    the case's assignee."""
    corr_agent = func.coalesce(HC.agent_id, C.assignee_id)
    group, join_agents = _group(session, by, day_column=HC.created_at, tz=tz)
    query = select(group.label("g"), func.coalesce(func.sum(HC.delta_seconds), 0.0)).select_from(
        HandlingCorrection.__table__.join(Case.__table__, C.id == HC.case_id))
    if join_agents:
        query = query.join(Agent.__table__, A.id == corr_agent, isouter=True)
    query = query.where(HC.created_at >= since, HC.created_at < until)
    return session.execute(_grouped(query, group, by)).all()


def first_resolution_rows(session, since: datetime, until: datetime, *, now: datetime, window_s: float | None,
                          by: str | None, tz: str) -> list[tuple]:
    """(group, decided, first-contact resolved, undecided) of the cases first resolved in the range; with
    ``window_s`` None every first resolution is decided and only reopens so far count."""
    provisional = window_s is None
    # First resolutions in the range: resolution events in the range with no earlier one for the same case (the
    # NOT EXISTS probes ix_sla_events_case; the range scan uses ix_sla_events_at).
    earlier = aliased(SlaEvent.__table__)
    resolved_event = and_(SE.target == "resolution", SE.event.in_(("met", "breached")), SE.detail == "resolved")
    first = (select(SE.case_id.label("case_id"), SE.at.label("r1"))
             .where(SE.at >= since, SE.at < until, resolved_event,
                    ~exists().where(earlier.c.case_id == SE.case_id, earlier.c.at < SE.at,
                                    earlier.c.target == "resolution", earlier.c.event.in_(("met", "breached")),
                                    earlier.c.detail == "resolved"))
             .subquery("first_resolution"))
    contacts = (select(func.count()).select_from(Message.__table__)
                .where(M.case_id == first.c.case_id, M.direction == "in", M.created_at <= first.c.r1)
                .scalar_subquery())
    reopen = aliased(SlaEvent.__table__)
    reopened = exists().where(reopen.c.case_id == first.c.case_id, reopen.c.target == "resolution",
                              reopen.c.event == "started", reopen.c.detail == "reopened", reopen.c.at > first.c.r1,
                              *([] if provisional else [seconds_between(session, first.c.r1, reopen.c.at) <= window_s]))
    decided = true() if provisional else first.c.r1 <= now - timedelta(seconds=window_s)
    group, join_agents = _group(session, by, day_column=first.c.r1, tz=tz)
    query = select(
        group.label("g"),
        func.sum(sql_case((decided, 1), else_=0)),
        func.sum(sql_case((and_(decided, contacts == 1, not_(reopened)), 1), else_=0)),
        func.sum(sql_case((decided, 0), else_=1)),
    ).select_from(first.join(Case.__table__, C.id == first.c.case_id))
    if join_agents:
        query = query.join(Agent.__table__, A.id == C.assignee_id, isouter=True)
    return session.execute(_grouped(query, group, by)).all()


def first_response_rows(session, since: datetime, until: datetime, *, now: datetime, by: str | None,
                        tz: str) -> list[tuple]:
    """(group, decided, met, answered, seconds to answer in total) of the cases created in the range: decided when
    answered or unanswered past the due time; met when answered by the due time."""
    group, join_agents = _group(session, by, day_column=C.created_at, tz=tz)
    answered = C.first_response_at.is_not(None)
    is_decided = and_(C.first_response_due.is_not(None), (answered | (C.first_response_due < now)))
    met = and_(answered, C.first_response_due.is_not(None), C.first_response_at <= C.first_response_due)
    wait = seconds_between(session, C.created_at, C.first_response_at)
    query = select(
        group.label("g"),
        func.sum(sql_case((is_decided, 1), else_=0)),
        func.sum(sql_case((met, 1), else_=0)),
        func.sum(sql_case((answered, 1), else_=0)),
        func.sum(sql_case((answered, wait), else_=0.0)),
    ).select_from(Case.__table__)
    if join_agents:
        query = query.join(Agent.__table__, A.id == C.assignee_id, isouter=True)
    query = query.where(C.created_at >= since, C.created_at < until)
    return session.execute(_grouped(query, group, by)).all()


def escalation_rows(session, since: datetime, until: datetime, *, by: str | None, tz: str) -> list[tuple]:
    """(group, cases, escalated, escalated automatically) of the cases created in the range."""
    group, join_agents = _group(session, by, day_column=C.created_at, tz=tz)
    escalated = exists().where(ES.case_id == C.id, ES.kind.in_(("manual", "automatic")))
    automatic = exists().where(ES.case_id == C.id, ES.kind == "automatic")
    query = select(group.label("g"), func.count(), func.sum(sql_case((escalated, 1), else_=0)),
                   func.sum(sql_case((automatic, 1), else_=0))).select_from(Case.__table__)
    if join_agents:
        query = query.join(Agent.__table__, A.id == C.assignee_id, isouter=True)
    query = query.where(C.created_at >= since, C.created_at < until)
    return session.execute(_grouped(query, group, by)).all()


def survey_rows(session, since: datetime, until: datetime, *, by: str | None, tz: str) -> list[tuple]:
    """(group, CSAT answers, CSAT 4-5, NPS answers, NPS 9-10, NPS 0-6, CES answers, CES sum) of the surveys
    received in the range."""
    group, join_agents = _group(session, by, day_column=SU.created_at, tz=tz)
    query = select(
        group.label("g"),
        func.count(SU.csat), func.sum(sql_case((SU.csat >= 4, 1), else_=0)),
        func.count(SU.nps), func.sum(sql_case((SU.nps >= 9, 1), else_=0)),
        func.sum(sql_case((SU.nps <= 6, 1), else_=0)),
        func.count(SU.ces), func.coalesce(func.sum(SU.ces), 0),
    ).select_from(Survey.__table__.join(Case.__table__, C.id == SU.case_id))
    if join_agents:
        query = query.join(Agent.__table__, A.id == C.assignee_id, isouter=True)
    query = query.where(SU.created_at >= since, SU.created_at < until)
    return session.execute(_grouped(query, group, by)).all()


def complaint_rows(session, since: datetime, until: datetime, *, by: str | None, tz: str) -> list[tuple]:
    """(group, distinct customers, cases in the Complaints queue) of the cases created in the range."""
    group, join_agents = _group(session, by, day_column=C.created_at, tz=tz)
    query = select(group.label("g"), func.count(func.distinct(C.customer_id)),
                   func.sum(sql_case((C.queue == COMPLAINTS_QUEUE, 1), else_=0))).select_from(Case.__table__)
    if join_agents:
        query = query.join(Agent.__table__, A.id == C.assignee_id, isouter=True)
    query = query.where(C.created_at >= since, C.created_at < until)
    return session.execute(_grouped(query, group, by)).all()
