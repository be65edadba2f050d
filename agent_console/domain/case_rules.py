"""What a new case is: its key, its defaults, its SLA due times and the SLA events that start its clocks.

One rule over plain values, called by every way a case comes into a store: ``CaseService.create_case`` (a screen,
the CLI, the server applying a console's op), the importer (a file of cases) and the demo seeder (which then plays
a history on top of the new case). Bulk callers add the row id; the ORM path leaves the id to the database.
"""

from __future__ import annotations

from datetime import datetime

from agent_console.domain import sla
from agent_console.store.models import OPEN_STATUSES

KEY_PREFIX = "AC-"


def format_key(number: int) -> str:
    """A case's key from its number (the id it gets): ``AC-000042``."""
    return f"{KEY_PREFIX}{number:06d}"


class SlaTimes:
    """The case fields the SLA functions read and write, as a plain object (no ORM row)."""

    __slots__ = ("channel", "created_at", "first_response_at", "first_response_due", "next_update_due",
                 "resolution_due", "sla_due_at", "sla_paused_at", "sla_paused_seconds", "is_open")

    def __init__(self, channel: str, created_at: datetime, is_open: bool) -> None:
        self.channel = channel
        self.created_at = created_at
        self.is_open = is_open
        self.first_response_at = None
        self.first_response_due = None
        self.next_update_due = None
        self.resolution_due = None
        self.sla_due_at = None
        self.sla_paused_at = None
        self.sla_paused_seconds = 0.0


def new_case_values(*, number: int, uid: str, subject: str, customer_id: int, channel: str, queue: str,
                    priority: str, language: str, created_at: datetime, now: datetime, policy,
                    status: str = "new", external_id: str | None = None, tier: int = 1, tags: str = "",
                    resolved_at: datetime | None = None) -> dict:
    """The column values of a new case (without ``id``).

    It arrives with its customer's first message (one contact, last inbound at creation), unassigned, on tier
    ``tier``; its first-response and resolution targets run from ``created_at`` by the channel's and priority's
    ``policy``. A case that arrives ``pending`` has its resolution clock paused from ``now``; one that arrives done
    (resolved or closed) keeps the ``resolved_at`` it was given and runs no target.
    """
    is_open = status in OPEN_STATUSES
    times = SlaTimes(channel, created_at, is_open)
    sla.compute_initial_due(times, policy)
    if status == "pending":
        times.sla_paused_at = now
        sla.update_sla_due(times)
    if is_open:
        resolved_at = None
    return {
        "uid": uid, "key": format_key(number), "external_id": external_id, "subject": subject,
        "customer_id": customer_id, "channel": channel, "queue": queue, "priority": priority, "status": status,
        "is_open": is_open, "tier": tier, "assignee_id": None, "language": language, "tags": tags,
        "contact_count": 1, "created_at": created_at, "updated_at": now, "first_response_at": None,
        "last_inbound_at": created_at, "resolved_at": resolved_at,
        "closed_at": resolved_at if status == "closed" else None, "reopened_count": 0, "last_reopened_at": None,
        "first_response_due": times.first_response_due, "next_update_due": None,
        "resolution_due": times.resolution_due, "sla_due_at": times.sla_due_at, "sla_paused_at": times.sla_paused_at,
        "sla_paused_seconds": 0.0, "sla_breached": False, "escalation_level": 0, "wrap_up_code": None, "version": 1,
    }


def started_sla_events(case: dict, detail: str = "") -> list[dict]:
    """The events that start a new case's clocks (first response, resolution), without ids and ``case_id``."""
    return [{"target": target, "event": "started", "at": case["created_at"], "due_at": case[due], "detail": detail}
            for target, due in (("first_response", "first_response_due"), ("resolution", "resolution_due"))]


def first_message_values(case: dict, author_name: str, body: str) -> dict:
    """The customer's message a new case arrives with (without ids)."""
    return {"direction": "in", "channel": case["channel"], "author_agent_id": None, "author_name": author_name,
            "body": body, "is_internal": False, "created_at": case["created_at"]}
