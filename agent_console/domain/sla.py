"""SLA rules: due times from a channel's policy, and whether a case is ok, at risk or breached.

Pure functions over store objects and a given "now"; the services decide when to call them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from types import SimpleNamespace

from typing import TYPE_CHECKING

from agent_console.store.policy_lookup import SlaTarget, policy_from  # noqa: F401  (the one fallback rule)

if TYPE_CHECKING:
    from agent_console.store.models import Case, SlaPolicy

#: Defaults used when a store has no policy for a channel (the demo data seeds the same values).
#: First response per the field's expectations; resolution targets are our own choice, documented in docs/sla.md.
DEFAULT_TARGETS: dict[str, tuple[int, int, int]] = {
    # channel: (first response s, next update s, resolution s)
    "phone": (90, 4 * 3600, 8 * 3600),
    "chat": (120, 15 * 60, 8 * 3600),
    "social": (3600, 4 * 3600, 24 * 3600),
    "messenger": (3600, 4 * 3600, 24 * 3600),
    "email": (4 * 3600, 24 * 3600, 3 * 24 * 3600),
    "web": (8 * 3600, 24 * 3600, 3 * 24 * 3600),
    "onsite": (15 * 60, 4 * 3600, 24 * 3600),
}


#: Per-priority policies are tighter than a channel's default: (first response, next update, resolution) factors.
PRIORITY_FACTORS: dict[str, tuple[float, float, float]] = {"urgent": (0.5, 0.5, 0.25), "high": (0.75, 0.75, 0.5)}


def default_policy_rows() -> list[dict]:
    """The default SLA policies, as rows of ``sla_policies``: one per channel from ``DEFAULT_TARGETS`` plus tighter
    urgent/high ones. The single source for the demo data, ``db init`` and a new server database."""
    import uuid

    rows = []
    for channel, (first_s, next_s, resolution_s) in DEFAULT_TARGETS.items():
        rows.append({"channel": channel, "priority": None, "first_response_s": first_s, "next_update_s": next_s,
                     "resolution_s": resolution_s})
        for priority, (f1, f2, f3) in PRIORITY_FACTORS.items():
            rows.append({"channel": channel, "priority": priority, "first_response_s": round(first_s * f1),
                         "next_update_s": round(next_s * f2), "resolution_s": round(resolution_s * f3)})
    for row in rows:
        row.update(uid=str(uuid.uuid4()), at_risk_fraction=0.8, business_hours="", service_level_goal=0.8,
                   auto_escalate=True, version=1)
    return rows


def install_default_policies(session) -> int:
    """Adds the default policies a store lacks (by channel and priority) and returns how many; policies already
    there are kept as they are. ORM objects, so on the team server they go into the change feed."""
    from agent_console.store.models import SlaPolicy
    from agent_console.store.sla_policy_rows import policy_keys

    existing = policy_keys(session)
    added = [SlaPolicy(**row) for row in default_policy_rows() if (row["channel"], row["priority"]) not in existing]
    session.add_all(added)
    session.flush()
    return len(added)


class SlaState(StrEnum):
    ok = "ok"
    at_risk = "at_risk"
    breached = "breached"
    paused = "paused"
    none = "none"


#: How a state is coloured (Rich style names) wherever it is shown: console, CLI (its words: widgets/labels.py).
SLA_STYLE = {
    SlaState.ok: "green",
    SlaState.at_risk: "bold yellow",
    SlaState.breached: "bold red",
    SlaState.paused: "cyan",
    SlaState.none: "dim",
}

#: Symbols beside the colours, so the state reads without colour vision.
SLA_SYMBOL = {
    SlaState.ok: "●",
    SlaState.at_risk: "▲",
    SlaState.breached: "✖",
    SlaState.paused: "‖",
    SlaState.none: "·",
}


@lru_cache(maxsize=256)
def _parsed_hours(raw: str):
    from agent_console.domain.business_hours import BusinessHours

    return BusinessHours.parse(raw)


def business_hours(policy: SlaPolicy | None):
    """The policy's business hours, or None when its clock runs around the clock."""
    raw = getattr(policy, "business_hours", None) if policy is not None else None
    return _parsed_hours(raw) if raw else None


def add_target(policy: SlaPolicy | None, start: datetime, seconds: float) -> datetime:
    """The moment ``seconds`` of SLA time have passed after ``start`` under the policy's business hours."""
    hours = business_hours(policy)
    if hours is None:
        return start + timedelta(seconds=seconds)
    return hours.add(start, seconds)


def targets(policy: SlaPolicy | None, channel: str) -> tuple[int, int | None, int]:
    if policy is not None:
        return policy.first_response_s, policy.next_update_s, policy.resolution_s
    return DEFAULT_TARGETS.get(channel, DEFAULT_TARGETS["email"])


def at_risk_fraction(policy: SlaPolicy | None) -> float:
    return policy.at_risk_fraction if policy is not None else 0.8


#: The targets in the order of ``targets()``.
TARGET_NAMES = (SlaTarget.first_response.value, SlaTarget.next_update.value, SlaTarget.resolution.value)


def at_risk_horizon(policy: SlaPolicy | None, channel: str, target: str, now: datetime) -> datetime | None:
    """The latest due time at which a running ``target`` counts as at risk at ``now`` (None: it never does).

    The rule: a target is at risk once ``at_risk_fraction`` of its SLA time has passed, i.e. once no more than
    ``T * (1 - fraction)`` of SLA time is left before it is due — counted in open time when the policy has business
    hours (a target due on Monday morning is not at risk all weekend, but is from Friday afternoon on once its time
    runs short). So a target due at ``due`` is at risk at ``now`` exactly when ``now <= due <= horizon``. Every
    surface, the monitor's SQL counts included, compares due times with this one instant.
    """
    seconds = targets(policy, channel)[TARGET_NAMES.index(target)]
    if not seconds:
        return None
    return add_target(policy, now, seconds * (1 - at_risk_fraction(policy)))


