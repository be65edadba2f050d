"""Escalation: hand a case to a higher tier or another queue, safely, with a follow-up for the original agent.

Manual escalation (key ``e`` in the console, ``agent-console case escalate``) needs a reason; the case leaves the
agent (assignee cleared, status ``escalated``) and enters the target tier's / queue's list, and the original agent
gets a :class:`FollowUp` due after ``follow_up_hours`` to check back with the customer. Automatic escalation is
applied by the SLA sweeper when a policy says so (see :func:`auto_escalate`). De-escalation returns a case to tier 1.
Every step is an :class:`Escalation` row (the case's history), an audit event and an outbox op.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent_console.domain.clock import Clock
from agent_console.domain.recording import audit, enqueue
from agent_console.domain.service import SessionBound
from agent_console.domain.text import clean_text, one_line
from agent_console.i18n import N_, _
from agent_console.store import escalations, queries
from agent_console.store.db import Store
from agent_console.store.models import (
    Agent,
    Case,
    CaseStatus,
    Escalation,
    FollowUp,
    Priority,
    Role,
)
from agent_console.store.queries import NotFound

#: One step up per automatic escalation; urgent stays urgent.
PRIORITY_UP = {Priority.low: Priority.normal, Priority.normal: Priority.high, Priority.high: Priority.urgent,
               Priority.urgent: Priority.urgent}
MAX_TIER = 3
#: A case's status as an escalation message names it (the values stay the store's).
STATUS_WORDS = {"new": N_("new"), "open": N_("open"), "pending": N_("pending"), "escalated": N_("escalated"),
                "resolved": N_("resolved"), "closed": N_("closed")}


def status_word(status: str) -> str:
    """``status`` in the interface language; an unknown value literally."""
    return _(STATUS_WORDS[status]) if status in STATUS_WORDS else one_line(status)


class EscalationError(ValueError):
    """A request the rules do not allow; the message is meant for the user."""


@dataclass(frozen=True)
class EscalationRequest:
    """What the escalate modal returns: a target tier and/or queue and the reason."""

    reason: str
    to_tier: int | None = None
    to_queue: str | None = None


def escalation_op(row: Escalation, case: Case, follow_up: FollowUp | None = None) -> dict:
    """The ``escalation.create`` op's payload (the server's ``EscalationPayload``)."""
    return {
        "escalation": {"uid": row.uid, "case_uid": case.uid, "kind": row.kind, "to_tier": row.to_tier,
                       "to_queue": row.to_queue, "reason": row.reason[:2000], "created_at": row.created_at},
        "follow_up": None if follow_up is None else {"uid": follow_up.uid, "due_at": follow_up.due_at,
                                                     "note": follow_up.note},
    }


@dataclass
class EscalationService(SessionBound):
    store: Store | None
    clock: Clock
    actor: Agent | None
    follow_up_hours: float = 24
    #: The caller's session: every call runs in it instead of a transaction of its own.
    session: object | None = field(default=None, kw_only=True)

    def _require_actor(self) -> Agent:
        if self.actor is None:
            raise EscalationError(_("this action needs an agent (use --agent LOGIN)"))
        return self.actor

    def _load(self, session, case: Case | str | int) -> Case:
        if isinstance(case, Case):
            found = session.get(Case, case.id)
        elif isinstance(case, int):
            found = session.get(Case, case)
        else:
            return queries.case_by_key(session, case)
        if found is None:
            raise NotFound(_("no case {case}").format(case=repr(case)))
        return found

    def escalate(self, case: Case | str | int, *, to_tier: int | None = None, to_queue: str | None = None,
                 reason: str) -> Escalation:
        """Hand the case on to a higher tier and/or another queue; the original agent gets a follow-up."""
        actor = self._require_actor()
        reason = clean_text(reason or "").strip()
        if not reason:
            raise EscalationError(_("an escalation needs a reason"))
        to_queue = clean_text(to_queue).strip() if to_queue else None
        if to_tier is None and not to_queue:
            raise EscalationError(_("escalate to a tier (2 or 3) or to another queue"))
        now = self.clock.now()
        with self._transaction() as session:
            case = self._load(session, case)
            if not case.is_open:
                raise EscalationError(_("{case} is {status}; reopen it before escalating")
                                      .format(case=case.key, status=status_word(case.status)))
            if to_tier is not None:
                if to_tier not in (2, 3):
                    raise EscalationError(_("escalation goes to tier 2 or 3, not {tier}").format(tier=to_tier))
                if to_tier <= case.tier:
                    raise EscalationError(_("{case} is already at tier {tier}; escalate to a higher tier")
                                          .format(case=case.key, tier=case.tier))
            if to_queue is not None and to_queue == case.queue and to_tier is None:
                raise EscalationError(_("{case} is already in queue {queue}").format(case=case.key,
                                                                                     queue=case.queue))
            if to_queue is not None and not queries.queue_exists(session, to_queue):
                from agent_console.domain.queues import unknown_queue_message

                raise EscalationError(unknown_queue_message(session, to_queue))
            original_agent_id = case.assignee_id if case.assignee_id is not None else actor.id
            row = Escalation(case_id=case.id, kind="manual", from_tier=case.tier, to_tier=to_tier or case.tier,
                             from_queue=case.queue, to_queue=to_queue or case.queue,
                             from_agent_id=case.assignee_id, reason=reason, created_by_id=actor.id, created_at=now)
            session.add(row)
            case.tier = row.to_tier
            case.queue = row.to_queue
            case.assignee_id = None
            case.status = CaseStatus.escalated
            case.escalation_level += 1
            case.updated_at = now
            case.version += 1
            session.flush()
            follow_up = FollowUp(case_id=case.id, agent_id=original_agent_id, escalation_id=row.id,
                                 due_at=now + timedelta(hours=self.follow_up_hours), created_at=now)
            session.add(follow_up)
            session.flush()
            audit(session, now, actor.id, "case.escalate", "case", case.id, escalation_id=row.id,
                  from_tier=row.from_tier, to_tier=row.to_tier, from_queue=row.from_queue, to_queue=row.to_queue,
                  from_agent_id=row.from_agent_id, reason=reason, follow_up_id=follow_up.id)
            enqueue(session, now, "escalation.create", **escalation_op(row, case, follow_up))
            return row

    def deescalate(self, case: Case | str | int, reason: str) -> Escalation:
        """Back to tier 1 (same queue); the case is unassigned so tier 1 picks it up again."""
        actor = self._require_actor()
        reason = clean_text(reason or "").strip()
        if not reason:
            raise EscalationError(_("a de-escalation needs a reason"))
        now = self.clock.now()
        with self._transaction() as session:
            case = self._load(session, case)
            if not case.is_open:
                raise EscalationError(_("{case} is {status}").format(case=case.key,
                                                                     status=status_word(case.status)))
            if case.tier <= 1:
                raise EscalationError(_("{case} is already at tier 1").format(case=case.key))
            if actor.role == Role.agent and actor.tier < case.tier:
                raise EscalationError(_("{case} is at tier {tier}; only a tier-{tier} agent or a supervisor can "
                                        "de-escalate it").format(case=case.key, tier=case.tier))
            row = Escalation(case_id=case.id, kind="deescalation", from_tier=case.tier, to_tier=1,
                             from_queue=case.queue, to_queue=case.queue, from_agent_id=case.assignee_id,
                             reason=reason, created_by_id=actor.id, created_at=now)
            session.add(row)
            case.tier = 1
            case.assignee_id = None
            if case.status == CaseStatus.escalated:
                case.status = CaseStatus.open
            case.escalation_level = 0
            case.updated_at = now
            case.version += 1
            session.flush()
            audit(session, now, actor.id, "case.deescalate", "case", case.id, escalation_id=row.id,
                  from_tier=row.from_tier, reason=reason)
            enqueue(session, now, "escalation.create", **escalation_op(row, case))
            return row

    def complete_follow_up(self, follow_up_id: int, note: str = "") -> FollowUp:
        """The agent checked back with the customer."""
        actor = self._require_actor()
        note = clean_text(note or "").strip()
        now = self.clock.now()
        with self._transaction() as session:
            follow_up = session.get(FollowUp, follow_up_id)
            if follow_up is None:
                raise EscalationError(_("no follow-up with id {id}").format(id=follow_up_id))
            if follow_up.done_at is not None:
                raise EscalationError(_("follow-up {id} was already done at {time} UTC")
                                      .format(id=follow_up_id, time=f"{follow_up.done_at:%Y-%m-%d %H:%M}"))
            if follow_up.agent_id != actor.id and actor.role == Role.agent:
                raise EscalationError(_("follow-up {id} belongs to another agent").format(id=follow_up_id))

            follow_up.done_at = now
            follow_up.note = note
            case = session.get(Case, follow_up.case_id)
            audit(session, now, actor.id, "follow_up.done", "follow_up", follow_up.id, case_id=case.id, note=note)
            enqueue(session, now, "follow_up.done", follow_up_uid=follow_up.uid, done_at=now, note=note)
            return follow_up


def auto_escalate(session, case: Case, target: str, due_at: datetime, now: datetime, *,
                  enqueue_ops: bool = True) -> Escalation | None:
    """The automatic rule for a breached target (inside the sweeper's transaction).

    Raises the priority one step, flags the case for the supervisor (an ``automatic`` Escalation row and
    ``escalation_level`` + 1) and audits it. Once per target per resolution cycle: a case already auto-escalated for
    this target since its creation or last reopen is left alone, so the priority does not climb on every sweep.
    """
    from agent_console.domain.case_changes import recompute_due

    since = case.last_reopened_at or case.created_at
    already = escalations.automatic_escalation_since(session, case.id, since, f"SLA {target} ")
    if already is not None:
        return None
    old_priority = case.priority
    new_priority = PRIORITY_UP.get(Priority(case.priority), Priority.urgent).value
    row = Escalation(case_id=case.id, kind="automatic", from_tier=case.tier, to_tier=case.tier,
                     from_queue=case.queue, to_queue=case.queue, from_agent_id=case.assignee_id,
                     reason=f"SLA {target} breached (due {due_at:%Y-%m-%d %H:%M:%S} UTC)", created_at=now)
    session.add(row)
    base_version = case.version
    if new_priority != old_priority:
        case.priority = new_priority
        recompute_due(session, case)
    case.escalation_level += 1
    case.updated_at = now
    case.version += 1
    session.flush()
    audit(session, now, None, "case.auto_escalate", "case", case.id, escalation_id=row.id, target=target,
          due_at=due_at, old_priority=old_priority, new_priority=new_priority)
    # Only the priority change is pushed: the server's ``escalation.create`` op takes a case away from its agent,
    # which the automatic rule must not do, so a team server flags automatic escalations with its own sweeper.
    if enqueue_ops and new_priority != old_priority:
        enqueue(session, now, "case.update", case_uid=case.uid, base_version=base_version,
                changes={"priority": new_priority})
    return row


def case_history(session, case_id: int) -> list[Escalation]:
    """Every escalation and de-escalation of a case, oldest first."""
    return escalations.escalations_of_case(session, case_id)


def flagged_case_ids(session) -> list[int]:
    """Open cases escalated automatically and not de-escalated since: the supervisor's attention list.

    De-escalation resets ``escalation_level`` to 0, so the level is what tells a flag still stands.
    """
    return escalations.open_auto_escalated_case_ids(session)


def follow_up_rows(session, agent_id: int, *, due_before: datetime | None = None) -> list[dict]:
    """Open follow-ups of an agent with their case key and subject, soonest first (for the queue and the CLI)."""
    rows = []
    for follow_up in queries.open_follow_ups(session, agent_id, due_before):
        case = session.get(Case, follow_up.case_id)
        rows.append({"id": follow_up.id, "case_id": case.id, "case_key": case.key, "subject": case.subject,
                     "due_at": follow_up.due_at, "created_at": follow_up.created_at})
    return rows
