"""SLA rules: due times from a channel's policy, and whether a case is ok, at risk or breached.

Pure functions over store objects and a given "now"; the services decide when to call them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from agent_console.store.models import Case, SlaPolicy, SlaTarget

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
    from sqlalchemy import select

    existing = {(p.channel, p.priority) for p in session.scalars(select(SlaPolicy)).all()}
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


#: Symbols beside the colours, so the state reads without colour vision.
SLA_SYMBOL = {
    SlaState.ok: "●",
    SlaState.at_risk: "▲",
    SlaState.breached: "✖",
    SlaState.paused: "‖",
    SlaState.none: "·",
}


def add_target(policy: SlaPolicy | None, start: datetime, seconds: float) -> datetime:
    """The moment ``seconds`` of SLA time have passed after ``start`` under the policy's business hours."""
    from agent_console.domain.business_hours import BusinessHours

    hours = BusinessHours.parse(policy.business_hours) if policy is not None else None
    if hours is None:
        return start + timedelta(seconds=seconds)
    return hours.add(start, seconds)


def targets(policy: SlaPolicy | None, channel: str) -> tuple[int, int | None, int]:
    if policy is not None:
        return policy.first_response_s, policy.next_update_s, policy.resolution_s
    return DEFAULT_TARGETS.get(channel, DEFAULT_TARGETS["email"])


def compute_initial_due(case: Case, policy: SlaPolicy | None) -> None:
    """Set the first-response and resolution due times of a new case from its creation time."""
    first_s, _next_s, resolution_s = targets(policy, case.channel)
    case.first_response_due = add_target(policy, case.created_at, first_s) if case.first_response_at is None else None
    case.resolution_due = add_target(policy, case.created_at, resolution_s + case.sla_paused_seconds)
    update_sla_due(case)


def update_sla_due(case: Case) -> None:
    """``sla_due_at`` is the earliest target still running: the order of the queue."""
    running = []
    if case.is_open:
        if case.first_response_at is None and case.first_response_due is not None:
            running.append(case.first_response_due)
        if case.next_update_due is not None:
            running.append(case.next_update_due)
        if case.resolution_due is not None and case.sla_paused_at is None:
            running.append(case.resolution_due)
    case.sla_due_at = min(running) if running else None


@dataclass(frozen=True)
class Countdown:
    state: SlaState
    #: Seconds until the due time (negative once breached); None when no target runs.
    remaining_s: float | None
    target: str | None


def countdown(case_due: datetime | None, target_s: float | None, now: datetime, *, at_risk_fraction: float = 0.8,
              paused: bool = False, target_name: str | None = None) -> Countdown:
    """State of one running target: at risk once ``at_risk_fraction`` of its time has elapsed."""
    if paused:
        return Countdown(SlaState.paused, None, target_name)
    if case_due is None:
        return Countdown(SlaState.none, None, None)
    remaining = (case_due - now).total_seconds()
    if remaining < 0:
        return Countdown(SlaState.breached, remaining, target_name)
    if target_s and remaining <= target_s * (1 - at_risk_fraction):
        return Countdown(SlaState.at_risk, remaining, target_name)
    return Countdown(SlaState.ok, remaining, target_name)


def case_countdown(case: Case, policy: SlaPolicy | None, now: datetime) -> Countdown:
    """The most urgent running target of a case."""
    if not case.is_open:
        return Countdown(SlaState.none, None, None)
    first_s, next_s, resolution_s = targets(policy, case.channel)
    fraction = policy.at_risk_fraction if policy is not None else 0.8
    candidates = []
    if case.first_response_at is None and case.first_response_due is not None:
        candidates.append((case.first_response_due, first_s, "first_response"))
    if case.next_update_due is not None:
        candidates.append((case.next_update_due, next_s, "next_update"))
    if case.resolution_due is not None:
        if case.sla_paused_at is not None and not candidates:
            return Countdown(SlaState.paused, None, "resolution")
        if case.sla_paused_at is None:
            candidates.append((case.resolution_due, resolution_s, "resolution"))
    if not candidates:
        return Countdown(SlaState.none, None, None)
    due, seconds, name = min(candidates, key=lambda c: c[0])
    return countdown(due, seconds, now, at_risk_fraction=fraction, target_name=name)


def format_remaining(seconds: float | None) -> str:
    """Compact countdown: ``1:05`` for a minute, ``3h12m``, ``2d4h``; a minus sign once overdue."""
    if seconds is None:
        return ""
    sign = "-" if seconds < 0 else ""
    s = int(abs(seconds))
    if s < 3600:
        return f"{sign}{s // 60}:{s % 60:02d}"
    if s < 86400:
        return f"{sign}{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{sign}{s // 86400}d{(s % 86400) // 3600}h"


