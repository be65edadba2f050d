"""When resolving a case needs the agent's confirmation first.

A plain rule over plain values (the case, its thread, the agent): the case screen asks before ``x`` resolves a case
the customer is still waiting on, or a case that belongs to someone else (or no one).
"""

from __future__ import annotations

from collections.abc import Iterable

from agent_console.i18n import N_, _
from agent_console.store.models import Direction

#: The concerns, translated where :func:`resolve_concerns` words them.
UNANSWERED = N_("The customer has had no reply since their last message.")
NOT_YOURS = N_("This case is assigned to {assignee}, not to you.")
UNASSIGNED = N_("This case is not assigned to you (it is unassigned).")
ANOTHER_AGENT = N_("another agent")


def customer_waiting(messages: Iterable) -> bool:
    """The customer's last message came after the last reply to them (internal notes are no reply)."""
    last_inbound = last_reply = None
    for message in messages:
        if message.is_internal:
            continue
        key = (message.created_at, message.id or 0)
        if message.direction == Direction.inbound:
            last_inbound = key if last_inbound is None or key > last_inbound else last_inbound
        elif message.direction == Direction.outbound:
            last_reply = key if last_reply is None or key > last_reply else last_reply
    return last_inbound is not None and (last_reply is None or last_inbound > last_reply)


def resolve_concerns(case, messages: Iterable, agent_id: int, assignee_name: str | None = None) -> list[str]:
    """Why resolving the case should be confirmed, in the interface language: empty when it may be resolved at
    once."""
    concerns = []
    if customer_waiting(messages):
        concerns.append(_(UNANSWERED))
    if case.assignee_id is None:
        concerns.append(_(UNASSIGNED))
    elif case.assignee_id != agent_id:
        concerns.append(_(NOT_YOURS).format(assignee=assignee_name or _(ANOTHER_AGENT)))

    return concerns
