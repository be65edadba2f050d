"""The live monitor's reads: every select, PRAGMA and kept connection of ``domain.monitor`` lives here.

The domain computes figures from the rows these functions return; the at-risk thresholds come in as bind parameters
computed by ``domain.sla.at_risk_horizon`` (``domain.monitor.at_risk_values``), so the SQL count is a faster way to
apply the one SLA rule, never a second copy of it.

Speed: each figure is read from one index (migration 0005): open cases from the covering partial index
``ix_cases_open_monitor`` (``WHERE is_open = 1``), waiting ones from ``ix_cases_waiting``, escalated ones by due time
from ``ix_cases_open_escalated_due``, today's from range scans of covering ``created_at`` / ``resolved_at`` / segment
``started_at`` / survey ``created_at`` indexes. Core selects returning tuples, in one read transaction. On a SQLite
file the monitor keeps one connection per store between refreshes (``_Reader``) and reads through a memory map:
another connection's commit empties SQLite's page cache, and re-reading pages from the map costs far less than
``read()`` calls. Measured in bench/bench_monitor.py (1M cases, a commit before every refresh).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Callable

from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    case as sql_case,
    cast,
    column,
    event,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from agent_console.store.db import KeptConnection
from agent_console.store.metric_queries import seconds_between_on
from agent_console.store.models import (
    Agent,
    Case,
    Channel,
    FollowUp,
    HandlingCorrection,
    HandlingSegment,
    SlaPolicy,
    Survey,
)
from agent_console.store.types import UTCDateTime

C = Case.__table__.c
A = Agent.__table__.c
S = HandlingSegment.__table__.c
HC = HandlingCorrection.__table__.c
F = FollowUp.__table__.c
SV = Survey.__table__.c

#: The SLA targets in the order of ``domain.sla.targets``.
TARGETS = ("first_response", "next_update", "resolution")


def _param(name: str):
    return bindparam(name, type_=UTCDateTime())


def _is_true(column):
    # The partial indexes say ``WHERE is_open = 1``: ``== True`` renders exactly that on SQLite.
    return column == True  # noqa: E712


def read_policies(conn) -> dict[tuple[str, str | None], SimpleNamespace]:
    """The SLA policies as plain rows (the sla functions read their attributes; no ORM objects on the hot path)."""
    return {(row.channel, row.priority): SimpleNamespace(**row._mapping)
            for row in conn.execute(select(*SlaPolicy.__table__.c))}


def at_risk_cells(policies: dict) -> list[tuple[str, str, str | None, str]]:
    """(parameter name, channel, priority or None, target name) of every at-risk threshold the SQL needs: one bind
    parameter per channel, priority and target, whose value is ``sla.at_risk_horizon`` of that cell at ``now``."""
    channels = sorted({str(ch) for ch in Channel} | {ch for ch, _ in policies}) + [""]
    cells = []
    for target in range(3):
        for channel in channels:
            cells.append((f"risk_{target}_{len(cells)}", channel, None, TARGETS[target]))
            for priority in sorted(p for ch, p in policies if ch == channel and p is not None):
                cells.append((f"risk_{target}_{len(cells)}", channel, priority, TARGETS[target]))
    return cells


def at_risk_sql(cells):
    """SQL: the latest due time at which a case's running target counts as at risk now (NULL: never)."""

    def for_target(target: int):
        whens = {}
        fallback = None
        mine = [c for c in cells if c[3] == TARGETS[target]]
        for name, channel, priority, _t in mine:
            if priority is not None or channel == "":
                continue
            specific = [(n, p) for n, ch, p, _ in mine if ch == channel and p is not None]
            if specific:
                whens[channel] = sql_case({p: _param(n) for n, p in specific}, value=C.priority,
                                          else_=_param(name))
            else:
                whens[channel] = _param(name)
        for name, channel, priority, _t in mine:
            if channel == "":
                fallback = _param(name)  # a channel no policy knows: the defaults of sla.targets
        return sql_case(whens, value=C.channel, else_=fallback)

    # Which running target sets ``sla_due_at`` (``sla.running_targets``' first): unanswered, the first response
    # (the next-update clock only starts after an answer, and a resolution target is never shorter than its
    # first-response target); else the next update when it is the earliest, else the resolution.
    return sql_case(
        (C.first_response_at.is_(None), for_target(0)),
        (C.next_update_due == C.sla_due_at, for_target(1)),
        else_=for_target(2),
    )


