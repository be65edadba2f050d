"""Colleagues don't collide: what arrived on a case since the agent opened it, and whether a reply should ask first.

A plain rule over plain values: the messages the agent saw when the case opened (their uids) against the messages
the case holds now. A reply asks for confirmation when, since then, the customer wrote again or a colleague replied to
the customer; internal notes and the agent's own messages never ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from agent_console.i18n import N_, _

#: Why a reply asks first (translated and filled in by ``reason_text``).
NEWER_CUSTOMER_MESSAGE = N_("The customer wrote again since you opened the case.")
COLLEAGUE_REPLIED = N_("{colleague} replied to the customer since you opened the case.")
A_COLLEAGUE = N_("A colleague")


@dataclass(frozen=True)
class SeenMessage:
    """What the rule needs of a message."""

    uid: str
    direction: str  # "in" (from the customer) or "out"
    author_agent_id: int | None
    author_name: str
    is_internal: bool


@dataclass(frozen=True)
class Collision:
    """Messages that arrived since the case was opened and would make a reply talk past them."""

    customer_messages: int
    colleague_names: tuple[str, ...]

    def reason_text(self) -> str:
        reasons = []
        if self.customer_messages:
            reasons.append(_(NEWER_CUSTOMER_MESSAGE))
        for name in self.colleague_names:
            reasons.append(_(COLLEAGUE_REPLIED).format(colleague=name or _(A_COLLEAGUE)))
        return " ".join(reasons)


def seen_message(message) -> SeenMessage:
    """What the rule needs of a stored message (any object with these attributes)."""
    return SeenMessage(message.uid, message.direction, message.author_agent_id, message.author_name,
                       message.is_internal)


def seen_uids(messages: Iterable[SeenMessage]) -> frozenset[str]:
    """Remember what the agent saw when the case opened."""
    return frozenset(message.uid for message in messages)


def reply_collision(seen: frozenset[str], now: Iterable[SeenMessage], agent_id: int) -> Collision | None:
    """What arrived since the agent saw ``seen`` that a reply by ``agent_id`` should not ignore; None when nothing
    did (then the reply goes without asking)."""
    customer_messages = 0
    colleagues: list[str] = []
    for message in now:
        if message.uid in seen or message.is_internal:
            continue
        if message.direction == "in":
            customer_messages += 1
        elif message.author_agent_id != agent_id:
            name = message.author_name

            if name not in colleagues:
                colleagues.append(name)
    if not customer_messages and not colleagues:
        return None
    return Collision(customer_messages, tuple(colleagues))
