"""What each change does to a case, in place: its version, a claim, an agent's reply, and its due times when its
channel or priority changes.

The rules take the case (or any object with its attributes) and a moment; they write nothing. ``CaseService`` calls
them inside its transactions, and the server's batched write path calls them on plain row values.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from agent_console.domain import sla
from agent_console.domain.case_errors import CaseConflict, CaseError
from agent_console.i18n import _
from agent_console.store import queries
from agent_console.store.models import Agent, Case, CaseStatus, SlaEventKind, SlaTarget


def touch(case: Case, now: datetime) -> None:
    """Every change of a case moves its version on (field conflicts are judged by it)."""
    case.updated_at = now
    case.version += 1


def claimed_by_other(case: Case, agent: Agent, holder_name: Callable[[int], str | None]) -> str | None:
    """Why ``agent`` cannot claim the case because someone else holds it (``holder_name`` names them); None when it
    is free or theirs. The server asks this first, to answer such a claim with the case's current state."""
    if case.assignee_id is not None and case.assignee_id != agent.id:
        holder = holder_name(case.assignee_id)
        if holder:
            return _("{case} is already claimed by {agent}").format(case=case.key, agent=holder)
        return _("{case} is already claimed by another agent").format(case=case.key)
    return None


def take_case(case: Case, agent: Agent, now: datetime, holder_name: Callable[[int], str | None]) -> bool:
    """What claiming does to a case, which changes in place; False when it is the agent's already.

    Raises CaseError (closed case, tier too low) or CaseConflict (someone else holds it; ``holder_name`` names them).
    ``case`` and ``agent`` may be any objects with their attributes: the server's batched write path passes plain
    row values.
    """
    if not case.is_open:
        raise CaseError(_("{case} is {status}; reopen it before claiming").format(
            case=case.key, status=case.status))
    if case.assignee_id == agent.id:
        return False
    held = claimed_by_other(case, agent, holder_name)
    if held:
        raise CaseConflict(held)
    if case.tier > agent.tier:
        raise CaseError(_("{case} needs tier {needed}; you are tier {tier}").format(case=case.key, needed=case.tier,
                                                                                    tier=agent.tier))
    case.assignee_id = agent.id
    if case.status == CaseStatus.new:
        case.status = CaseStatus.open
    touch(case, now)
    return True


def record_reply(case: Case, now: datetime) -> list[dict]:
    """What an agent's reply to the customer does to the case, which changes in place: the first reply meets or
    breaches the first-response target, every reply the running next-update target; a new case is open now.

    Returns the SLA events to record (``target``, ``event``, ``due_at``, ``detail``; each ``at`` ``now``). ``case``
    may be any object with the case's attributes: the server's batched write path passes plain row values.
    """
    events = []
    if case.first_response_at is None:
        case.first_response_at = now
        met = case.first_response_due is None or now <= case.first_response_due
        events.append({"target": SlaTarget.first_response, "event": SlaEventKind.met if met else SlaEventKind.breached,
                       "due_at": case.first_response_due, "detail": "first reply"})
    if case.next_update_due is not None:
        met = now <= case.next_update_due
        events.append({"target": SlaTarget.next_update, "event": SlaEventKind.met if met else SlaEventKind.breached,
                       "due_at": case.next_update_due, "detail": ""})
        case.next_update_due = None
    if case.status == CaseStatus.new:
        case.status = CaseStatus.open
    sla.update_sla_due(case)
    return events


def recompute_due(session, case: Case) -> None:
    """Due times follow the case's current channel and priority (called when either changes)."""
    policy = queries.policy_for(session, case.channel, case.priority)
    first_s, next_s, resolution_s = sla.targets(policy, case.channel)
    if case.first_response_at is None:
        case.first_response_due = sla.add_target(policy, case.created_at, first_s)
    if case.next_update_due is not None and case.last_inbound_at is not None:
        # The customer is waiting for an answer since their last message.
        case.next_update_due = sla.add_target(policy, case.last_inbound_at, next_s) if next_s else None
    if case.is_open:
        case.resolution_due = sla.add_target(policy, resolution_clock_start(case),
                                             resolution_s + case.sla_paused_seconds)
    sla.update_sla_due(case)


def resolution_clock_start(case: Case) -> datetime:
    """The resolution clock runs from creation, or from the last reopen (which starts a fresh target)."""
    return case.last_reopened_at or case.created_at


def reopen_case(case: Case, policy, now: datetime) -> dict:
    """What reopening does to a resolved or closed case, which changes in place: it is open again with a fresh
    resolution target from ``now`` by ``policy``. Returns the SLA event to record (without ``case_id``)."""
    case.status = CaseStatus.open
    case.is_open = True
    case.reopened_count += 1
    case.last_reopened_at = now
    case.resolved_at = None
    case.closed_at = None
    # The reopened case gets a fresh resolution target; pauses before the reopen no longer extend it.
    case.sla_paused_seconds = 0.0
    case.sla_paused_at = None
    _first, _next, resolution_s = sla.targets(policy, case.channel)
    case.resolution_due = sla.add_target(policy, now, resolution_s)
    sla.update_sla_due(case)
    return {"target": SlaTarget.resolution, "event": SlaEventKind.started, "at": now, "due_at": case.resolution_due,
            "detail": "reopened"}


def resume_resolution(case: Case, policy, now: datetime) -> dict:
    """The paused resolution clock runs again, which changes the case in place: its target moves on by the pause.
    Returns the SLA event to record (without ``case_id``)."""
    # Under business hours only the open time of the pause extends the target (a weekend pause adds nothing).
    paused_for = sla.sla_seconds_between(policy, case.sla_paused_at, now)
    case.sla_paused_seconds += paused_for
    if case.resolution_due is not None:
        _first, _next, resolution_s = sla.targets(policy, case.channel)
        case.resolution_due = sla.add_target(policy, resolution_clock_start(case),
                                             resolution_s + case.sla_paused_seconds)
    case.sla_paused_at = None
    return {"target": SlaTarget.resolution, "event": SlaEventKind.resumed, "at": now, "due_at": case.resolution_due,
            "detail": f"paused {paused_for:.0f} s"}
