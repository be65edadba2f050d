"""The ops of ``POST /ops``: each kind's payload, the batch, and the answer per op."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from agent_console.domain import limits
from agent_console.server.schema_base import (
    ChannelName,
    Identifier,
    Language,
    Login,
    MAX_BATCH,
    Open,
    PriorityName,
    QueueName,
    StateName,
    StatusName,
    Str200,
    Strict,
    Text,
    Uid,
)


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
    mailed: bool = Field(default=False, description="The console that wrote this reply, working alone then, has "
                         "mailed it already: the server does not queue it again")


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
    wrap_up_code: Annotated[str, StringConstraints(max_length=limits.QUEUE_MAX), Identifier] | None = None


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
    #: Shown on the public help center; absent (an older console): unchanged.
    public: bool | None = None
    queue: Annotated[str, StringConstraints(max_length=64), Identifier] | None = None


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


class CtiEventPayload(Strict):
    """A call event an offline console recorded (``agent-console cti event``), in the generic CTI format, with the
    time it arrived there."""

    event: Literal["newCall", "answer", "hangup"]
    callId: Annotated[str, StringConstraints(min_length=1, max_length=200), Identifier]
    direction: Literal["in", "out"] = "in"
    from_: Annotated[str, StringConstraints(max_length=64), Identifier] = Field(default="", alias="from")
    to: Annotated[str, StringConstraints(max_length=64), Identifier] = ""
    user: Annotated[list[Annotated[str, StringConstraints(max_length=64), Identifier]], Field(max_length=50)] = []
    queue: Annotated[str, StringConstraints(max_length=64), Identifier] | None = None
    cause: Annotated[str, StringConstraints(max_length=24), Identifier] | None = None
    answeringNumber: Annotated[str, StringConstraints(max_length=64), Identifier] | None = None
    at: AwareDatetime | None = None


class CtiCalledBackPayload(Strict):
    callId: Annotated[str, StringConstraints(min_length=1, max_length=200), Identifier]
    at: AwareDatetime | None = None


class CtiLinkPayload(Strict):
    """The call ``callId`` belongs to the case ``case_uid`` (a case created for it)."""

    callId: Annotated[str, StringConstraints(min_length=1, max_length=200), Identifier]
    case_uid: Uid


class CaseMergePayload(Strict):
    source_uid: Uid
    target_uid: Uid
    across_customers: bool = False


class CaseLinkPayload(Strict):
    case_uid: Uid
    other_uid: Uid
    link_kind: Literal["related", "duplicate", "parent"] = "related"


class CaseUnlinkPayload(Strict):
    case_uid: Uid
    other_uid: Uid


class CaseSplitPayload(Strict):
    case_uid: Uid
    new_case_uid: Uid
    message_uids: list[Uid] = Field(min_length=1, max_length=1000)


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
    "cti.event": CtiEventPayload,
    "cti.called_back": CtiCalledBackPayload,
    "cti.link": CtiLinkPayload,
    "case.merge": CaseMergePayload,
    "case.link": CaseLinkPayload,
    "case.unlink": CaseUnlinkPayload,
    "case.split": CaseSplitPayload,
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