class MonitorStatements:
    """The monitor's selects, built once per policy layout and dialect; values come in as bind parameters."""

    def __init__(self, cells, dialect: str, due_limit: int) -> None:
        now, day_start, horizon = _param("now"), _param("day_start"), _param("horizon")
        # Written like the partial index ix_cases_waiting's predicate, so the planner can use it.
        waiting = and_(_is_true(C.is_open), C.assignee_id.is_(None), C.status != literal_column("'pending'"))
        # Written like the partial index ix_cases_open_escalated_due's predicate, so the planner can use it.
        escalated = C.escalation_level > literal_column("0")
        # 1. open cases: one aggregate over the covering partial index.
        self.open = (
            select(
                # count(*) FILTER (WHERE …) costs SQLite less than sum(CASE …) per row (measured).
                C.queue, C.channel, func.count(),
                func.count().filter(C.sla_due_at < now),
                func.count().filter(and_(C.sla_due_at >= now, C.sla_due_at <= at_risk_sql(cells))),
                func.count().filter(escalated),
            )
            .where(_is_true(C.is_open))
            .group_by(C.queue, C.channel)
        )
        # 1b. contacts waiting: count and oldest, from the partial index of waiting cases.
        if dialect == "sqlite":
            # Without statistics SQLite prefers the assignee index and then reads every waiting row from the table;
            # INDEXED BY keeps it on the partial index (and fails loudly should the index ever not match).
            self.waiting = text(
                "SELECT queue, channel, count(*), min(created_at) FROM cases INDEXED BY ix_cases_waiting "
                "WHERE is_open = 1 AND assignee_id IS NULL AND status != 'pending' GROUP BY queue, channel"
            ).columns(column("queue"), column("channel"), column("n", Integer), column("oldest", UTCDateTime()))
        else:
            self.waiting = select(C.queue, C.channel, func.count(), func.min(C.created_at)).where(
                waiting).group_by(C.queue, C.channel)
        # 2. cases created today: service level against the first-response target.
        answered = C.first_response_at.is_not(None)
        in_target = and_(answered, or_(C.first_response_due.is_(None), C.first_response_at <= C.first_response_due))
        missed = and_(C.first_response_at.is_(None), C.first_response_due < now)
        self.created = (
            select(C.queue, C.channel, func.count(), func.count().filter(in_target), func.count().filter(answered),
                   func.count().filter(missed))
            .where(C.created_at >= day_start, C.created_at <= now)
            .group_by(C.queue, C.channel)
        )
        # 3. cases resolved today: first-contact resolution so far.
        first_contact = and_(C.contact_count <= 1, C.reopened_count == 0)
        self.resolved = (
            select(C.queue, C.channel, func.count(), func.count().filter(first_contact))
            .where(C.resolved_at >= day_start, C.resolved_at <= now)
            .group_by(C.queue, C.channel)
        )
        # 4. AHT: closed segments started today (covering index ix_handling_started) and today's corrections.
        duration = seconds_between_on(dialect, S.started_at, S.ended_at)
        # Summed per (case, agent) first; then, from that, the handled cases and their time per (queue, channel) cell
        # (one case lookup per handled case, not one per segment) and per agent: ~500 rows instead of one per case.
        per_case = (
            select(S.case_id, S.agent_id, func.sum(duration).label("seconds"))
            .where(S.ended_at.is_not(None), S.started_at >= day_start, S.started_at < now)
            .group_by(S.case_id, S.agent_id)
            .cte("per_case")
        )
        self.segments = union_all(
            select(C.queue, C.channel, cast(null(), Integer).label("agent_id"),
                   func.count(func.distinct(per_case.c.case_id)), func.sum(per_case.c.seconds))
            .select_from(per_case.join(Case.__table__, C.id == per_case.c.case_id))
            .group_by(C.queue, C.channel),
            select(cast(null(), String), cast(null(), String), per_case.c.agent_id, func.count(),
                   func.sum(per_case.c.seconds))
            .group_by(per_case.c.agent_id),
        )
        self.aht_corrections = (
            select(C.queue, C.channel, func.coalesce(HC.agent_id, C.assignee_id), func.sum(HC.delta_seconds))
            .select_from(HandlingCorrection.__table__.join(Case.__table__, C.id == HC.case_id))
            .where(HC.created_at >= day_start, HC.created_at < now)
            .group_by(C.queue, C.channel, func.coalesce(HC.agent_id, C.assignee_id))
        )
        # 4b. CSAT: domain.metrics.csat's counts (CSAT answers, answers 4-5) for every grouping from one query.
        self.surveys = (
            select(C.queue, C.channel, func.count(SV.csat), func.count().filter(SV.csat >= literal_column("4")))
            .select_from(Survey.__table__.join(Case.__table__, C.id == SV.case_id))
            .where(SV.created_at >= day_start, SV.created_at < now)
            .group_by(C.queue, C.channel)
        )
        # 5. agents and what they are working on (the running segments: partial index ``ended_at IS NULL``).
        self.running = (
            select(S.agent_id, S.case_id, C.key, S.kind, S.started_at)
            .select_from(HandlingSegment.__table__.join(Case.__table__, C.id == S.case_id))
            .where(S.ended_at.is_(None))
        )
        self.agents = select(A.id, A.login, A.name, A.role, A.state, A.state_since, A.queues).where(
            _is_true(A.active))
        self.assigned = select(C.assignee_id, func.count()).where(
            _is_true(C.is_open), C.assignee_id.is_not(None)).group_by(C.assignee_id)
        # 6. due and overdue follow-ups and escalated cases.
        follow_up_filter = and_(F.done_at.is_(None), F.due_at <= horizon)
        self.follow_up_counts = select(func.count(), func.sum(sql_case((F.due_at < now, 1), else_=0))).where(
            follow_up_filter)
        self.follow_ups = (
            select(F.case_id, C.key, A.login, F.due_at, F.note)
            .select_from(FollowUp.__table__.join(Case.__table__, C.id == F.case_id)
                         .join(Agent.__table__, A.id == F.agent_id))
            .where(follow_up_filter).order_by(F.due_at).limit(due_limit)
        )
        escalation_filter = and_(_is_true(C.is_open), escalated, C.sla_due_at <= horizon)
        self.escalation_counts = select(func.count(), func.sum(sql_case((C.sla_due_at < now, 1), else_=0))).where(
            escalation_filter)
        self.escalations = (
            select(C.id, C.key, A.login, C.sla_due_at, C.tier)
            .select_from(Case.__table__.outerjoin(Agent.__table__, A.id == C.assignee_id))
            .where(escalation_filter).order_by(C.sla_due_at).limit(due_limit)
        )


