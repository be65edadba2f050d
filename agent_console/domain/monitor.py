"""The supervisor's live figures: one consistent snapshot of the floor, computed from the store in a few queries.

``compute_snapshot`` is a pure function of the store, a clock, the supervisor's time zone and the tile thresholds, so
the same code runs on a console's local store and on the team's data.

Definitions (each figure per queue, per channel and for the whole floor):

- **waiting**: open cases not assigned to an agent and not pending on the customer.
- **longest wait**: ``now - created_at`` of the oldest waiting case.
- **at risk / breached**: open cases whose ``sla.case_countdown`` state is at risk / breached: by their most urgent
  running SLA target (``cases.sla_due_at``), compared with ``sla.at_risk_horizon`` of that target at ``now`` (the
  one SLA rule, in open time when the policy has business hours). Paused targets are neither.
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

Speed: the reads are in ``store.monitor`` (one index per figure, a kept connection per SQLite store); this module
turns their rows into figures (the snapshot's parts, and the tile levels, are in ``domain.monitor_figures``). The
thresholds are in ``domain.monitor_thresholds``, the trend in ``domain.monitor_trend``, the drill-down lists in
``domain.monitor_drill``.
"""

from __future__ import annotations

import time as _time
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo

from agent_console.domain import sla
from agent_console.domain.call_figures import PhoneCounts, phone_counts
from agent_console.domain.clock import Clock
from agent_console.domain.durations import format_duration, format_percent  # noqa: F401  (the screens' formatters)
from agent_console.domain.monitor_thresholds import (  # noqa: F401  (re-exported: the monitor's vocabulary)
    DEFAULT_THRESHOLDS,
    LEVEL_SYMBOL,
    Level,
    MonitorError,
    Thresholds,
    worst,
)
from agent_console.domain.monitor_figures import (  # noqa: F401  (re-exported: the snapshot's parts)
    AgentFigures,
    DueItem,
    GroupFigures,
    MonitorSnapshot,
)
from agent_console.domain.zones import day_start_utc
from agent_console.store import monitor as reads
from agent_console.store.models import AgentState


# --- computing it --------------------------------------------------------------------------------------------------


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
    snapshot = reads.read_with(source, _compute, clock.now(), tz, thresholds, due_within_s, due_limit)
    return replace(snapshot, compute_ms=(_time.perf_counter() - started) * 1000)


def _compute(conn, now: datetime, tz: tzinfo, thresholds: Thresholds, due_within_s: float,
             due_limit: int) -> MonitorSnapshot:
    day_start = day_start_utc(now, tz)
    policies = reads.read_policies(conn)
    cells = reads.at_risk_cells(policies)
    statements = reads.statements_for(cells, conn.dialect.name, due_limit)
    params = {"now": now, "day_start": day_start, "horizon": now + timedelta(seconds=due_within_s),
              **sla.at_risk_horizons(policies, cells, now)}
    rows = reads.read_floor(conn, statements, params)
    groups: dict[tuple[str, str], _Acc] = defaultdict(_Acc)

    for queue, channel, count, breached, at_risk, escalations in rows.open:
        acc = groups[(queue, channel)]
        acc.open_cases += count
        acc.breached += breached or 0
        acc.at_risk += at_risk or 0
        acc.escalations += escalations or 0

    for queue, channel, count, oldest in rows.waiting:
        acc = groups[(queue, channel)]
        acc.waiting += count
        acc.oldest_waiting = oldest
        resolution_s = sla.targets(policies.get((channel, None)), channel)[2]
        if oldest is not None and resolution_s:
            acc.longest_wait_share = max(0.0, (now - oldest).total_seconds()) / resolution_s

    for queue, channel, count, within, n_answered, n_missed in rows.created:
        acc = groups[(queue, channel)]
        acc.created_today += count
        acc.within += within or 0
        counted = (n_answered or 0) + (n_missed or 0)
        acc.counted += counted
        acc.goal_weight += counted * _goal(policies, channel)

    for queue, channel, count, first_contact in rows.resolved:
        acc = groups[(queue, channel)]
        acc.resolved += count
        acc.first_contact += first_contact or 0

    # AHT: domain.metrics.aht's formula (closed handle + wrap-up segments started today plus today's corrections,
    # over the distinct cases handled), computed for every grouping from one pass instead of one query per grouping;
    # tests/unit/test_monitor.py checks it gives metrics.aht's numbers.
    aht_cases: dict[tuple, int] = defaultdict(int)
    aht_seconds: dict[tuple, float] = defaultdict(float)
    for queue, channel, agent_id, cases, seconds in rows.segments:
        seconds = float(seconds or 0.0)  # PostgreSQL's extract(epoch) sums are Decimals
        if agent_id is not None:  # an agent's distinct cases (a case two agents handled counts for each)
            aht_cases[("agent", agent_id)] = cases
            aht_seconds[("agent", agent_id)] = seconds
            continue
        for key in (("queue", queue), ("channel", channel), (None, "all")):  # a case is in exactly one cell
            aht_cases[key] += cases
            aht_seconds[key] += seconds
    for queue, channel, agent_id, delta in rows.aht_corrections:
        for key in (("queue", queue), ("channel", channel), (None, "all"), ("agent", agent_id)):
            aht_seconds[key] += float(delta or 0.0)

    def aht(by: str | None, group) -> tuple[int, float | None]:
        cases = aht_cases.get((by, group), 0)
        return cases, (aht_seconds[(by, group)] / cases if cases else None)

    # CSAT: domain.metrics.csat's counts, added up per grouping (tests/unit/test_monitor.py checks it against csat).
    csat_counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for queue, channel, answers, satisfied in rows.surveys:
        for key in (("queue", queue), ("channel", channel), (None, "all")):
            counts = csat_counts[key]
            counts[0] += answers
            counts[1] += satisfied or 0

    running = {}
    for agent_id, case_id, key, kind, started in sorted(rows.running,
                                                         key=lambda row: row[4]):
        running[agent_id] = (case_id, key, kind)  # the latest running segment wins
    assigned = rows.assigned
    agents = []
    agent_queues: set[str] = set()
    queue_lists: dict[str, list[str]] = {}  # most agents share a handful of queue settings: split each once
    for agent_id, login, name, role, state, since, queues in rows.agents:
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
    fu_total, fu_overdue = rows.follow_up_counts
    for case_id, key, login, due_at, note in rows.follow_ups:
        due.append(DueItem("follow-up", case_id, key, login, due_at, (due_at - now).total_seconds(), note or ""))
    esc_total, esc_overdue = rows.escalation_counts
    for case_id, key, login, due_at, tier in rows.escalations:
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

    phone_target = sla.targets(policies.get(("phone", None)), "phone")[0]
    phone_floor, phone_queues = phone_counts(conn, now, day_start, phone_target)
    for queue in phone_queues:
        if queue:
            by_queue.setdefault(queue, _Acc())
    if phone_floor.has_calls:
        by_channel.setdefault("phone", _Acc())
    finish = _with_calls(finish, now, phone_floor, phone_queues)
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
        **_self_service_today(conn, day_start, thresholds),
    )


