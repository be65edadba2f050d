"""An agent's state set from outside a running console (CLI, supervisor), and the history of their states."""

from __future__ import annotations

from datetime import datetime

from agent_console.domain.clock import Clock
from agent_console.domain.handling import HandlingError, _record_segment, change_agent_state
from agent_console.domain.text import clean_text
from agent_console.i18n import _
from agent_console.store import handling_segments
from agent_console.store.db import Store
from agent_console.store.models import Agent, AgentState, AgentStateChange, Role


def set_agent_state(store: Store, clock: Clock, agent: Agent, state: str, reason: str = "", *,
                    actor: Agent | None = None) -> Agent:
    """Change an agent's state from outside a running console (CLI, supervisor).

    ``break`` and ``offline`` end the agent's running segments now (end reason ``break`` / ``quit``), so no time is
    counted while they are away; ``handling`` and ``wrap_up`` only come from working a case and are refused here.
    """
    state = AgentState(state).value
    if state in (AgentState.handling, AgentState.wrap_up):
        raise HandlingError(_("{state} starts by opening or resolving a case in the console").format(state=state))
    if actor is not None and actor.id != agent.id and actor.role == Role.agent:
        raise HandlingError(_("only supervisors and admins can change another agent's state"))
    now = clock.now()
    with store.transaction() as session:
        if state in (AgentState.break_, AgentState.offline):
            for segment in handling_segments.open_segments(session, agent.id):
                segment.ended_at = max(now, segment.started_at)
                segment.heartbeat_at = segment.ended_at
                segment.end_reason = "break" if state == AgentState.break_ else "quit"
                _record_segment(session, now, segment, agent, "segment.end")
        return change_agent_state(session, agent.id, state, now, reason=clean_text(reason).strip(),
                                  actor_id=actor.id if actor else None)


def state_history(store: Store, agent_id: int, since: datetime) -> list[AgentStateChange]:
    """The agent's state periods that ended after ``since`` (or are still open), oldest first."""
    with store.session() as session:
        return handling_segments.state_periods_since(session, agent_id, since)