_STATEMENTS: dict[tuple, MonitorStatements] = {}
#: Address space only: pages are shared with the OS file cache, not copied.
_MMAP_BYTES = 1 << 30


def statements_for(cells, dialect: str, due_limit: int) -> MonitorStatements:
    """The statements for this policy layout and dialect, built once. Durations are ``metric_queries``' SQL, so the
    AHT figure is ``domain.metrics.aht``'s formula."""
    key = (tuple(cells), dialect, due_limit)
    found = _STATEMENTS.get(key)
    if found is None:
        if len(_STATEMENTS) > 16:
            _STATEMENTS.clear()
        found = _STATEMENTS[key] = MonitorStatements(cells, dialect, due_limit)
    return found


class _Reader:
    """The SQLite connection the monitor keeps between refreshes of a store (opening one cost a few ms of every
    refresh), and the lock that gives it to one refresh at a time."""

    def __init__(self, engine) -> None:
        self.lock = threading.Lock()
        self.kept = KeptConnection(engine)

    def close_when_idle(self) -> None:
        with self.lock:
            self.kept.close()


_READERS: "weakref.WeakKeyDictionary[object, _Reader]" = weakref.WeakKeyDictionary()
_READERS_LOCK = threading.Lock()


def _reader_for(store) -> _Reader | None:
    """The store's kept connection (SQLite files only), closed when the store is garbage-collected or disposed."""
    if getattr(store, "path", None) is None or store.engine.dialect.name != "sqlite":
        return None
    with _READERS_LOCK:
        reader = _READERS.get(store)
        if reader is None:
            reader = _READERS[store] = _Reader(store.engine)
            weakref.finalize(store, reader.kept.close)
            event.listen(store.engine, "engine_disposed", lambda _engine: reader.close_when_idle())
        return reader


