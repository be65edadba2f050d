"""The monitor's drill-down: which cases stand behind a figure, and the supervisor's read-only case view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agent_console.domain import sla
from agent_console.domain.monitor_thresholds import MonitorError
from agent_console.i18n import _
from agent_console.store import monitor as reads
from agent_console.store.models import Agent, Case


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
    return [AgentChoice(*row) for row in reads.assignable_agent_rows(store)]


def agent_by_id(store, agent_id: int) -> Agent:
    with store.session() as session:
        agent = session.get(Agent, agent_id)
        if agent is None:
            raise MonitorError(_("no agent with id {id}").format(id=agent_id))
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
            raise MonitorError(_("no case with id {id}").format(id=case_id))
        customer = session.get(Customer, case.customer_id)
        assignee = session.get(Agent, case.assignee_id) if case.assignee_id else None
        policy = queries.policy_for(session, case.channel, case.priority)
        return CaseView(case, customer.name if customer else "", assignee.login if assignee else None,
                        sla.running_targets(case, policy, now), queries.thread(session, case_id))


#: What a drill-down can list: the same definitions as the figures (module docstring). How the interface names
#: them is the UI's (``screens/monitor_common.DRILL_FIGURE_LABEL``).
DRILL_FIGURES = ("open", "waiting", "longest", "at_risk", "breached", "escalated", "follow_ups")
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
            raise MonitorError(_("unknown figure {figure}; expected one of: {choices}").format(
                figure=repr(self.figure), choices=", ".join(DRILL_FIGURES)))
        if self.kind not in DRILL_SCOPES:
            raise MonitorError(_("unknown scope {scope}; expected one of: {choices}").format(
                scope=repr(self.kind), choices=", ".join(DRILL_SCOPES)))


def drill_case_ids(source, now: datetime, drill: Drill, *, due_within_s: float = 3600,
                   limit: int | None = None) -> list[int]:
    """The case ids behind ``drill``'s figure at ``now``, most urgent SLA first (``follow_ups``: by due time)."""
    def risk_values(policies, cells):
        return sla.at_risk_horizons(policies, cells, now)

    args = (now, drill.figure, drill.kind, drill.name, due_within_s, limit, risk_values)
    return reads.drill_ids_from(source, *args)


def drill_down(store, now: datetime, drill: Drill, *, limit: int = 500,
               due_within_s: float = 3600) -> tuple[int, list[dict]]:
    """The cases behind a figure: (how many in all, the queue-table rows of the first ``limit``), one row per id.
    Each row's ``"sla"`` is its ``sla.row_countdown`` at ``now``: the state the queue row and the case header show."""
    from agent_console.store.queries import all_policies, queue_rows

    with store.session() as session:
        ids = drill_case_ids(session, now, drill, due_within_s=due_within_s)
        rows = queue_rows(session, sorted(set(ids[:limit])))
        policies = all_policies(session)
        listed = [dict(rows[i]) for i in ids[:limit] if i in rows]
    for row in listed:
        row["sla"] = sla.row_countdown(row, policies, now)
    return len(ids), listed
