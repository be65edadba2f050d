"""The data model of ../shared/ARCHITECTURE.md.

Every table has an integer primary key for local joins and, where the row is shared with the team's server, a
``uid`` (UUID text) that is the same on every replica. Timestamps are UTC (see ``UTCDateTime``).
The vocabularies are in ``model_values.py``, the sync and sign-in tables in ``models_sync.py``, the e-mail tables
in ``models_mail.py``; all are re-exported here, so ``store.models`` stays the one name to import the model from.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from agent_console.store.model_values import (  # noqa: F401  (part of this module's API)
    new_uid,
    BigKey,
    _ts,
    _ts_required,
    Role,
    AgentState,
    Channel,
    Priority,
    PRIORITY_RANK,
    CaseStatus,
    OPEN_STATUSES,
    Direction,
    SegmentKind,
    SlaEventKind,
    SlaTarget,
    QUEUES,
    LANGUAGES,
)
from agent_console.store.models_sync import (  # noqa: F401  (part of this module's API)
    AuditEvent,
    OutboxOp,
    SyncState,
    ChangeLogEntry,
    AppliedOp,
    LoginFailure,
    AuthToken,
)
from agent_console.store.models_mail import (  # noqa: F401  (part of this module's API)
    MailReceipt,
    MessageAttachment,
    MailOutbox,
)
from agent_console.store.models_calls import Call  # noqa: F401  (part of this module's API)
from agent_console.store.models_help import (  # noqa: F401  (part of this module's API)
    HelpContact,
    HelpFeedback,
    HelpSearch,
    SurveyToken,
)


# --- the floor ----------------------------------------------------------------------------------------------------


class Queue(SQLModel, table=True):
    """A queue agents work. Once a store has queue records, cases and agents may only name queues that exist
    (``agent-console queues add``); a store without any keeps accepting every name, as before queues were records."""

    __tablename__ = "queues"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True)
    name: str = Field(unique=True, max_length=64)
    description: str = Field(default="", sa_column_kwargs={"server_default": ""})
    created_at: datetime | None = _ts()


# --- people -------------------------------------------------------------------------------------------------------


class Agent(SQLModel, table=True):
    __tablename__ = "agents"
    __table_args__ = (Index("ix_agents_extension", "extension", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True)
    login: str = Field(unique=True, max_length=64)
    name: str = Field(max_length=200)
    role: str = Field(default=Role.agent, max_length=16)
    tier: int = Field(default=1)
    #: Comma-separated queue names the agent works; empty means every queue.
    queues: str = Field(default="", sa_column_kwargs={"server_default": ""})
    #: Comma-separated skills / languages (e.g. "de,en,returns").
    skills: str = Field(default="", sa_column_kwargs={"server_default": ""})
    state: str = Field(default=AgentState.offline, max_length=16)
    state_since: datetime | None = _ts()
    active: bool = Field(default=True)
    #: argon2 hash; only set on the server.
    password_hash: str | None = Field(default=None)
    #: The agent's telephone extension: call events name it in ``user[]`` (unique).
    extension: str | None = Field(default=None, max_length=32)
    created_at: datetime | None = _ts()
    version: int = Field(default=1)

    def queue_list(self) -> list[str]:
        return [q.strip() for q in self.queues.split(",") if q.strip()]


class AgentStateChange(SQLModel, table=True):
    """State history: one row per period in a state; the open one has no ``ended_at``."""

    __tablename__ = "agent_state_changes"
    __table_args__ = (Index("ix_agent_state_changes_agent_started", "agent_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    agent_id: int = Field(foreign_key="agents.id")
    state: str = Field(max_length=16)
    reason: str = Field(default="")
    started_at: datetime = _ts_required()
    ended_at: datetime | None = _ts()


class Customer(SQLModel, table=True):
    __tablename__ = "customers"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320, index=True)
    phone: str | None = Field(default=None, max_length=40, index=True)
    language: str = Field(default="en", max_length=8)
    vip: bool = Field(default=False)
    created_at: datetime | None = _ts()
    version: int = Field(default=1)


# --- cases --------------------------------------------------------------------------------------------------------


_OPEN = "is_open = 1"
_OPEN_PG = text("is_open")


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        # The queue screen and the monitor only ever look at open cases: partial indexes keep them small.
        Index("ix_cases_open_due", "sla_due_at", sqlite_where=text(_OPEN), postgresql_where=_OPEN_PG),
        Index("ix_cases_open_queue_due", "queue", "sla_due_at", sqlite_where=text(_OPEN), postgresql_where=_OPEN_PG),
        Index("ix_cases_open_assignee_due", "assignee_id", "sla_due_at", sqlite_where=text(_OPEN),
              postgresql_where=_OPEN_PG),
        Index("ix_cases_open_channel_due", "channel", "sla_due_at", sqlite_where=text(_OPEN),
              postgresql_where=_OPEN_PG),
        Index("ix_cases_open_tier_due", "tier", "sla_due_at", sqlite_where=text(_OPEN), postgresql_where=_OPEN_PG),
        Index("ix_cases_customer_created", "customer_id", "created_at"),
        Index("ix_cases_queue_status", "queue", "status"),
        Index("ix_cases_resolved_at", "resolved_at"),
        Index("ix_cases_created_at", "created_at"),
        # Covering indexes of the live monitor's refresh (migration 0005): its queries read no table rows.
        Index("ix_cases_open_monitor", "queue", "channel", "priority", "status", "assignee_id", "sla_due_at",
              "created_at", "first_response_at", "next_update_due", "escalation_level",
              sqlite_where=text(_OPEN), postgresql_where=_OPEN_PG),
        Index("ix_cases_waiting", "queue", "channel", "created_at",
              sqlite_where=text(_OPEN + " AND assignee_id IS NULL AND status != 'pending'"),
              postgresql_where=text("is_open AND assignee_id IS NULL AND status != 'pending'")),
        Index("ix_cases_open_escalated_due", "sla_due_at", sqlite_where=text(_OPEN + " AND escalation_level > 0"),
              postgresql_where=text("is_open AND escalation_level > 0")),
        Index("ix_cases_created_monitor", "created_at", "queue", "channel", "first_response_at",
              "first_response_due"),
        Index("ix_cases_resolved_monitor", "resolved_at", "queue", "channel", "assignee_id", "contact_count",
              "reopened_count"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    #: The public key agents quote to customers, e.g. "AC-000042".
    key: str = Field(unique=True, max_length=32)
    external_id: str | None = Field(default=None, unique=True, max_length=200)
    subject: str = Field(max_length=500)
    customer_id: int = Field(foreign_key="customers.id", sa_type=BigKey)
    channel: str = Field(max_length=16)
    queue: str = Field(max_length=64)
    priority: str = Field(default=Priority.normal, max_length=16)
    status: str = Field(default=CaseStatus.new, max_length=16)
    is_open: bool = Field(default=True)
    tier: int = Field(default=1)
    assignee_id: int | None = Field(default=None, foreign_key="agents.id")
    language: str = Field(default="en", max_length=8)
    tags: str = Field(default="", sa_column_kwargs={"server_default": ""})
    contact_count: int = Field(default=1)
    created_at: datetime = _ts_required()
    updated_at: datetime | None = _ts()
    first_response_at: datetime | None = _ts()
    last_inbound_at: datetime | None = _ts()
    resolved_at: datetime | None = _ts()
    closed_at: datetime | None = _ts()
    reopened_count: int = Field(default=0)
    last_reopened_at: datetime | None = _ts()
    #: SLA due times; ``sla_due_at`` is the earliest target still running (the queue's urgency order).
    first_response_due: datetime | None = _ts()
    next_update_due: datetime | None = _ts()
    resolution_due: datetime | None = _ts()
    sla_due_at: datetime | None = _ts()
    #: Set while the resolution clock is paused (pending on the customer).
    sla_paused_at: datetime | None = _ts()
    sla_paused_seconds: float = Field(default=0.0)
    sla_breached: bool = Field(default=False)
    escalation_level: int = Field(default=0)
    wrap_up_code: str | None = Field(default=None)
    #: Set when the case was merged into another: it is closed and everything of it is on that case now.
    merged_into_id: int | None = Field(default=None, foreign_key="cases.id", sa_type=BigKey)
    #: The help-center articles the customer read before sending the contact form that made this case: a JSON list
    #: of ``{"slug", "title"}``, oldest first (None when none; see domain/help_contact.py).
    help_articles: str | None = Field(default=None)
    version: int = Field(default=1)


class CaseLink(SQLModel, table=True):
    """Two cases that belong together: ``related`` and ``duplicate`` either way round, ``parent`` (``case`` is the
    parent of ``other``). One link per pair of cases."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "other_id"), Index("ix_case_links_other", "other_id"))

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    case_id: int = Field(foreign_key="cases.id", sa_type=BigKey)
    other_id: int = Field(foreign_key="cases.id", sa_type=BigKey)
    #: related | duplicate | parent
    kind: str = Field(default="related", max_length=16)
    created_by_id: int | None = Field(default=None, foreign_key="agents.id")
    created_at: datetime = _ts_required()