def _self_service_today(conn, day_start: datetime, thresholds: Thresholds) -> dict:
    from agent_console.domain.monitor_figures import deflection_rate
    from agent_console.store import help_records

    day_end = day_start + timedelta(days=1)
    solved_visits = help_records.solved_visits_without_contact(conn, day_start, day_end)
    contact_forms = help_records.contacts_between(conn, day_start, day_end)
    return {"self_service_resolutions": help_records.answer_counts(conn, day_start, day_end)[0],
            "solved_visits": solved_visits, "contact_forms": contact_forms,
            "self_service_level": thresholds.deflection_level(deflection_rate(solved_visits, contact_forms))}


def _with_calls(finish, now: datetime, floor: PhoneCounts, queues: dict[str | None, PhoneCounts]):
    """``finish`` with the call figures added: the floor's and the phone channel's from every call, a queue's from
    its calls. The phone channel's service level is the calls' once calls arrived today (its cases' before)."""

    def finish_with_calls(kind: str, name: str, acc: _Acc, goal: float) -> GroupFigures:
        figures = finish(kind, name, acc, goal)
        counts = (floor if kind == "floor" or (kind == "channel" and name == "phone")
                  else queues.get(name) if kind == "queue" else None)
        if counts is None or not counts.has_calls:
            return figures
        figures = replace(figures, callers_waiting=counts.callers_waiting,
                          longest_call_wait_s=counts.longest_wait_s(now), calls_offered=counts.offered,
                          calls_answered_in_target=counts.answered_in_target, calls_abandoned=counts.abandoned,
                          phone_service_level=counts.service_level, asa_s=counts.asa_s,
                          abandonment_rate=counts.abandonment_rate)
        if kind == "channel" and counts.offered:
            figures = replace(figures, service_level=counts.service_level, service_level_counted=counts.offered,
                              answered_in_target=counts.answered_in_target)
        return figures

    return finish_with_calls


_STATE_ORDER = {AgentState.handling: 0, AgentState.wrap_up: 1, AgentState.available: 2, AgentState.break_: 3,
                AgentState.offline: 4}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


# Re-exported so callers keep one name for the monitor (``domain.monitor``); each lives in its own module.
from agent_console.domain.monitor_drill import (  # noqa: E402,F401
    DRILL_FIGURES,
    DRILL_SCOPES,
    AgentChoice,
    CaseView,
    Drill,
    agent_by_id,
    assignable_agents,
    case_view,
    drill_case_ids,
    drill_down,
)
from agent_console.domain.monitor_trend import TrendHistory, backfill_points  # noqa: E402,F401
from agent_console.store.monitor import _READERS  # noqa: E402,F401  (tests look at the kept connections)