def at_risk_horizons(policies: Mapping, cells, now: datetime) -> dict[str, datetime | None]:
    """``at_risk_horizon`` of many (name, channel, priority, target) cells at once — the thresholds the monitor's SQL
    compares ``sla_due_at`` with (``store.monitor.at_risk_sql``) — each through ``policy_from``."""
    return {name: at_risk_horizon(policy_from(policies, channel, priority), channel, target, now)
            for name, channel, priority, target in cells}


def target_state(due: datetime | None, now: datetime, horizon: datetime | None, *, paused: bool = False) -> SlaState:
    """Ok / at risk / breached / paused of one target, from its due time and its ``at_risk_horizon`` at ``now``.
    Due exactly now is not yet breached."""
    if paused:
        return SlaState.paused
    if due is None:
        return SlaState.none
    if due < now:
        return SlaState.breached
    if horizon is not None and due <= horizon:
        return SlaState.at_risk
    return SlaState.ok


def compute_initial_due(case: Case, policy: SlaPolicy | None) -> None:
    """Set the first-response and resolution due times of a new case from its creation time."""
    first_s, _next_s, resolution_s = targets(policy, case.channel)
    case.first_response_due = add_target(policy, case.created_at, first_s) if case.first_response_at is None else None
    case.resolution_due = add_target(policy, case.created_at, resolution_s + case.sla_paused_seconds)
    update_sla_due(case)


def update_sla_due(case: Case) -> None:
    """``sla_due_at`` is the earliest target still running: the order of the queue."""
    running = [due for _name, due in _running_dues(case)]
    case.sla_due_at = min(running) if running else None


def _running_dues(case) -> list[tuple[str, datetime]]:
    """(target, due) of every target of an open case whose clock runs (a paused resolution clock does not)."""
    running = []
    if case.is_open:
        if case.first_response_at is None and case.first_response_due is not None:
            running.append((SlaTarget.first_response.value, case.first_response_due))
        if case.next_update_due is not None:
            running.append((SlaTarget.next_update.value, case.next_update_due))
        if case.resolution_due is not None and case.sla_paused_at is None:
            running.append((SlaTarget.resolution.value, case.resolution_due))
    return running


@dataclass(frozen=True)
class Countdown:
    state: SlaState
    #: Seconds until the due time (negative once breached); None when no target runs.
    remaining_s: float | None
    target: str | None


def case_countdown(case, policy: SlaPolicy | None, now: datetime) -> Countdown:
    """The SLA state of a case at ``now``: the state of its most urgent running target (``running_targets``' first),
    ``paused`` when only a paused target is left, ``none`` when nothing runs. The one answer every surface shows:
    the queue row, the case header, ``case show``/``case list``, the monitor's counts and drill-down, the server."""
    statuses = running_targets(case, policy, now)
    if not statuses:
        return Countdown(SlaState.none, None, None)
    first = statuses[0]
    return Countdown(first.state, first.remaining_s, str(first.target))


def row_countdown(row: Mapping, policies: Mapping, now: datetime) -> Countdown:
    """``case_countdown`` of a queue row (a dict from ``queries.queue_rows``) with the policies of the store."""
    return case_countdown(SimpleNamespace(**row), policy_from(policies, row["channel"], row["priority"]), now)


def format_remaining(seconds: float | None) -> str:
    """A countdown: ``1:05``, ``3h12m``, ``2d04h``; a minus sign once overdue; empty when no target runs."""
    from agent_console.domain.durations import format_duration

    return format_duration(seconds, signed=True, empty="")


# --- business time and the list of running targets ---------------------------------------------------------------


def sla_seconds_between(policy: SlaPolicy | None, start: datetime, end: datetime) -> float:
    """SLA time that passes between two moments: open time under business hours, else wall-clock time."""
    if end <= start:
        return 0.0
    hours = business_hours(policy)
    if hours is None:
        return (end - start).total_seconds()
    return hours.open_seconds_between(start, end)


@dataclass(frozen=True)
class TargetStatus:
    """One SLA target of a case as the case header shows it."""

    target: str
    due_at: datetime | None
    state: SlaState
    #: Wall-clock seconds until due (negative once breached); None while paused.
    remaining_s: float | None


def running_targets(case, policy: SlaPolicy | None, now: datetime) -> list[TargetStatus]:
    """Every target of an open case still running (or paused), most urgent first (paused ones last).

    Each target's state is ``target_state`` against its ``at_risk_horizon``: the one SLA rule.
    """
    if not case.is_open:
        return []
    found = [TargetStatus(name, due, target_state(due, now, at_risk_horizon(policy, case.channel, name, now)),
                          (due - now).total_seconds())
             for name, due in _running_dues(case)]
    if case.resolution_due is not None and case.sla_paused_at is not None:
        found.append(TargetStatus(SlaTarget.resolution.value, case.resolution_due, SlaState.paused, None))
    found.sort(key=lambda t: (t.state == SlaState.paused, t.due_at))
    return found


def breached_targets(case, now: datetime) -> list[tuple[str, datetime]]:
    """Running targets whose due time has passed (due == now is not yet breached; due < now is)."""
    return [(name, due) for name, due in _running_dues(case) if target_state(due, now, None) == SlaState.breached]