def prepare(conn) -> None:
    """The monitor's connection settings, before every refresh."""
    if conn.dialect.name == "sqlite":
        # Several figures visit the same case rows (AHT by queue, channel, floor, agent): with SQLite's default 2 MB
        # page cache they would be read from the file again for each; 64 MB keeps them for the whole refresh.
        conn.exec_driver_sql("PRAGMA cache_size = -65536")
        # Another connection's commit empties the page cache of this one: re-reading pages through a memory map instead
        # of read() calls takes several ms off a 1M-case refresh.
        conn.exec_driver_sql(f"PRAGMA mmap_size = {_MMAP_BYTES}")


def read_with(source, compute: Callable, *args):
    """``compute(conn, *args)`` in one read transaction: on the store's kept connection (a SQLite file), else in a
    session of the store, or on an open Session as given."""
    if isinstance(source, Session):
        conn = source.connection()
        prepare(conn)
        return compute(conn, *args)
    reader = _reader_for(source)
    if reader is not None and reader.lock.acquire(blocking=False):
        try:
            return reader.kept.read(_prepared(compute), *args)
        finally:
            reader.lock.release()
    # a PostgreSQL store (its pool keeps connections), or another refresh is using the reader
    with source.session() as session:
        conn = session.connection()
        prepare(conn)
        return compute(conn, *args)


def _prepared(compute: Callable) -> Callable:
    def run(conn, *args):
        prepare(conn)
        return compute(conn, *args)
    return run


@dataclass
class FloorRows:
    """The rows of one refresh, as plain tuples (see ``MonitorStatements`` for each one's columns)."""

    open: list
    waiting: list
    created: list
    resolved: list
    segments: list
    aht_corrections: list
    surveys: list
    running: list
    assigned: dict
    agents: list
    follow_up_counts: tuple
    follow_ups: list
    escalation_counts: tuple
    escalations: list


def read_floor(conn, statements: MonitorStatements, params: dict) -> FloorRows:
    def rows(statement) -> list:
        return [tuple(row) for row in conn.execute(statement, params)]

    return FloorRows(
        open=rows(statements.open), waiting=rows(statements.waiting), created=rows(statements.created),
        resolved=rows(statements.resolved), segments=rows(statements.segments),
        aht_corrections=rows(statements.aht_corrections), surveys=rows(statements.surveys),
        running=rows(statements.running), assigned=dict(rows(statements.assigned)), agents=rows(statements.agents),
        follow_up_counts=tuple(conn.execute(statements.follow_up_counts, params).one()),
        follow_ups=rows(statements.follow_ups),
        escalation_counts=tuple(conn.execute(statements.escalation_counts, params).one()),
        escalations=rows(statements.escalations),
    )


def drill_ids_from(source, *args) -> list[int]:
    """:func:`drill_ids` on an open Session as given, else in a session of the store ``source``."""
    if isinstance(source, Session):
        return drill_ids(source.connection(), *args)
    with source.session() as session:
        return drill_ids(session.connection(), *args)


