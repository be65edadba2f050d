"""Contact-center metrics as SQL aggregates: shared by the reports, the supervisor monitor and the server.

Every function takes a session, a half-open UTC range ``[since, until)`` and optionally a grouping ``by`` =
``agent`` | ``queue`` | ``channel`` | ``day`` (None: one row ``all``), and returns :class:`MetricRow` s sorted by group.
Percentages are 0–100. A value is None when its population is empty. Nothing here touches the UI or the clock
directly: "now" is passed in.

Grouping:
- ``agent``: the agent who did the work — the segment's agent for AHT; the case's assignee (the resolver; resolving an
  unassigned case assigns it) for case-based metrics; ``(unassigned)`` when nobody.
- ``queue`` / ``channel``: the case's current queue / channel.
- ``day``: the calendar day, in the zone ``tz`` (the viewing agent's display zone, default UTC), of the moment the
  metric is dated by (see each function). Timestamps are stored in UTC; on SQLite the local day is computed by a
  registered SQL function ``ac_local_day``, on PostgreSQL by ``AT TIME ZONE``.

Definitions (dated by):
- AHT (segment start): (handle time + wrap-up time + supervisor corrections) / handled cases. Only closed segments
  count; a handled case is a distinct case with a closed segment in the range (a case handled by two agents counts
  once for each in ``by=agent``). Corrections are dated by their creation and attributed to their agent, else to the
  case's assignee.
- FCR (first resolution): the population is the cases whose FIRST resolution (the earliest ``resolution``
  met/breached SLA event written by resolving) lies in the range and whose FCR window (``window_days`` after that
  first resolution) has closed by ``now``. Such a case is first-contact-resolved when exactly one inbound contact
  (the opening message) arrived up to that first resolution AND it was not reopened within the window (a reopen is
  the ``resolution started`` SLA event written on reopening). Cases still inside their window are reported as
  ``undecided`` and left out of the rate.
- Service level (case creation): % of cases whose first response (first outbound, non-internal reply) came no later
  than its due time, among cases already decided: answered, or unanswered with the due time passed by ``now``.
  ASA (average speed of answer) is the mean time from creation to first response of the answered ones.
- Escalation rate (case creation): % of the cases created that have a manual or automatic escalation.
- CSAT / NPS / CES (survey date): CSAT = % of CSAT answers 4–5; NPS = % promoters (9–10) − % detractors (0–6) of
  the NPS answers; CES = mean CES answer.
- Complaints per customer (case creation): cases in queue ``Complaints`` / distinct customers with cases.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
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

GROUPINGS = ("agent", "queue", "channel", "day")
COMPLAINTS_QUEUE = "Complaints"
UNASSIGNED = "(unassigned)"

C = Case.__table__.c
A = Agent.__table__.c
HS = HandlingSegment.__table__.c
HC = HandlingCorrection.__table__.c
SE = SlaEvent.__table__.c
M = Message.__table__.c
ES = Escalation.__table__.c
SU = Survey.__table__.c


class MetricError(ValueError):
    pass


@dataclass(frozen=True)
class MetricRow:
    group: str
    #: Size of the population the value is computed over (handled cases, decided cases, answers …).
    count: int
    value: float | None
    #: The parts of the formula (numerators, sums), so a report can show how the value came about.
    detail: dict[str, float | int | None] = field(default_factory=dict)


# --- SQL helpers --------------------------------------------------------------------------------------------------


def _dialect(session) -> str:
    return session.get_bind().dialect.name


def seconds_between(session, start, end):
    """SQL expression: seconds from ``start`` to ``end`` (both UTC timestamp columns)."""
    if _dialect(session) == "sqlite":
        # Whole seconds from strftime('%s') plus the stored microseconds: exact, unlike julianday() arithmetic
        # (which is off by ~10 µs). Stored values look like "2026-11-23 09:00:20.000000".
        def epoch(column):
            return (func.cast(func.strftime("%s", column), Integer)
                    + func.cast(func.coalesce(func.substr(column, 20), ""), Float))
        return epoch(end) - epoch(start)
    return func.extract("epoch", end - start)


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
    if _dialect(session) == "sqlite":
        return func.ac_local_day(column, tz)
    return func.to_char(func.timezone(tz, func.timezone("UTC", column)), "YYYY-MM-DD")


def _check_by(by: str | None) -> None:
    if by is not None and by not in GROUPINGS:
        raise MetricError(f"unknown grouping {by!r}; expected one of: {', '.join(GROUPINGS)}")


def _group(session, by: str | None, *, agent_id_column, day_column, tz: str):
    """The grouping expression and whether the agents table must be joined (on ``agent_id_column``)."""
    _check_by(by)
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


def _ratio(part, whole) -> float | None:
    return None if not whole else 100.0 * part / whole


def _mean(total, count) -> float | None:
    return None if not count else float(total) / count


# --- date ranges --------------------------------------------------------------------------------------------------


def day_range(since: date | None, until: date | None, *, today: date, tz: str = "UTC",
              default_days: int = 7) -> tuple[datetime, datetime]:
    """UTC bounds for local calendar days ``since``..``until`` inclusive (default: the last ``default_days`` days)."""
    until = until or today
    since = since or (until - timedelta(days=default_days - 1))
    if since > until:
        raise MetricError(f"--since {since.isoformat()} is after --until {until.isoformat()}")
    zone = ZoneInfo(tz)
    start = datetime.combine(since, time(0, 0), tzinfo=zone).astimezone(timezone.utc)
    end = datetime.combine(until + timedelta(days=1), time(0, 0), tzinfo=zone).astimezone(timezone.utc)
    return start, end


# --- AHT ----------------------------------------------------------------------------------------------------------


def aht(session, since: datetime, until: datetime, *, by: str | None = None, tz: str = "UTC") -> list[MetricRow]:
    """Average handling time in seconds: (handle + wrap-up + corrections) / handled cases."""
    group, join_agents = _group(session, by, agent_id_column=HS.agent_id, day_column=HS.started_at, tz=tz)
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
    rows = {g: [cases, float(handle), float(wrap)] for g, cases, handle, wrap in
            session.execute(_grouped(query, group, by)).all() if cases}

    corr_agent = func.coalesce(HC.agent_id, C.assignee_id)
    cgroup, cjoin = _group(session, by, agent_id_column=corr_agent, day_column=HC.created_at, tz=tz)
    cquery = select(cgroup.label("g"), func.coalesce(func.sum(HC.delta_seconds), 0.0)).select_from(
        HandlingCorrection.__table__.join(Case.__table__, C.id == HC.case_id))
    if cjoin:
        cquery = cquery.join(Agent.__table__, A.id == corr_agent, isouter=True)
    cquery = cquery.where(HC.created_at >= since, HC.created_at < until)
    corrections = {g: float(total) for g, total in session.execute(_grouped(cquery, cgroup, by)).all()}

    result = []
    for g in sorted(set(rows) | {g for g, total in corrections.items() if total}):
        cases, handle, wrap = rows.get(g, [0, 0.0, 0.0])
        corr = corrections.get(g, 0.0)
        total = handle + wrap + corr
        result.append(MetricRow(g, cases, _mean(total, cases), {
            "handle_s": round(handle, 3), "wrap_up_s": round(wrap, 3), "corrections_s": round(corr, 3),
            "total_s": round(total, 3)}))
    return result


# --- FCR ----------------------------------------------------------------------------------------------------------


def fcr(session, since: datetime, until: datetime, *, now: datetime, window_days: int | None = 7,
        by: str | None = None, tz: str = "UTC") -> list[MetricRow]:
    """First-contact resolution rate (see the module docstring for the exact definition).

    ``window_days=None`` gives the provisional figure the live monitor shows: every first resolution counts at once,
    first-contact-resolved when one contact arrived and the case has not been reopened (so far)."""
    provisional = window_days is None
    if not provisional and window_days < 0:
        raise MetricError("the FCR window cannot be negative")
    window_s = 0.0 if provisional else window_days * 86400.0
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
    group, join_agents = _group(session, by, agent_id_column=C.assignee_id, day_column=first.c.r1, tz=tz)
    query = select(
        group.label("g"),
        func.sum(sql_case((decided, 1), else_=0)),
        func.sum(sql_case((and_(decided, contacts == 1, not_(reopened)), 1), else_=0)),
        func.sum(sql_case((decided, 0), else_=1)),
    ).select_from(first.join(Case.__table__, C.id == first.c.case_id))
    if join_agents:
        query = query.join(Agent.__table__, A.id == C.assignee_id, isouter=True)
    result = []
    for g, n_decided, n_fcr, n_undecided in session.execute(_grouped(query, group, by)).all():
        n_decided, n_fcr, n_undecided = int(n_decided or 0), int(n_fcr or 0), int(n_undecided or 0)
        if n_decided or n_undecided:
            result.append(MetricRow(g, n_decided, _ratio(n_fcr, n_decided), {
                "resolved_first_contact": n_fcr, "undecided": n_undecided, "window_days": window_days}))
    return sorted(result, key=lambda r: r.group)


# --- service level and speed of answer ----------------------------------------------------------------------------


def service_level(session, since: datetime, until: datetime, *, now: datetime, by: str | None = None,
                  tz: str = "UTC") -> list[MetricRow]:
    """% of decided cases whose first response met its target, with ASA (mean seconds to first response)."""
    group, join_agents = _group(session, by, agent_id_column=C.assignee_id, day_column=C.created_at, tz=tz)
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
    result = []
    for g, n_decided, n_met, n_answered, wait_total in session.execute(_grouped(query, group, by)).all():
        n_decided, n_met, n_answered = int(n_decided or 0), int(n_met or 0), int(n_answered or 0)
        if n_decided or n_answered:
            asa_s = _mean(float(wait_total or 0.0), n_answered)
            result.append(MetricRow(g, n_decided, _ratio(n_met, n_decided), {
                "met": n_met, "answered": n_answered, "asa_s": None if asa_s is None else round(asa_s, 3)}))
    return sorted(result, key=lambda r: r.group)


def asa(session, since: datetime, until: datetime, *, now: datetime, by: str | None = None,
        tz: str = "UTC") -> list[MetricRow]:
    """Average speed of answer in seconds (creation to first response) of the cases answered."""
    return [MetricRow(r.group, int(r.detail["answered"]), r.detail["asa_s"], {"answered": r.detail["answered"]})
            for r in service_level(session, since, until, now=now, by=by, tz=tz) if r.detail["answered"]]


# --- escalations --------------------------------------------------------------------------------------------------


def escalation_rate(session, since: datetime, until: datetime, *, by: str | None = None,
                    tz: str = "UTC") -> list[MetricRow]:
    """% of the cases created in the range that were escalated (manually or automatically)."""
    group, join_agents = _group(session, by, agent_id_column=C.assignee_id, day_column=C.created_at, tz=tz)
    escalated = exists().where(ES.case_id == C.id, ES.kind.in_(("manual", "automatic")))
    automatic = exists().where(ES.case_id == C.id, ES.kind == "automatic")
    query = select(group.label("g"), func.count(), func.sum(sql_case((escalated, 1), else_=0)),
                   func.sum(sql_case((automatic, 1), else_=0))).select_from(Case.__table__)
    if join_agents:
        query = query.join(Agent.__table__, A.id == C.assignee_id, isouter=True)
    query = query.where(C.created_at >= since, C.created_at < until)
    result = [MetricRow(g, int(n), _ratio(int(n_esc or 0), int(n)), {"escalated": int(n_esc or 0),
                                                                     "automatic": int(n_auto or 0)})
              for g, n, n_esc, n_auto in session.execute(_grouped(query, group, by)).all() if n]
    return sorted(result, key=lambda r: r.group)


# --- surveys ------------------------------------------------------------------------------------------------------


def _survey_rows(session, since, until, by, tz):
    group, join_agents = _group(session, by, agent_id_column=C.assignee_id, day_column=SU.created_at, tz=tz)
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


def csat(session, since: datetime, until: datetime, *, by: str | None = None, tz: str = "UTC") -> list[MetricRow]:
    """% of CSAT answers that are 4 or 5."""
    return sorted((MetricRow(g, int(n), _ratio(int(sat or 0), int(n)), {"satisfied": int(sat or 0)})
                   for g, n, sat, *_ in _survey_rows(session, since, until, by, tz) if n), key=lambda r: r.group)


def nps(session, since: datetime, until: datetime, *, by: str | None = None, tz: str = "UTC") -> list[MetricRow]:
    """Net promoter score: % promoters (9–10) − % detractors (0–6), from −100 to 100."""
    result = []
    for g, _n, _sat, n, promoters, detractors, *_ in _survey_rows(session, since, until, by, tz):
        n, promoters, detractors = int(n), int(promoters or 0), int(detractors or 0)
        if n:
            result.append(MetricRow(g, n, 100.0 * (promoters - detractors) / n, {
                "promoters": promoters, "passives": n - promoters - detractors, "detractors": detractors}))
    return sorted(result, key=lambda r: r.group)


def ces(session, since: datetime, until: datetime, *, by: str | None = None, tz: str = "UTC") -> list[MetricRow]:
    """Mean customer effort score (1–7)."""
    result = []
    for g, *_rest in _survey_rows(session, since, until, by, tz):
        n, total = int(_rest[5]), float(_rest[6] or 0)
        if n:
            result.append(MetricRow(g, n, total / n, {"sum": total}))
    return sorted(result, key=lambda r: r.group)


# --- complaints ---------------------------------------------------------------------------------------------------


def complaints_per_customer(session, since: datetime, until: datetime, *, by: str | None = None,
                            tz: str = "UTC") -> list[MetricRow]:
    """Cases in the Complaints queue per distinct customer with cases (created in the range)."""
    group, join_agents = _group(session, by, agent_id_column=C.assignee_id, day_column=C.created_at, tz=tz)
    query = select(group.label("g"), func.count(func.distinct(C.customer_id)),
                   func.sum(sql_case((C.queue == COMPLAINTS_QUEUE, 1), else_=0))).select_from(Case.__table__)
    if join_agents:
        query = query.join(Agent.__table__, A.id == C.assignee_id, isouter=True)
    query = query.where(C.created_at >= since, C.created_at < until)
    result = [MetricRow(g, int(customers), int(complaints or 0) / int(customers), {"complaints": int(complaints or 0)})
              for g, customers, complaints in session.execute(_grouped(query, group, by)).all() if customers]
    return sorted(result, key=lambda r: r.group)
