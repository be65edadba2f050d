"""The supervisor's live figures: one consistent snapshot of the floor, computed from the store in a few queries.

``compute_snapshot`` is a pure function of the store, a clock, the supervisor's time zone and the tile thresholds, so
the same code runs on a console's local store and on the team's data.

Definitions (each figure per queue, per channel and for the whole floor):

- **waiting**: open cases not assigned to an agent and not pending on the customer.
- **longest wait**: ``now - created_at`` of the oldest waiting case.
- **at risk / breached**: open cases by their most urgent running SLA target (``cases.sla_due_at``), with the rule of
  ``domain.sla``: breached once ``due < now``; at risk once ``at_risk_fraction`` of the target's SLA time has passed
  (measured in open time when the policy has business hours). Paused targets are neither.
- **service level today**: among cases created today (midnight in the supervisor's zone until now), first responses
  within the first-response target / (cases answered + cases still unanswered past their first-response due time).
  Cases unanswered but not yet due are not counted either way. A queue's goal is the channels' goals
  (``SlaPolicy.service_level_goal`` of the channel's default policy) weighted by that queue's counted cases.
- **AHT today**: ``domain.metrics.aht``'s formula — handle + wrap-up time of the closed segments started today plus
  today's audited corrections, over the distinct cases handled — computed for every grouping in one pass (the tests
  check it against ``metrics.aht``).
- **FCR today** (provisional): cases resolved today on the first contact (one contact, never reopened) / cases
  resolved today. ``metrics.fcr`` only decides a case once its reopen window has closed, so it has no figure for today.
- **CSAT today**: ``domain.metrics.csat`` over surveys received today (answers 4–5 / CSAT answers).
- **open escalations**: open cases with an escalation standing (``escalation_level > 0``; de-escalation resets it).
- **agents**: state and time in state; current case = the agent's running handling segment; cases handled today and
  their AHT = ``metrics.aht`` by agent (their distinct cases with a closed segment started today, their own time).
- **due**: follow-ups not done and escalated open cases whose due time is within ``due_within_s`` (or past).

Speed: each figure is read from one index (migration 0005): open cases from the covering partial index
``ix_cases_open_monitor`` (``WHERE is_open = 1``), waiting ones from ``ix_cases_waiting``, escalated ones by due time
from ``ix_cases_open_escalated_due``, today's from range scans of covering ``created_at`` / ``resolved_at`` / segment
``started_at`` / survey ``created_at`` indexes. Core selects returning tuples, in one read transaction. On a SQLite
file the monitor keeps one connection per store between refreshes (``_Reader``) and reads through a memory map:
another connection's commit empties SQLite's page cache, and re-reading pages from the map costs far less than
``read()`` calls. Measured in bench/bench_monitor.py (1M cases, a commit before every refresh).
"""

from __future__ import annotations

import json
import threading
import time as _time
import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum
from types import SimpleNamespace

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

