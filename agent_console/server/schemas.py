"""Every request and response body of the API. Requests refuse unknown fields (``extra='forbid'``)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import (AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator,
                      model_validator)

from agent_console.domain import limits
from agent_console.domain import text as text_rules
from agent_console.store.models import AgentState, CaseStatus, Channel, Priority, Role

MAX_BATCH = 500


# Identifiers and enumerations are refused (422 naming the field) when they hold control characters, by the same
# rules as every other way in (agent_console/domain/text.py); free text (subjects, bodies, names, reasons) is
# cleaned by the domain services instead.
def _text_rule(check) -> AfterValidator:
    def validate(value: str) -> str:
        try:
            return check(value)
        except text_rules.UnsafeText as exc:
            raise ValueError(exc.reason) from None

    return AfterValidator(validate)


Identifier = _text_rule(lambda value: text_rules.check_identifier(value, "value"))
Str200 = Annotated[str, StringConstraints(max_length=limits.NAME_MAX)]
Text = Annotated[str, StringConstraints(max_length=limits.TEXT_MAX)]
Login = Annotated[str, StringConstraints(min_length=1, max_length=limits.LOGIN_MAX), Identifier]
NewLogin = Annotated[str, StringConstraints(min_length=1, max_length=limits.LOGIN_MAX), _text_rule(text_rules.check_login)]
QueueName = Annotated[str, StringConstraints(min_length=1, max_length=limits.QUEUE_MAX), Identifier]
Uid = Annotated[str, StringConstraints(min_length=1, max_length=64), Identifier]
Language = Annotated[str, StringConstraints(max_length=8),
                     _text_rule(lambda value: value and text_rules.check_language(value))]  # "" = not given
ChannelName = Literal[tuple(c.value for c in Channel)]  # type: ignore[valid-type]
PriorityName = Literal[tuple(p.value for p in Priority)]  # type: ignore[valid-type]
StatusName = Literal[tuple(s.value for s in CaseStatus)]  # type: ignore[valid-type]
RoleName = Literal[tuple(r.value for r in Role)]  # type: ignore[valid-type]
StateName = Literal[tuple(s.value for s in AgentState)]  # type: ignore[valid-type]


EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)


def _check_value(value):
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    if isinstance(value, datetime):
        try:
            value = value.astimezone(timezone.utc)
        except OverflowError:
            raise ValueError("the time is out of range") from None
        if not EARLIEST <= value < LATEST:
            raise ValueError("the time must be between the years 2000 and 2200")
    if isinstance(value, list):
        for item in value:
            _check_value(item)
    return value


def _json_kind(annotation) -> str | None:
    """"number", "boolean" or "time" for fields of those types (also optional or constrained ones), else None."""
    from typing import get_args, get_origin

    if annotation is bool:
        return "boolean"
    if annotation in (int, float):
        return "number"
    if annotation is AwareDatetime or (isinstance(annotation, type) and issubclass(annotation, datetime)):
        return "time"
    if get_origin(annotation) is Annotated:
        return _json_kind(get_args(annotation)[0])
    kinds = {_json_kind(a) for a in get_args(annotation) if a is not type(None)}
    return kinds.pop() if len(kinds) == 1 else None


#: What each kind of field takes from JSON: pydantic would also convert ``true`` or ``"5"`` to a number, ``1`` to a
#: boolean and a number to a time; the API takes each as its own JSON type only, as the schema says.
_JSON_TYPES = {"number": (int, float), "boolean": (bool,), "time": (str, datetime)}


class Checked(BaseModel):
    """Refuses what the databases cannot store: NUL characters, times outside 2000–2200 (always kept in UTC); and
    numbers, booleans and times only as the JSON types the schema gives them (see ``_JSON_TYPES``)."""

    @model_validator(mode="before")
    @classmethod
    def _json_types(cls, data):
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                value = data.get(name)
                kind = _json_kind(field.annotation) if value is not None else None
                if kind is not None and (not isinstance(value, _JSON_TYPES[kind])
                                         or (kind == "number" and isinstance(value, bool))):
                    raise ValueError(f"{name} must be a {kind}")
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value):
        value = _check_value(value)
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc)
        return value


class Strict(Checked):
    model_config = ConfigDict(extra="forbid")


class Open(Checked):
    """Payload parts a console sends for information: extra fields are ignored, not an error."""

    model_config = ConfigDict(extra="ignore")


class Error(BaseModel):
    detail: Any = Field(description="What was wrong: a message, or for validation errors a list of problems")


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


# --- ops ----------------------------------------------------------------------------------------------------------


class CaseFields(Open):
    uid: Uid
    subject: Annotated[str, StringConstraints(min_length=1, max_length=limits.SUBJECT_MAX)]
    channel: ChannelName
    queue: QueueName
    priority: PriorityName = "normal"
    language: Language | None = None
    external_id: Annotated[str, StringConstraints(max_length=limits.EXTERNAL_ID_MAX), Identifier] | None = None
    created_at: AwareDatetime | None = None


class CustomerFields(Open):
    uid: Uid
    name: Str200 | None = None
    email: Annotated[str, StringConstraints(max_length=limits.EMAIL_MAX), Identifier] | None = None
    phone: Annotated[str, StringConstraints(max_length=limits.PHONE_MAX), Identifier] | None = None
    language: Language | None = None


class MessageFields(Open):
    uid: Uid
    case_uid: Uid
    direction: Literal["in", "out"]
    channel: ChannelName | None = None
    body: Text
    is_internal: bool = False
    created_at: AwareDatetime | None = None


class CaseCreatePayload(Strict):
    case: CaseFields
    customer: CustomerFields
    message: MessageFields


class MessageAddPayload(Strict):
    message: MessageFields


class CaseRef(Strict):
    case_uid: Uid
    base_version: int | None = None


class ClaimPayload(Strict):
    case_uid: Uid
    agent_login: Login | None = Field(default=None, description="Must be the caller's login when given")
    base_version: int | None = None


class AssignPayload(Strict):
    case_uid: Uid
    agent_login: Login


class CaseChanges(Strict):
    status: StatusName | None = None
    priority: PriorityName | None = None
    queue: QueueName | None = None
    channel: ChannelName | None = None


class CaseUpdatePayload(Strict):
    case_uid: Uid
    base_version: int = Field(description="The case version the client last saw from the server")
    changes: CaseChanges


class FollowUpFields(Strict):
    uid: Uid
    due_at: AwareDatetime
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


class EscalationFields(Strict):
    uid: Uid
    case_uid: Uid
    kind: Literal["manual", "deescalation"] = "manual"
    to_tier: Annotated[int, Field(ge=1, le=3)]
    to_queue: QueueName | None = None
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    created_at: AwareDatetime | None = None


class EscalationPayload(Strict):
    escalation: EscalationFields
    follow_up: FollowUpFields | None = None


class SegmentFields(Strict):
    uid: Uid
    case_uid: Uid
    kind: Literal["handle", "wrap_up"] = "handle"
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    heartbeat_at: AwareDatetime | None = None
    end_reason: Annotated[str, StringConstraints(max_length=32), Identifier] | None = None
    wrap_up_code: Annotated[str, StringConstraints(max_length=64), Identifier] | None = None


class SegmentPayload(Strict):
    segment: SegmentFields


class AgentStatePayload(Strict):
    state: StateName
    reason: Annotated[str, StringConstraints(max_length=200)] = ""
    at: AwareDatetime | None = None


class SurveyFields(Strict):
    uid: Uid
    case_uid: Uid
    csat: Annotated[int, Field(ge=1, le=5)] | None = None
    nps: Annotated[int, Field(ge=0, le=10)] | None = None
    ces: Annotated[int, Field(ge=1, le=7)] | None = None
    created_at: AwareDatetime | None = None


class SurveyPayload(Strict):
    survey: SurveyFields


class FollowUpDonePayload(Strict):
    follow_up_uid: Uid
    done_at: AwareDatetime | None = None
    note: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        default=None, description="What the agent noted on checking back; omitted keeps the follow-up's note")


class HandlingCorrectPayload(Strict):
    uid: Uid
    case_uid: Uid
    segment_kind: Literal["handle", "wrap_up"] = "handle"
    delta_seconds: Annotated[float, Field(ge=-86_400 * 30, le=86_400 * 30)]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    agent_login: Login | None = None
    supervisor_login: Login | None = Field(default=None, description="Informational; the caller is the supervisor")
    created_at: AwareDatetime | None = None


class ArticleFields(Open):
    uid: Uid
    slug: Annotated[str, StringConstraints(min_length=1, max_length=limits.SLUG_MAX), Identifier]
    title: Annotated[str, StringConstraints(min_length=1, max_length=limits.ARTICLE_TITLE_MAX)]
    body: Text
    tags: Annotated[str, StringConstraints(max_length=limits.TAGS_MAX), Identifier] = ""
    language: Language = "en"


class KbUpsertPayload(Strict):
    article: ArticleFields


class UidPayload(Strict):
    uid: Uid


class KbLinkPayload(Strict):
    uid: Uid
    case_uid: Uid
    article_uid: Uid


class CannedFields(Open):
    uid: Uid
    title: Annotated[str, StringConstraints(min_length=1, max_length=limits.CANNED_TITLE_MAX)]
    shortcut: Annotated[str, StringConstraints(min_length=1, max_length=limits.SHORTCUT_MAX), Identifier]
    category: Annotated[str, StringConstraints(max_length=limits.CATEGORY_MAX), Identifier] = ""
    language: Language = "en"
    body: Text


class CannedUpsertPayload(Strict):
    canned: CannedFields


def _op(kind: str, payload_type):
    return type(
        "Op_" + kind.replace(".", "_"),
        (Strict,),
        {"__annotations__": {"op_id": UUID, "kind": Literal[kind], "payload": payload_type}},
    )


OP_PAYLOADS = {
    "case.create": CaseCreatePayload,
    "message.add": MessageAddPayload,
    "case.update": CaseUpdatePayload,
    "case.claim": ClaimPayload,
    "case.release": CaseRef,
    "case.assign": AssignPayload,
    "escalation.create": EscalationPayload,
    "segment.upsert": SegmentPayload,
    "agent.state": AgentStatePayload,
    "survey.add": SurveyPayload,
    "follow_up.done": FollowUpDonePayload,
    "handling.correct": HandlingCorrectPayload,
    "kb.upsert": KbUpsertPayload,
    "kb.delete": UidPayload,
    "kb.helpful": UidPayload,
    "kb.link": KbLinkPayload,
    "canned.upsert": CannedUpsertPayload,
    "canned.delete": UidPayload,
}
OP_MODELS = tuple(_op(kind, payload) for kind, payload in OP_PAYLOADS.items())
Op = Annotated[Union[OP_MODELS], Field(discriminator="kind")]  # type: ignore[valid-type]


class OpsBatch(Strict):
    ops: Annotated[list[Op], Field(min_length=1, max_length=MAX_BATCH)]  # type: ignore[valid-type]


class OpResult(BaseModel):
    op_id: str
    status: Literal["applied", "duplicate", "conflict", "rejected"]
    result: dict[str, Any] | None = Field(default=None, description="What the op produced (uids, key, version)")
    current: dict[str, Any] | None = Field(default=None, description="The entity's server state, on a conflict")
    reason: str | None = None
    original_status: str | None = Field(default=None, description="For a duplicate: the first answer's status")
    same_op: bool | None = Field(default=None, description="For a duplicate: false when this author's op id was used "
                                                           "before for a different op (which was not applied)")


class OpsResponse(BaseModel):
    results: list[OpResult]
    cursor: int = Field(description="The change feed's newest sequence number after this batch")


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
