"""The model's vocabularies (roles, states, channels, priorities, statuses …) and the column helpers the tables use:
plain values that need no table (``store/models.py`` re-exports them)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Integer
from sqlmodel import Field

from agent_console.store.types import UTCDateTime


def new_uid() -> str:
    return str(uuid.uuid4())


#: Keys of tables that grow with traffic: 64-bit on PostgreSQL (migration 0012). SQLite's INTEGER is 64-bit already,
#: and an INTEGER PRIMARY KEY must stay spelt INTEGER there to remain the rowid (autoincrement).
BigKey = BigInteger().with_variant(Integer(), "sqlite")


def _ts(nullable: bool = True, index: bool = False):
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _ts_required():
    return Field(sa_column=Column(UTCDateTime(), nullable=False))


# --- vocabularies -------------------------------------------------------------------------------------------------


class Role(StrEnum):
    agent = "agent"
    supervisor = "supervisor"
    admin = "admin"


class AgentState(StrEnum):
    available = "available"
    handling = "handling"
    wrap_up = "wrap_up"
    break_ = "break"
    offline = "offline"


class Channel(StrEnum):
    phone = "phone"
    email = "email"
    chat = "chat"
    social = "social"
    messenger = "messenger"
    web = "web"
    onsite = "onsite"


class Priority(StrEnum):
    urgent = "urgent"
    high = "high"
    normal = "normal"
    low = "low"


PRIORITY_RANK = {Priority.urgent: 0, Priority.high: 1, Priority.normal: 2, Priority.low: 3}


class CaseStatus(StrEnum):
    new = "new"
    open = "open"
    pending = "pending"
    escalated = "escalated"
    resolved = "resolved"
    closed = "closed"


OPEN_STATUSES = (CaseStatus.new, CaseStatus.open, CaseStatus.pending, CaseStatus.escalated)


class Direction(StrEnum):
    inbound = "in"
    outbound = "out"


class SegmentKind(StrEnum):
    handle = "handle"
    wrap_up = "wrap_up"


from agent_console.store.policy_lookup import SlaTarget  # noqa: E402,F401  (defined without the ORM)


class SlaEventKind(StrEnum):
    started = "started"
    paused = "paused"
    resumed = "resumed"
    met = "met"
    breached = "breached"


QUEUES = ("Billing", "Delivery", "Technical", "Complaints", "General")
LANGUAGES = ("de", "en")
