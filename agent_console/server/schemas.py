"""Every request and response body of the API. Requests refuse unknown fields (``extra='forbid'``).

The field types and base models are in :mod:`server.schema_base`, the ops of ``POST /ops`` in :mod:`server.op_schemas`;
both are named here too, so ``schemas.X`` is every body of the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from agent_console.domain import limits
from agent_console.server.op_schemas import (  # noqa: F401 - part of this module's names
    AgentStatePayload,
    ArticleFields,
    AssignPayload,
    CannedFields,
    CannedUpsertPayload,
    CaseChanges,
    CaseCreatePayload,
    CaseFields,
    CaseLinkPayload,
    CaseMergePayload,
    CaseRef,
    CaseSplitPayload,
    CaseUnlinkPayload,
    CaseUpdatePayload,
    ClaimPayload,
    CustomerFields,
    EscalationFields,
    EscalationPayload,
    FollowUpDonePayload,
    FollowUpFields,
    HandlingCorrectPayload,
    KbLinkPayload,
    KbUpsertPayload,
    MessageAddPayload,
    MessageFields,
    Op,
    OP_MODELS,
    OP_PAYLOADS,
    OpResult,
    OpsBatch,
    OpsResponse,
    SegmentFields,
    SegmentPayload,
    SurveyFields,
    SurveyPayload,
    UidPayload,
)
from agent_console.server.schema_base import (  # noqa: F401 - part of this module's names
    ChannelName,
    Checked,
    EARLIEST,
    Error,
    Identifier,
    Language,
    LATEST,
    Login,
    MAX_BATCH,
    NewLogin,
    Open,
    PriorityName,
    QueueName,
    RoleName,
    StateName,
    StatusName,
    Str200,
    Strict,
    Text,
    Uid,
)


# --- auth ---------------------------------------------------------------------------------------------------------


class LoginRequest(Strict):
    login: Login
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class AgentInfo(BaseModel):
    login: str
    name: str
    role: str
    tier: int
    queues: list[str] = []


class PasswordChange(Strict):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    new_password: Annotated[str, StringConstraints(min_length=1, max_length=1024)] = Field(
        description="At least 10 characters, not a common password, not containing the login")


class LoginResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime | None
    agent: AgentInfo


class Message_(BaseModel):
    detail: str


# --- cases --------------------------------------------------------------------------------------------------------


class IntakeRequest(Strict):
    """A new case from an integration (mail gateway, phone system, web form)."""

    customer: Annotated[str, StringConstraints(min_length=3, max_length=limits.EMAIL_MAX), Identifier] = Field(
        description="The customer's e-mail address or phone number; found or created")
    customer_name: Str200 | None = None
    channel: ChannelName
    queue: QueueName
    subject: Annotated[str, StringConstraints(min_length=1, max_length=limits.SUBJECT_MAX)]
    body: Text
    priority: PriorityName = "normal"
    language: Language | None = None
    external_id: Annotated[str, StringConstraints(min_length=1, max_length=limits.EXTERNAL_ID_MAX),
                           Identifier] | None = Field(
        default=None, description="The integration's own id: sending it again returns the existing case")


class IntakeResponse(BaseModel):
    key: str
    uid: str
    customer_uid: str
    created: bool


class CaseSummary(BaseModel):
    uid: str
    key: str
    subject: str
    status: str
    priority: str
    channel: str
    queue: str
    tier: int
    assignee_login: str | None
    customer_uid: str
    customer_name: str
    created_at: datetime
    updated_at: datetime | None
    sla_due_at: datetime | None
    version: int


class CaseList(BaseModel):
    cases: list[CaseSummary]
    total: int


class MessageOut(BaseModel):
    uid: str
    direction: str
    channel: str
    author_login: str | None
    author_name: str
    body: str
    is_internal: bool
    created_at: datetime


class CaseDetail(BaseModel):
    case: dict[str, Any] = Field(description="The case as in the change feed")
    customer: dict[str, Any]
    messages: list[MessageOut]


# --- feed, monitor, admin -----------------------------------------------------------------------------------------


class Change(BaseModel):
    seq: int
    entity: str
    uid: str
    at: datetime
    data: dict[str, Any]


class ChangesPage(BaseModel):
    changes: list[Change]
    next_cursor: int
    has_more: bool


class GroupFigures(BaseModel):
    """One queue, channel or the whole floor (definitions in agent_console/domain/monitor.py)."""

    kind: str
    name: str
    open_cases: int
    waiting: int = Field(description="Open, unassigned and not pending on the customer")
    longest_wait_s: float | None
    at_risk: int
    breached: int
    escalations: int
    created_today: int
    answered_in_target: int
    service_level_counted: int
    service_level: float | None
    service_level_goal: float
    resolved_today: int
    handled_today: int
    aht_s: float | None
    fcr: float | None
    csat: float | None
    surveys_today: int
    callers_waiting: int = Field(0, description="Inbound calls ringing now (from the telephone system's events)")
    longest_call_wait_s: float | None = None
    calls_offered: int = Field(0, description="Today's inbound calls answered, abandoned or waiting past target")
    calls_answered_in_target: int = 0
    calls_abandoned: int = 0
    phone_service_level: float | None = Field(None, description="calls_answered_in_target / calls_offered")
    asa_s: float | None = Field(None, description="Average speed of answer of today's answered calls")
    abandonment_rate: float | None = None
    level: str = Field(description="ok | warn | alert: the worst of this group's tiles")


class AgentFigures(BaseModel):
    login: str
    name: str
    role: str
    state: str
    state_since: datetime | None
    time_in_state_s: float | None
    current_case_key: str | None
    current_activity: str | None
    handled_today: int
    aht_s: float | None


class DueItem(BaseModel):
    kind: str
    case_key: str
    agent_login: str | None
    due_at: datetime
    remaining_s: float
    note: str


class Monitor(BaseModel):
    taken_at: datetime
    day_start: datetime = Field(description="Where 'today' starts (midnight in the requested zone), in UTC")
    floor: GroupFigures
    queues: list[GroupFigures]
    channels: list[GroupFigures]
    agents: list[AgentFigures]
    agents_by_state: dict[str, int]
    due: list[DueItem]
    due_total: int
    overdue_total: int


class AgentCreate(Strict):
    login: NewLogin
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    role: RoleName = "agent"
    tier: Annotated[int, Field(ge=1, le=3)] = 1
    queues: list[QueueName] = []
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)] = Field(
        description="At least 10 characters, not a common password, not containing the login")
    update: bool = Field(default=False, description="Change the existing account with this login (its password is "
                                                    "replaced and its tokens revoked); without it, 409")


class AgentOut(AgentInfo):
    state: str
    active: bool


class CaseSearchHit(BaseModel):
    key: str
    subject: str
    status: str
    queue: str
    channel: str
    priority: str
    customer: str
    assignee: str | None
    created_at: datetime | None
    sla_state: str = Field(description="ok, at_risk, breached, paused or none (the one SLA rule)")
    sla_remaining_s: float | None
    sla_target: str | None
    matched_in: str = Field(description="message, note, subject, customer or key")
    snippet: str = Field(description="Plain text from the original (never markup)")
    highlights: list[list[int]] = Field(description="[start, end) character ranges of matched words in the snippet")
    subject_highlights: list[list[int]]
    score: float


class CaseSearchResults(BaseModel):
    query: str
    mode: str = Field(description="exact (every word), typo (near words), any (some words) or empty (no words)")
    corrections: dict[str, list[str]]
    results: list[CaseSearchHit]