from agent_console.domain import metrics, sla
from agent_console.domain.clock import Clock
from agent_console.store.db import KeptConnection
from agent_console.store.models import (
    Agent,
    AgentState,
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


class MonitorError(ValueError):
    """Bad monitor settings; the message names the setting and the value."""


# --- thresholds ---------------------------------------------------------------------------------------------------


class Level(StrEnum):
    ok = "ok"
    warning = "warning"
    critical = "critical"


#: Shown beside the colour so a tile's state reads without colour vision.
LEVEL_SYMBOL = {Level.ok: "●", Level.warning: "▲", Level.critical: "✖"}
_LEVEL_RANK = {Level.ok: 0, Level.warning: 1, Level.critical: 2}

_OFF = (float("inf"), float("inf"))
#: figure -> (warning from, critical from). Higher is worse, except ``service_level_gap``: how many points (as a
#: fraction) the service level may fall below its goal before the tile warns / turns critical. Relative by default:
#: ``longest_wait_share`` is the longest wait over the resolution target of the waiting case's channel (a phone
#: queue and an e-mail queue are judged by their own promises), ``breached_share`` the breached share of the open
#: cases. The absolute ``longest_wait_s`` and ``breached`` are off unless the settings give them.
DEFAULT_THRESHOLDS: dict[str, tuple[float, float]] = {
    "waiting": (10, 25),
    "longest_wait_s": _OFF,
    "longest_wait_share": (0.5, 1.0),
    "at_risk": (5, 15),
    "breached": _OFF,
    "breached_share": (0.05, 0.15),
    "service_level_gap": (0.0, 0.10),
}


def worst(levels: Iterable[Level]) -> Level:
    return max(levels, key=_LEVEL_RANK.__getitem__, default=Level.ok)


@dataclass(frozen=True)
class Thresholds:
    """Tile thresholds by scope: ``default``, a queue name, or ``channel:<name>``; later scopes override earlier ones.

    From the settings file::

        [monitor_thresholds.default]
        waiting = [10, 25]
        [monitor_thresholds.Billing]
        longest_wait_s = [120, 300]
        [monitor_thresholds."channel:phone"]
        waiting = [3, 8]
    """

    scopes: Mapping[str, Mapping[str, tuple[float, float]]] = field(default_factory=dict)

    @classmethod
    def from_setting(cls, value: Mapping | str | None, source: str = "monitor_thresholds") -> "Thresholds":
        if value is None or value == "" or value == {}:
            return cls({})
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise MonitorError(f"{source}: not a JSON object: {exc}") from None
        if not isinstance(value, Mapping):
            raise MonitorError(f"{source}: expected a table of scopes, got {type(value).__name__}")
        scopes: dict[str, dict[str, tuple[float, float]]] = {}
        for scope, figures in value.items():
            if not isinstance(figures, Mapping):
                raise MonitorError(f"{source}.{scope}: expected a table of figure = [warning, critical]")
            parsed = {}
            for name, pair in figures.items():
                if name not in DEFAULT_THRESHOLDS:
                    raise MonitorError(f"{source}.{scope}: unknown figure {name!r}; expected one of: "
                                       f"{', '.join(DEFAULT_THRESHOLDS)}")
                try:
                    warn, crit = (float(v) for v in pair)
                except (TypeError, ValueError):
                    raise MonitorError(f"{source}.{scope}.{name}: expected [warning, critical] numbers, "
                                       f"got {pair!r}") from None
                if crit < warn:
                    raise MonitorError(f"{source}.{scope}.{name}: critical ({crit:g}) is below warning ({warn:g})")
                parsed[name] = (warn, crit)
            scopes[str(scope)] = parsed
        return cls(scopes)

    def for_scope(self, scope: str | None) -> dict[str, tuple[float, float]]:
        merged = dict(DEFAULT_THRESHOLDS)
        merged.update(self.scopes.get("default", {}))
        if scope:
            merged.update(self.scopes.get(scope, {}))
        return merged

    def levels(self, scope: str | None, figures: "GroupFigures") -> dict[str, Level]:
        limits = self.for_scope(scope)
        breached_share = figures.breached / figures.open_cases if figures.open_cases else None
        levels = {
            "waiting": _higher_is_worse(figures.waiting, limits["waiting"]),
            "longest_wait_s": worst((_higher_is_worse(figures.longest_wait_s, limits["longest_wait_s"]),
                                     _higher_is_worse(figures.longest_wait_share, limits["longest_wait_share"]))),
            "at_risk": _higher_is_worse(figures.at_risk, limits["at_risk"]),
            "breached": worst((_higher_is_worse(figures.breached, limits["breached"]),
                               _higher_is_worse(breached_share, limits["breached_share"]))),
        }
        if figures.service_level is None:
            levels["service_level"] = Level.ok
        else:
            gap = figures.service_level_goal - figures.service_level
            warn, crit = limits["service_level_gap"]
            # 1e-9: a service level exactly on its goal is on target, not a hair below it.
            levels["service_level"] = (Level.critical if gap > crit + 1e-9 else
                                       Level.warning if gap > warn + 1e-9 else Level.ok)
        return levels


def _higher_is_worse(value: float | None, limits: tuple[float, float]) -> Level:
    if value is None:
        return Level.ok
    warn, crit = limits
    if value >= crit:
        return Level.critical
    if value >= warn:
        return Level.warning
    return Level.ok


# --- the snapshot -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupFigures:
    """The figures of one queue, one channel, or the whole floor (kind ``floor``)."""

    kind: str
    name: str
    open_cases: int = 0
    waiting: int = 0
    longest_wait_s: float | None = None
    #: The longest wait over the resolution target of that case's channel (the worst of the group's channels).
    longest_wait_share: float | None = None
    at_risk: int = 0
    breached: int = 0
    escalations: int = 0
    created_today: int = 0
    answered_in_target: int = 0
    #: answered + unanswered past due among cases created today: the service level's denominator.
    service_level_counted: int = 0
    service_level: float | None = None
    service_level_goal: float = 0.8
    resolved_today: int = 0
    handled_today: int = 0
    aht_s: float | None = None
    fcr: float | None = None
    csat: float | None = None
    surveys_today: int = 0
    levels: Mapping[str, Level] = field(default_factory=dict)

    @property
    def level(self) -> Level:
        return worst(self.levels.values())

    @property
    def symbol(self) -> str:
        return LEVEL_SYMBOL[self.level]

    @property
    def scope(self) -> str:
        return f"channel:{self.name}" if self.kind == "channel" else self.name


@dataclass(frozen=True)
class AgentFigures:
    id: int
    login: str
    name: str
    role: str
    state: str
    state_since: datetime | None
    time_in_state_s: float | None
    current_case_id: int | None
    current_case_key: str | None
    #: handle | wrap_up: what the running segment is.
    current_activity: str | None
    handled_today: int
    aht_s: float | None
    #: Open cases assigned to the agent (what enter on the agent's row lists).
    open_cases: int = 0


@dataclass(frozen=True)
class DueItem:
    kind: str  # follow-up | escalation
    case_id: int
    case_key: str
    agent_login: str | None
    due_at: datetime
    remaining_s: float
    note: str

    @property
    def overdue(self) -> bool:
        return self.remaining_s < 0


@dataclass(frozen=True)
class MonitorSnapshot:
    taken_at: datetime
    #: Midnight today in the supervisor's zone, in UTC: where "today" starts.
    day_start: datetime
    floor: GroupFigures
    queues: tuple[GroupFigures, ...]
    channels: tuple[GroupFigures, ...]
    agents: tuple[AgentFigures, ...]
    due: tuple[DueItem, ...]
    due_total: int
    overdue_total: int
    #: The follow-ups among ``due_total`` / ``overdue_total`` (the rest are escalated cases).
    follow_ups_due: int = 0
    follow_ups_overdue: int = 0
    #: How long the computation took (wall time, ms): shown small on the screen, measured by the bench.
    compute_ms: float = 0.0

    def queue(self, name: str) -> GroupFigures | None:
        return next((q for q in self.queues if q.name == name), None)

    def channel(self, name: str) -> GroupFigures | None:
        return next((c for c in self.channels if c.name == name), None)

    def agent(self, login: str) -> AgentFigures | None:
        return next((a for a in self.agents if a.login == login), None)

    @property
    def agent_states(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for agent in self.agents:
            counts[agent.state] += 1
        return dict(counts)


# --- computing it -------------------------------------------------------------------------------------------------


def day_start_utc(now: datetime, tz: tzinfo) -> datetime:
    """Midnight of ``now``'s date in ``tz``, as a UTC datetime."""
    local = now.astimezone(tz)
    return datetime.combine(local.date(), time(0), tzinfo=tz).astimezone(timezone.utc)


def _param(name: str):
    return bindparam(name, type_=UTCDateTime())


def _is_true(column):
    # The partial indexes say ``WHERE is_open = 1``: ``== True`` renders exactly that on SQLite.
    return column == True  # noqa: E712


def _policies(conn) -> dict[tuple[str, str | None], SimpleNamespace]:
    """The SLA policies as plain rows (the sla functions read their attributes; no ORM objects on the hot path)."""
    return {(row.channel, row.priority): SimpleNamespace(**row._mapping)
            for row in conn.execute(select(*SlaPolicy.__table__.c))}


def _at_risk_cells(policies: dict) -> list[tuple[str, str, str | None, int]]:
    """(parameter name, channel, priority or None, target index) of every at-risk threshold the SQL needs."""
    channels = sorted({str(ch) for ch in Channel} | {ch for ch, _ in policies}) + [""]
    cells = []
    for target in range(3):
        for channel in channels:
            cells.append((f"risk_{target}_{len(cells)}", channel, None, target))
            for priority in sorted(p for ch, p in policies if ch == channel and p is not None):
                cells.append((f"risk_{target}_{len(cells)}", channel, priority, target))
    return cells


def _at_risk_values(policies: dict, cells, now: datetime) -> dict[str, datetime | None]:
    """A target of ``T`` SLA seconds is at risk once ``remaining <= T * (1 - fraction)``, i.e. once its due time is at
    or before ``add_target(policy, now, T * (1 - fraction))``: one moment per channel, priority and target."""
    values = {}
    for name, channel, priority, target in cells:
        policy = policies.get((channel, priority)) or policies.get((channel, None))
        seconds = sla.targets(policy, channel)[target]
        fraction = policy.at_risk_fraction if policy is not None else 0.8
        values[name] = sla.add_target(policy, now, seconds * (1 - fraction)) if seconds else None
    return values


def _at_risk_from(cells):
    """SQL: the latest due time at which a case's running target counts as at risk now (NULL: never)."""

    def for_target(target: int):
        whens = {}
        fallback = None
        mine = [c for c in cells if c[3] == target]
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

    # Unanswered, the first-response target is the earliest running one (the next-update clock only starts after
    # an answer, and every resolution target is longer than its first-response target).
    return sql_case(
        (C.first_response_at.is_(None), for_target(0)),
        (C.next_update_due == C.sla_due_at, for_target(1)),
        else_=for_target(2),
    )


class _Dialect:
    """Enough of a session for metrics' SQL helpers, which only ask for the dialect's name."""

    def __init__(self, name: str) -> None:
        self._name = name

    def get_bind(self):
        return SimpleNamespace(dialect=SimpleNamespace(name=self._name))


class _Statements:
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
                func.count().filter(and_(C.sla_due_at >= now, C.sla_due_at <= _at_risk_from(cells))),
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
        duration = metrics.seconds_between(_Dialect(dialect), S.started_at, S.ended_at)
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


_STATEMENTS: dict[tuple, _Statements] = {}
#: Address space only: pages are shared with the OS file cache, not copied.
_MMAP_BYTES = 1 << 30


def _statements(cells, dialect: str, due_limit: int) -> _Statements:
    key = (tuple(cells), dialect, due_limit)
    found = _STATEMENTS.get(key)
    if found is None:
        if len(_STATEMENTS) > 16:
            _STATEMENTS.clear()
        found = _STATEMENTS[key] = _Statements(cells, dialect, due_limit)
    return found


def _goal(policies: dict, channel: str) -> float:
    policy = policies.get((channel, None))
    if policy is None:
        same = [p for (ch, _), p in policies.items() if ch == channel]
        policy = same[0] if same else None
    return policy.service_level_goal if policy is not None else 0.8


@dataclass
class _Acc:
    """Additive counters of one group, merged from (queue, channel) cells."""

    open_cases: int = 0
    waiting: int = 0
    oldest_waiting: datetime | None = None
    longest_wait_share: float | None = None
    at_risk: int = 0
    breached: int = 0
    escalations: int = 0
    created_today: int = 0
    within: int = 0
    counted: int = 0
    goal_weight: float = 0.0
    resolved: int = 0
    first_contact: int = 0

    def add(self, other: "_Acc") -> None:
        for name in ("open_cases", "waiting", "at_risk", "breached", "escalations", "created_today", "within",
                     "counted", "goal_weight", "resolved", "first_contact"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.oldest_waiting is not None and (self.oldest_waiting is None
                                                 or other.oldest_waiting < self.oldest_waiting):
            self.oldest_waiting = other.oldest_waiting
        if other.longest_wait_share is not None:
            self.longest_wait_share = max(self.longest_wait_share or 0.0, other.longest_wait_share)

    def figures(self, kind: str, name: str, now: datetime, default_goal: float) -> GroupFigures:
        goal = self.goal_weight / self.counted if self.counted else default_goal
        return GroupFigures(
            kind=kind, name=name, open_cases=self.open_cases, waiting=self.waiting,
            longest_wait_s=max(0.0, (now - self.oldest_waiting).total_seconds()) if self.oldest_waiting else None,
            longest_wait_share=self.longest_wait_share,
            at_risk=self.at_risk, breached=self.breached, escalations=self.escalations,
            created_today=self.created_today, answered_in_target=self.within, service_level_counted=self.counted,
            service_level=self.within / self.counted if self.counted else None, service_level_goal=goal,
            resolved_today=self.resolved, fcr=self.first_contact / self.resolved if self.resolved else None,
        )


def compute_snapshot(source, clock: Clock, *, tz: tzinfo, thresholds: Thresholds | None = None,
                     due_within_s: float = 3600, due_limit: int = 50) -> MonitorSnapshot:
    """Every figure of the monitor at ``clock.now()``, read in one transaction from a Store or an open Session."""
    started = _time.perf_counter()
    thresholds = thresholds or Thresholds()
    if isinstance(source, Session):
        snapshot = _compute(source.connection(), clock.now(), tz, thresholds, due_within_s, due_limit)
    else:
        reader = _reader_for(source)
        if reader is not None and reader.lock.acquire(blocking=False):
            try:
                snapshot = reader.kept.read(_compute, clock.now(), tz, thresholds, due_within_s, due_limit)
            finally:
                reader.lock.release()
        else:  # a PostgreSQL store (its pool keeps connections), or another refresh is using the reader
            with source.session() as session:
                snapshot = _compute(session.connection(), clock.now(), tz, thresholds, due_within_s, due_limit)
    return replace(snapshot, compute_ms=(_time.perf_counter() - started) * 1000)


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


def _compute(conn, now: datetime, tz: tzinfo, thresholds: Thresholds, due_within_s: float,
             due_limit: int) -> MonitorSnapshot:
    dialect = conn.dialect.name
    if dialect == "sqlite":
        # Several figures visit the same case rows (AHT by queue, channel, floor, agent): with SQLite's default 2 MB
        # page cache they would be read from the file again for each; 64 MB keeps them for the whole refresh.
        conn.exec_driver_sql("PRAGMA cache_size = -65536")
        # Another connection's commit empties the page cache of this one: re-reading pages through a memory map instead
        # of read() calls takes several ms off a 1M-case refresh.
        conn.exec_driver_sql(f"PRAGMA mmap_size = {_MMAP_BYTES}")
    day_start = day_start_utc(now, tz)
    policies = _policies(conn)
    cells = _at_risk_cells(policies)
    statements = _statements(cells, dialect, due_limit)
    params = {"now": now, "day_start": day_start, "horizon": now + timedelta(seconds=due_within_s),
              **_at_risk_values(policies, cells, now)}
    groups: dict[tuple[str, str], _Acc] = defaultdict(_Acc)

    for queue, channel, count, breached, at_risk, escalations in conn.execute(statements.open, params):
        acc = groups[(queue, channel)]
        acc.open_cases += count
        acc.breached += breached or 0
        acc.at_risk += at_risk or 0
        acc.escalations += escalations or 0

    for queue, channel, count, oldest in conn.execute(statements.waiting, params):
        acc = groups[(queue, channel)]
        acc.waiting += count
        acc.oldest_waiting = oldest
        resolution_s = sla.targets(policies.get((channel, None)), channel)[2]
        if oldest is not None and resolution_s:
            acc.longest_wait_share = max(0.0, (now - oldest).total_seconds()) / resolution_s

    for queue, channel, count, within, n_answered, n_missed in conn.execute(statements.created, params):
        acc = groups[(queue, channel)]
        acc.created_today += count
        acc.within += within or 0
        counted = (n_answered or 0) + (n_missed or 0)
        acc.counted += counted
        acc.goal_weight += counted * _goal(policies, channel)

    for queue, channel, count, first_contact in conn.execute(statements.resolved, params):
        acc = groups[(queue, channel)]
        acc.resolved += count
        acc.first_contact += first_contact or 0

    # AHT: domain.metrics.aht's formula (closed handle + wrap-up segments started today plus today's corrections,
    # over the distinct cases handled), computed for every grouping from one pass instead of one query per grouping;
    # tests/unit/test_monitor.py checks it gives metrics.aht's numbers.
    aht_cases: dict[tuple, int] = defaultdict(int)
    aht_seconds: dict[tuple, float] = defaultdict(float)
    for queue, channel, agent_id, cases, seconds in conn.execute(statements.segments, params):
        seconds = float(seconds or 0.0)  # PostgreSQL's extract(epoch) sums are Decimals
        if agent_id is not None:  # an agent's distinct cases (a case two agents handled counts for each)
            aht_cases[("agent", agent_id)] = cases
            aht_seconds[("agent", agent_id)] = seconds
            continue
        for key in (("queue", queue), ("channel", channel), (None, "all")):  # a case is in exactly one cell
            aht_cases[key] += cases
            aht_seconds[key] += seconds
    for queue, channel, agent_id, delta in conn.execute(statements.aht_corrections, params):
        for key in (("queue", queue), ("channel", channel), (None, "all"), ("agent", agent_id)):
            aht_seconds[key] += float(delta or 0.0)

    def aht(by: str | None, group) -> tuple[int, float | None]:
        cases = aht_cases.get((by, group), 0)
        return cases, (aht_seconds[(by, group)] / cases if cases else None)

    # CSAT: domain.metrics.csat's counts, added up per grouping (tests/unit/test_monitor.py checks it against csat).
    csat_counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for queue, channel, answers, satisfied in conn.execute(statements.surveys, params):
        for key in (("queue", queue), ("channel", channel), (None, "all")):
            counts = csat_counts[key]
            counts[0] += answers
            counts[1] += satisfied or 0

    running = {}
    for agent_id, case_id, key, kind, started in sorted(conn.execute(statements.running, params),
                                                         key=lambda row: row[4]):
        running[agent_id] = (case_id, key, kind)  # the latest running segment wins
    assigned = dict(conn.execute(statements.assigned, params).all())
    agents = []
    agent_queues: set[str] = set()
    queue_lists: dict[str, list[str]] = {}  # most agents share a handful of queue settings: split each once
    for agent_id, login, name, role, state, since, queues in conn.execute(statements.agents, params).all():
        listed = queue_lists.get(queues)
        if listed is None:
            listed = queue_lists[queues] = [q.strip() for q in (queues or "").split(",") if q.strip()]
            agent_queues.update(listed)
        case_id, key, kind = running.get(agent_id, (None, None, None))
        handled_count, handled_aht = aht("agent", agent_id)
        agents.append(AgentFigures(
            id=agent_id, login=login, name=name, role=role, state=state, state_since=since,
            time_in_state_s=max(0.0, (now - since).total_seconds()) if since else None,
            current_case_id=case_id, current_case_key=key, current_activity=kind,
            handled_today=handled_count, aht_s=handled_aht, open_cases=assigned.get(agent_id, 0),
        ))
    agents.sort(key=lambda a: (_STATE_ORDER.get(a.state, 9), a.login))

    due: list[DueItem] = []
    fu_total, fu_overdue = conn.execute(statements.follow_up_counts, params).one()
    for case_id, key, login, due_at, note in conn.execute(statements.follow_ups, params):
        due.append(DueItem("follow-up", case_id, key, login, due_at, (due_at - now).total_seconds(), note or ""))
    esc_total, esc_overdue = conn.execute(statements.escalation_counts, params).one()
    for case_id, key, login, due_at, tier in conn.execute(statements.escalations, params):
        due.append(DueItem("escalation", case_id, key, login, due_at, (due_at - now).total_seconds(),
                           f"tier {tier}"))
    due.sort(key=lambda item: item.due_at)
    due = due[:due_limit]

    # Groups: every queue and channel with figures, plus the queues agents work and the ones thresholds name.
    by_queue: dict[str, _Acc] = defaultdict(_Acc)
    by_channel: dict[str, _Acc] = defaultdict(_Acc)
    floor = _Acc()
    for (queue, channel), acc in groups.items():
        by_queue[queue].add(acc)
        by_channel[channel].add(acc)
        floor.add(acc)
    for queue in agent_queues | {s for s in thresholds.scopes if s != "default" and not s.startswith("channel:")}:
        by_queue.setdefault(queue, _Acc())
    for channel in {ch for ch, _ in policies}:
        by_channel.setdefault(channel, _Acc())

    def finish(kind: str, name: str, acc: _Acc, goal: float) -> GroupFigures:
        by = {"floor": None, "queue": "queue", "channel": "channel"}[kind]
        key = "all" if kind == "floor" else name
        handled_count, handled_aht = aht(by, key)
        answers, satisfied = csat_counts.get((by, key), (0, 0))
        figures = replace(acc.figures(kind, name, now, goal), handled_today=handled_count, aht_s=handled_aht,
                          surveys_today=answers,
                          # metrics.csat's percentage over 100, so the figure is the very same float.
                          csat=100.0 * satisfied / answers / 100 if answers else None)
        if kind == "channel":
            figures = replace(figures, service_level_goal=goal)  # a channel's goal is its own, not a mix
        scope = None if kind == "floor" else figures.scope
        return replace(figures, levels=thresholds.levels(scope, figures))

    floor_goal = _mean([_goal(policies, ch) for ch in by_channel]) if by_channel else 0.8
    return MonitorSnapshot(
        taken_at=now,
        day_start=day_start,
        floor=finish("floor", "all", floor, floor_goal),
        queues=tuple(finish("queue", q, by_queue[q], floor_goal) for q in sorted(by_queue)),
        channels=tuple(finish("channel", ch, by_channel[ch], _goal(policies, ch)) for ch in sorted(by_channel)),
        agents=tuple(agents),
        due=tuple(due),
        due_total=(fu_total or 0) + (esc_total or 0),
        overdue_total=(fu_overdue or 0) + (esc_overdue or 0),
        follow_ups_due=fu_total or 0,
        follow_ups_overdue=fu_overdue or 0,
    )


_STATE_ORDER = {AgentState.handling: 0, AgentState.wrap_up: 1, AgentState.available: 2, AgentState.break_: 3,
                AgentState.offline: 4}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


# --- trends -------------------------------------------------------------------------------------------------------


@dataclass
class TrendHistory:
    """Floor-wide waiting and service level over the last hours, in fixed buckets, for the sparklines.

    Each refresh records its snapshot into the current bucket (the latest value wins); at start ``backfill`` fills the
    past hours from the data (see ``backfill_points``), so the trend is not empty on a freshly opened monitor.
    """

    span_s: int = 8 * 3600
    bucket_s: int = 300
    waiting: dict[int, float] = field(default_factory=dict)
    service_level: dict[int, float] = field(default_factory=dict)

    def _bucket(self, at: datetime) -> int:
        return int(at.timestamp()) // self.bucket_s

    def record(self, snapshot: MonitorSnapshot) -> None:
        bucket = self._bucket(snapshot.taken_at)
        self.waiting[bucket] = float(snapshot.floor.waiting)
        if snapshot.floor.service_level is not None:
            self.service_level[bucket] = snapshot.floor.service_level * 100
        self._trim(bucket)

    def add_points(self, points: Iterable[tuple[datetime, float, float | None]]) -> None:
        """Hourly points ``(hour start, waiting, service level 0..1)``: each fills its hour's buckets not yet set."""
        per_hour = 3600 // self.bucket_s
        for at, waiting, level in points:
            first = self._bucket(at)
            for bucket in range(first, first + per_hour):
                self.waiting.setdefault(bucket, float(waiting))
                if level is not None:
                    self.service_level.setdefault(bucket, level * 100)

    def _trim(self, current: int) -> None:
        oldest = current - self.span_s // self.bucket_s
        for series in (self.waiting, self.service_level):
            for bucket in [b for b in series if b < oldest]:
                del series[bucket]

    def series(self, name: str, now: datetime) -> list[float]:
        """The values of the buckets up to now, oldest first; gaps carry the previous value forward."""
        data = self.waiting if name == "waiting" else self.service_level
        current = self._bucket(now)
        values: list[float] = []
        last: float | None = None
        for bucket in range(current - self.span_s // self.bucket_s + 1, current + 1):
            if bucket in data:
                last = data[bucket]
            if last is not None:
                values.append(last)
        return values


def backfill_points(source, clock: Clock, *, tz: tzinfo, hours: int = 8,
                    lookback_s: int = 24 * 3600) -> list[tuple[datetime, float, float | None]]:
    """Waiting and service level at the top of each of the last ``hours`` hours, reconstructed from the cases.

    The store does not keep who was unassigned when, so waiting in the past is approximated by the contacts not yet
    answered or resolved at that moment, among cases created up to ``lookback_s`` before it. Service level at hour
    ``t`` is the day-so-far figure of ``t``'s day, with the same definition as the live one.
    """
    now = clock.now()
    current_hour = now.replace(minute=0, second=0, microsecond=0)
    moments = [current_hour - timedelta(hours=h) for h in range(hours, 0, -1)]
    since = min(min(day_start_utc(m, tz) for m in moments), moments[0] - timedelta(seconds=lookback_s))

    # One pass over the range in SQL, three counts per moment (the live figures' definitions, moment by moment),
    # instead of loading every case of the last day or so into Python: ~5k rows on the bench's floor.
    columns, params = [], {"since": since, "now": now}
    for n, moment in enumerate(moments):
        at, start, window = _param(f"at_{n}"), _param(f"start_{n}"), _param(f"window_{n}")
        params.update({f"at_{n}": moment, f"start_{n}": day_start_utc(moment, tz),
                       f"window_{n}": moment - timedelta(seconds=lookback_s)})
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
    points = []
    for n, moment in enumerate(moments):
        waiting, within, counted = (int(value or 0) for value in counts[3 * n:3 * n + 3])
        points.append((moment, float(waiting), within / counted if counted else None))
    return points


# --- formatting shared by the screens -----------------------------------------------------------------------------


def format_duration(seconds: float | None) -> str:
    """``0:42``, ``12:05``, ``3h07m``, ``2d04h``; an em dash when there is nothing to show."""
    if seconds is None:
        return "—"
    s = int(max(0, seconds))
    if s < 3600:
        return f"{s // 60}:{s % 60:02d}"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600:02d}h"


def format_percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"



# --- drill-down reads for the monitor screens ----------------------------------------------------------------------


@dataclass(frozen=True)
class AgentChoice:
    id: int
    login: str
    name: str
    role: str
    tier: int
    state: str


def assignable_agents(store) -> list[AgentChoice]:
    """Active agents a supervisor can hand a case to, by login."""
    with store.session() as session:
        rows = session.connection().execute(
            select(A.id, A.login, A.name, A.role, A.tier, A.state).where(_is_true(A.active)).order_by(A.login))
        return [AgentChoice(*row) for row in rows]


def agent_by_id(store, agent_id: int) -> Agent:
    with store.session() as session:
        agent = session.get(Agent, agent_id)
        if agent is None:
            raise MonitorError(f"no agent with id {agent_id}")
        return agent


@dataclass(frozen=True)
class CaseView:
    """What the supervisor's read-only case view shows."""

    case: Case
    customer_name: str
    assignee_login: str | None
    targets: list
    messages: list


def case_view(store, case_id: int, now: datetime) -> CaseView:
    from agent_console.store import queries
    from agent_console.store.models import Customer

    with store.session() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise MonitorError(f"no case with id {case_id}")
        customer = session.get(Customer, case.customer_id)
        assignee = session.get(Agent, case.assignee_id) if case.assignee_id else None
        policy = queries.policy_for(session, case.channel, case.priority)
        return CaseView(case, customer.name if customer else "", assignee.login if assignee else None,
                        sla.running_targets(case, policy, now), queries.thread(session, case_id))


#: What a drill-down can list, by figure: the same definitions as the figures (module docstring).
DRILL_FIGURES = {
    "open": "open cases",
    "waiting": "waiting",
    "longest": "longest wait",
    "at_risk": "at risk",
    "breached": "breached",
    "escalated": "escalated",
    "follow_ups": "follow-ups due",
}
DRILL_SCOPES = ("floor", "queue", "channel", "agent")


@dataclass(frozen=True)
class Drill:
    """Which cases a drill-down lists: the cases behind one figure of the floor, a queue, a channel or an agent
    (``name``: the queue, the channel, the agent's login). The list has exactly as many rows as the figure counts;
    ``longest`` is the one case waiting longest, ``follow_ups`` one row per follow-up due (a case may have two)."""

    figure: str = "open"
    kind: str = "floor"
    name: str = ""

    def __post_init__(self) -> None:
        if self.figure not in DRILL_FIGURES:
            raise MonitorError(f"unknown figure {self.figure!r}; expected one of: {', '.join(DRILL_FIGURES)}")
        if self.kind not in DRILL_SCOPES:
            raise MonitorError(f"unknown scope {self.kind!r}; expected one of: {', '.join(DRILL_SCOPES)}")

    @property
    def title(self) -> str:
        where = "Floor" if self.kind == "floor" else f"{self.kind.capitalize()} {self.name}"
        return f"{where} — {DRILL_FIGURES[self.figure]}"


def drill_case_ids(source, now: datetime, drill: Drill, *, due_within_s: float = 3600,
                   limit: int | None = None) -> list[int]:
    """The case ids behind ``drill``'s figure at ``now``, most urgent SLA first (``follow_ups``: by due time)."""
    if isinstance(source, Session):
        return _drill_ids(source.connection(), now, drill, due_within_s, limit)
    with source.session() as session:
        return _drill_ids(session.connection(), now, drill, due_within_s, limit)


def _drill_ids(conn, now: datetime, drill: Drill, due_within_s: float, limit: int | None) -> list[int]:
    params: dict = {"now": now, "horizon": now + timedelta(seconds=due_within_s)}
    scope = []
    if drill.kind == "queue":
        scope.append(C.queue == drill.name)
    elif drill.kind == "channel":
        scope.append(C.channel == drill.name)
    elif drill.kind == "agent":
        scope.append(C.assignee_id == select(A.id).where(A.login == drill.name).scalar_subquery())
    if drill.figure == "follow_ups":  # the definition of statements.follow_up_counts
        query = (select(F.case_id).select_from(FollowUp.__table__.join(Case.__table__, C.id == F.case_id))
                 .where(F.done_at.is_(None), F.due_at <= _param("horizon"), *scope).order_by(F.due_at, F.id))
    else:
        conditions = [_is_true(C.is_open), *scope]
        if drill.figure in ("waiting", "longest"):
            conditions += [C.assignee_id.is_(None), C.status != literal_column("'pending'")]
        elif drill.figure == "breached":
            conditions.append(C.sla_due_at < _param("now"))
        elif drill.figure == "at_risk":
            policies = _policies(conn)
            cells = _at_risk_cells(policies)
            params.update(_at_risk_values(policies, cells, now))
            conditions += [C.sla_due_at >= _param("now"), C.sla_due_at <= _at_risk_from(cells)]
        elif drill.figure == "escalated":
            conditions.append(C.escalation_level > literal_column("0"))
        query = select(C.id).where(and_(*conditions))
        if drill.figure == "longest":
            query = query.order_by(C.created_at, C.id).limit(1)
        else:
            query = query.order_by(C.sla_due_at.is_(None), C.sla_due_at, C.created_at, C.id)
    if limit is not None and drill.figure != "longest":
        query = query.limit(limit)
    return [row[0] for row in conn.execute(query, params)]


def drill_down(store, now: datetime, drill: Drill, *, limit: int = 500,
               due_within_s: float = 3600) -> tuple[int, list[dict]]:
    """The cases behind a figure: (how many in all, the queue-table rows of the first ``limit``), one row per id."""
    from agent_console.store.queries import queue_rows

    with store.session() as session:
        ids = drill_case_ids(session, now, drill, due_within_s=due_within_s)
        rows = queue_rows(session, sorted(set(ids[:limit])))
        return len(ids), [rows[i] for i in ids[:limit] if i in rows]