class Message(SQLModel, table=True):
    """Append-only: a message is never edited or deleted."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_case_created", "case_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    case_id: int = Field(foreign_key="cases.id", sa_type=BigKey)
    direction: str = Field(max_length=4)
    channel: str = Field(max_length=16)
    author_agent_id: int | None = Field(default=None, foreign_key="agents.id")
    author_name: str = Field(default="", max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    is_internal: bool = Field(default=False)
    created_at: datetime = _ts_required()
    #: The RFC 5322 Message-ID of the mail this message came in as or went out as (e-mail channel only).
    mail_message_id: str | None = Field(default=None, max_length=998, index=True)


class HandlingSegment(SQLModel, table=True):
    """A stretch of time an agent spent on a case: the source of AHT."""

    __tablename__ = "handling_segments"
    __table_args__ = (
        Index("ix_handling_case", "case_id"),
        Index("ix_handling_agent_started", "agent_id", "started_at"),
        Index("ix_handling_open", "agent_id", sqlite_where=text("ended_at IS NULL"),
              postgresql_where=text("ended_at IS NULL")),
        Index("ix_handling_case_times", "case_id", "agent_id", "started_at", "ended_at", "heartbeat_at"),
        Index("ix_handling_started", "started_at", "kind", "case_id", "agent_id", "ended_at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    case_id: int = Field(foreign_key="cases.id", sa_type=BigKey)
    agent_id: int = Field(foreign_key="agents.id")
    kind: str = Field(default=SegmentKind.handle, max_length=16)
    started_at: datetime = _ts_required()
    ended_at: datetime | None = _ts()
    heartbeat_at: datetime | None = _ts()
    #: Why the segment ended: switch, idle, break, quit, resolved, wrap_up_code, timeout, crash_recovered …
    end_reason: str | None = Field(default=None, max_length=32)
    wrap_up_code: str | None = Field(default=None)


class HandlingCorrection(SQLModel, table=True):
    """A supervisor's audited correction of a case's handling time (never a silent overwrite)."""

    __tablename__ = "handling_corrections"
    __table_args__ = (Index("ix_handling_corrections_created", "created_at", "case_id", "agent_id", "delta_seconds"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    case_id: int = Field(foreign_key="cases.id", sa_type=BigKey, index=True)
    agent_id: int | None = Field(default=None, foreign_key="agents.id")
    kind: str = Field(default=SegmentKind.handle, max_length=16)
    delta_seconds: float
    reason: str
    corrected_by_id: int = Field(foreign_key="agents.id")
    created_at: datetime = _ts_required()


class SlaEvent(SQLModel, table=True):
    """Append-only SLA history of a case: started, paused, resumed, met, breached."""

    __tablename__ = "sla_events"
    __table_args__ = (
        Index("ix_sla_events_case", "case_id", "at"),
        # Reports find events (first resolutions) by time range: migration 0006.
        Index("ix_sla_events_at", "at", "target", "event"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    case_id: int = Field(foreign_key="cases.id", sa_type=BigKey)
    target: str = Field(max_length=24)
    event: str = Field(max_length=16)
    at: datetime = _ts_required()
    due_at: datetime | None = _ts()
    detail: str = Field(default="")


class Escalation(SQLModel, table=True):
    __tablename__ = "escalations"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    case_id: int = Field(foreign_key="cases.id", sa_type=BigKey, index=True)
    #: manual | automatic | deescalation
    kind: str = Field(default="manual", max_length=16)
    from_tier: int
    to_tier: int
    from_queue: str
    to_queue: str
    from_agent_id: int | None = Field(default=None, foreign_key="agents.id")
    to_agent_id: int | None = Field(default=None, foreign_key="agents.id")
    reason: str
    created_by_id: int | None = Field(default=None, foreign_key="agents.id")
    created_at: datetime = _ts_required()


class FollowUp(SQLModel, table=True):
    """A reminder for the agent who handed a case on: check with the customer that the problem was really solved."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        Index("ix_follow_ups_open_agent_due", "agent_id", "due_at", sqlite_where=text("done_at IS NULL"),
              postgresql_where=text("done_at IS NULL")),
        Index("ix_follow_ups_open_due", "due_at", sqlite_where=text("done_at IS NULL"),
              postgresql_where=text("done_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    case_id: int = Field(foreign_key="cases.id", sa_type=BigKey, index=True)
    agent_id: int = Field(foreign_key="agents.id")
    escalation_id: int | None = Field(default=None, foreign_key="escalations.id", sa_type=BigKey)
    due_at: datetime = _ts_required()
    done_at: datetime | None = _ts()
    note: str = Field(default="")
    created_at: datetime = _ts_required()


# --- knowledge ----------------------------------------------------------------------------------------------------


class CannedResponse(SQLModel, table=True):
    __tablename__ = "canned_responses"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True)
    title: str = Field(max_length=200)
    shortcut: str = Field(unique=True, max_length=64)
    category: str = Field(default="", max_length=64)
    language: str = Field(default="en", max_length=8)
    body: str = Field(sa_column=Column(Text, nullable=False))
    usage_count: int = Field(default=0)
    created_at: datetime | None = _ts()
    updated_at: datetime | None = _ts()
    version: int = Field(default=1)


class KBArticle(SQLModel, table=True):
    __tablename__ = "kb_articles"
    #: The help center's cache stamp (count, newest id, sum of versions, newest change) from the index alone.
    __table_args__ = (Index("ix_kb_articles_stamp", "version", "updated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True)
    #: Stable key for re-imports (file name or external id).
    slug: str = Field(unique=True, max_length=200)
    title: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    #: Comma-separated tags.
    tags: str = Field(default="")
    language: str = Field(default="en", max_length=8)
    helpful_votes: int = Field(default=0)
    created_at: datetime | None = _ts()
    updated_at: datetime | None = _ts()
    version: int = Field(default=1)
    #: Shown on the public help center (``/help``); internal articles (the default) only to agents.
    public: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    #: The queue a customer's contact goes to after reading this article (the contact form's routing).
    queue: str | None = Field(default=None, max_length=64)


class KBHelpfulVote(SQLModel, table=True):
    """One agent's "this helped" on an article: each agent counts once per article."""

    __tablename__ = "kb_helpful_votes"

    article_id: int = Field(foreign_key="kb_articles.id", primary_key=True)
    agent_id: int = Field(foreign_key="agents.id", primary_key=True)
    created_at: datetime = _ts_required()


class CaseArticleLink(SQLModel, table=True):
    __tablename__ = "case_article_links"
    __table_args__ = (UniqueConstraint("case_id", "article_id"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    case_id: int = Field(foreign_key="cases.id", sa_type=BigKey, index=True)
    article_id: int = Field(foreign_key="kb_articles.id")
    agent_id: int | None = Field(default=None, foreign_key="agents.id")
    created_at: datetime = _ts_required()


# --- policy, feedback, working state ------------------------------------------------------------------------------


class SlaPolicy(SQLModel, table=True):
    """Targets for a channel, optionally for one priority (a policy with priority NULL is the channel's default)."""

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("channel", "priority"),)

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True)
    channel: str = Field(max_length=16)
    priority: str | None = Field(default=None, max_length=16)
    first_response_s: int
    next_update_s: int | None = Field(default=None)
    resolution_s: int
    at_risk_fraction: float = Field(default=0.8)
    #: JSON: {"tz": "Europe/Berlin", "days": [0,1,2,3,4], "open": "08:00", "close": "18:00", "holidays": [...]};
    #: empty means around the clock.
    business_hours: str = Field(default="")
    #: Service-level goal for the monitor: share of first responses within target (e.g. 0.8 = 80 %).
    service_level_goal: float = Field(default=0.8)
    auto_escalate: bool = Field(default=True)
    version: int = Field(default=1)


class Survey(SQLModel, table=True):
    __tablename__ = "surveys"
    __table_args__ = (Index("ix_surveys_created_at", "created_at", "case_id", "csat"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    case_id: int = Field(foreign_key="cases.id", sa_type=BigKey, unique=True)
    csat: int | None = Field(default=None)
    nps: int | None = Field(default=None)
    ces: int | None = Field(default=None)
    created_at: datetime = _ts_required()


class Draft(SQLModel, table=True):
    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("case_id", "agent_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    case_id: int = Field(foreign_key="cases.id", sa_type=BigKey)
    agent_id: int = Field(foreign_key="agents.id")
    #: reply | note
    kind: str = Field(default="reply", max_length=8)
    body: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = _ts_required()