def drill_ids(conn, now: datetime, figure: str, kind: str, name: str, due_within_s: float, limit: int | None,
              risk_values: Callable[[dict], dict]) -> list[int]:
    """The case ids behind one figure of the floor / a queue / a channel / an agent (see ``domain.monitor_drill``);
    ``risk_values(policies, cells)`` gives the at-risk thresholds' values (``domain.monitor.at_risk_values``)."""
    params: dict = {"now": now, "horizon": now + timedelta(seconds=due_within_s)}
    scope = []
    if kind == "queue":
        scope.append(C.queue == name)
    elif kind == "channel":
        scope.append(C.channel == name)
    elif kind == "agent":
        scope.append(C.assignee_id == select(A.id).where(A.login == name).scalar_subquery())
    if figure == "follow_ups":  # the definition of statements.follow_up_counts
        query = (select(F.case_id).select_from(FollowUp.__table__.join(Case.__table__, C.id == F.case_id))
                 .where(F.done_at.is_(None), F.due_at <= _param("horizon"), *scope).order_by(F.due_at, F.id))
    else:
        conditions = [_is_true(C.is_open), *scope]
        if figure in ("waiting", "longest"):
            conditions += [C.assignee_id.is_(None), C.status != literal_column("'pending'")]
        elif figure == "breached":
            conditions.append(C.sla_due_at < _param("now"))
        elif figure == "at_risk":
            policies = read_policies(conn)
            cells = at_risk_cells(policies)
            params.update(risk_values(policies, cells))
            conditions += [C.sla_due_at >= _param("now"), C.sla_due_at <= at_risk_sql(cells)]
        elif figure == "escalated":
            conditions.append(C.escalation_level > literal_column("0"))
        query = select(C.id).where(and_(*conditions))
        if figure == "longest":
            query = query.order_by(C.created_at, C.id).limit(1)
        else:
            query = query.order_by(C.sla_due_at.is_(None), C.sla_due_at, C.created_at, C.id)
    if limit is not None and figure != "longest":
        query = query.limit(limit)
    return [row[0] for row in conn.execute(query, params)]


def assignable_agent_rows(store) -> list[tuple]:
    """(id, login, name, role, tier, state) of the active agents, by login."""
    with store.session() as session:
        return [tuple(row) for row in session.connection().execute(
            select(A.id, A.login, A.name, A.role, A.tier, A.state).where(_is_true(A.active)).order_by(A.login))]


def backfill_counts(source, moments: list[datetime], day_starts: list[datetime], windows: list[datetime],
                    since: datetime, now: datetime) -> list[tuple[int, int, int]]:
    """Per moment: (contacts not yet answered or resolved among cases created since its window start, first responses
    in target among cases created that day so far, cases counted for the service level that day so far) — one pass
    over the range in SQL, instead of loading every case of the last day or so into Python."""
    columns, params = [], {"since": since, "now": now}
    for n, (moment, start_at, window_at) in enumerate(zip(moments, day_starts, windows)):
        at, start, window = _param(f"at_{n}"), _param(f"start_{n}"), _param(f"window_{n}")
        params.update({f"at_{n}": moment, f"start_{n}": start_at, f"window_{n}": window_at})
        answered = and_(C.first_response_at.is_not(None), C.first_response_at <= at)
        unanswered = or_(C.first_response_at.is_(None), C.first_response_at > at)
        created_today = and_(C.created_at <= at, C.created_at >= start)
        columns += [
            func.count().filter(and_(C.created_at <= at, C.created_at >= window, unanswered,
                                     or_(C.resolved_at.is_(None), C.resolved_at > at))),
            func.count().filter(and_(created_today, answered, or_(C.first_response_due.is_(None),
                                                                  C.first_response_at <= C.first_response_due))),
            func.count().filter(and_(created_today, or_(answered, and_(C.first_response_due.is_not(None),
                                                                       C.first_response_due < at)))),
        ]
    query = select(*columns).where(C.created_at >= _param("since"), C.created_at <= _param("now"))
    if isinstance(source, Session):
        counts = source.connection().execute(query, params).one()
    else:
        with source.session() as session:
            counts = session.connection().execute(query, params).one()
    return [tuple(int(value or 0) for value in counts[3 * n:3 * n + 3]) for n in range(len(moments))]