# --- business time and the list of running targets ---------------------------------------------------------------


def business_hours(policy: SlaPolicy | None):
    """The policy's business hours, or None when its clock runs around the clock."""
    from agent_console.domain.business_hours import BusinessHours

    return BusinessHours.parse(policy.business_hours) if policy is not None else None


def sla_seconds_between(policy: SlaPolicy | None, start: datetime, end: datetime) -> float:
    """SLA time that passes between two moments: open time under business hours, else wall-clock time."""
    if end <= start:
        return 0.0
    hours = business_hours(policy)
    if hours is None:
        return (end - start).total_seconds()
    return hours.open_seconds_between(start, end)


TARGET_LABEL = {
    SlaTarget.first_response: "first response",
    SlaTarget.next_update: "next update",
    SlaTarget.resolution: "resolution",
}

STATE_LABEL = {
    SlaState.ok: "",
    SlaState.at_risk: "at risk",
    SlaState.breached: "breached",
    SlaState.paused: "paused",
    SlaState.none: "",
}


@dataclass(frozen=True)
class TargetStatus:
    """One SLA target of a case as the case header shows it."""

    target: str
    due_at: datetime | None
    state: SlaState
    #: Wall-clock seconds until due (negative once breached); None while paused.
    remaining_s: float | None

    @property
    def label(self) -> str:
        return TARGET_LABEL.get(self.target, self.target)

    @property
    def symbol(self) -> str:
        return SLA_SYMBOL[self.state]

    def describe(self) -> str:
        """E.g. ``first response 0:45 ▲ at risk`` or ``resolution ‖ paused``."""
        parts = [self.label]
        if self.remaining_s is not None:
            parts.append(format_remaining(self.remaining_s))
        parts.append(self.symbol)
        if STATE_LABEL[self.state]:
            parts.append(STATE_LABEL[self.state])
        return " ".join(parts)


def running_targets(case: Case, policy: SlaPolicy | None, now: datetime) -> list[TargetStatus]:
    """Every target of an open case still running (or paused), most urgent first.

    At risk once ``at_risk_fraction`` of the target's SLA time has passed: under business hours the remaining time
    is measured in open time, so a target due on Monday morning is not "at risk" all weekend.
    """
    if not case.is_open:
        return []
    first_s, next_s, resolution_s = targets(policy, case.channel)
    fraction = policy.at_risk_fraction if policy is not None else 0.8
    hours = business_hours(policy)
    found: list[TargetStatus] = []

    def status(name: str, due: datetime, target_s: float | None) -> TargetStatus:
        wall_remaining = (due - now).total_seconds()
        if due < now:
            state = SlaState.breached
        else:
            sla_remaining = hours.open_seconds_between(now, due) if hours is not None else wall_remaining
            at_risk = bool(target_s) and sla_remaining <= target_s * (1 - fraction)
            state = SlaState.at_risk if at_risk else SlaState.ok
        return TargetStatus(name, due, state, wall_remaining)

    if case.first_response_at is None and case.first_response_due is not None:
        found.append(status(SlaTarget.first_response, case.first_response_due, first_s))
    if case.next_update_due is not None:
        found.append(status(SlaTarget.next_update, case.next_update_due, next_s))
    if case.resolution_due is not None:
        if case.sla_paused_at is not None:
            found.append(TargetStatus(SlaTarget.resolution, case.resolution_due, SlaState.paused, None))
        else:
            found.append(status(SlaTarget.resolution, case.resolution_due, resolution_s))
    far_future = datetime.max.replace(tzinfo=now.tzinfo)
    found.sort(key=lambda t: (t.state == SlaState.paused, t.due_at or far_future))
    return found


def format_targets(statuses: list[TargetStatus]) -> str:
    """The case header's SLA line: ``first response 0:45 ▲ at risk · resolution 7h59m ●``."""
    return " · ".join(t.describe() for t in statuses)


def breached_targets(case: Case, now: datetime) -> list[tuple[str, datetime]]:
    """Running targets whose due time has passed (due == now is not yet breached; due < now is)."""
    if not case.is_open:
        return []
    late = []
    if case.first_response_at is None and case.first_response_due is not None and case.first_response_due < now:
        late.append((SlaTarget.first_response.value, case.first_response_due))
    if case.next_update_due is not None and case.next_update_due < now:
        late.append((SlaTarget.next_update.value, case.next_update_due))
    if case.resolution_due is not None and case.sla_paused_at is None and case.resolution_due < now:
        late.append((SlaTarget.resolution.value, case.resolution_due))
    return late
