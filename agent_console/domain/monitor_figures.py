"""What the monitor shows: the levels a tile can be at, and the figures of one snapshot of the floor (by group, by
agent, the due list). Plain values; ``domain.monitor`` computes them, ``domain.monitor_thresholds`` judges them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Level(StrEnum):
    ok = "ok"
    warning = "warning"
    critical = "critical"


#: Shown beside the colour so a tile's state reads without colour vision.
LEVEL_SYMBOL = {Level.ok: "●", Level.warning: "▲", Level.critical: "✖"}
_LEVEL_RANK = {Level.ok: 0, Level.warning: 1, Level.critical: 2}


def worst(levels: Iterable[Level]) -> Level:
    return max(levels, key=_LEVEL_RANK.__getitem__, default=Level.ok)


def deflection_rate(solved_visits: int, contact_forms: int) -> float | None:
    """Visits that ended in "yes" without a contact form, over those and the contact forms; None without either."""
    total = solved_visits + contact_forms
    return solved_visits / total if total else None


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
    #: From the calls (``domain.call_figures``): callers in line now and today's phone figures; zero / None where
    #: no call arrived.
    callers_waiting: int = 0
    longest_call_wait_s: float | None = None
    calls_offered: int = 0
    calls_answered_in_target: int = 0
    calls_abandoned: int = 0
    phone_service_level: float | None = None
    asa_s: float | None = None
    abandonment_rate: float | None = None
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
    #: The help center today (``domain/selfservice.py``): "yes" answers, visits that ended in "yes" without a
    #: contact form, contact forms sent.
    self_service_resolutions: int = 0
    solved_visits: int = 0
    contact_forms: int = 0
    #: The level of today's deflection by the ``deflection`` threshold (ok unless the settings give one).
    self_service_level: Level = Level.ok

    @property
    def deflection(self) -> float | None:
        return deflection_rate(self.solved_visits, self.contact_forms)

    @property
    def help_center_used(self) -> bool:
        """Whether the help center was used today: a floor without one shows nothing about self-service."""
        return bool(self.self_service_resolutions or self.contact_forms)

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
