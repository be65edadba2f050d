"""Call events from the telephone system (the generic CTI push format: ``newCall``, ``answer``, ``hangup``), JSON or
form-encoded, from an integration's API token. See docs/phone.md."""

from __future__ import annotations

from urllib.parse import parse_qs

import orjson
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from agent_console.i18n import _
from agent_console.server import schemas
from agent_console.server.routes.deps import Caller, state

router = APIRouter(prefix="/api/v1/cti", tags=["phone"])


class CallEventAnswer(BaseModel):
    call_id: str
    call_uid: str
    applied: bool = Field(description="False when the call had this event already (nothing changed)")
    state: str = Field(description="ringing, talking, ended or missed")
    customer_uid: str | None = None
    case_key: str | None = None


_TEXT = {"type": ["string", "integer"]}
_OPTIONAL_TEXT = {"type": ["string", "integer", "null"]}
#: The generic CTI format, as the API reference shows it (the route reads the body itself: JSON or a form). An
#: optional field may be null or empty (left out).
CALL_EVENT_SCHEMA = {
    "type": "object",
    "required": ["event", "callId"],
    "properties": {
        "event": {"type": "string", "enum": ["newCall", "answer", "hangup"]},
        "callId": {**_TEXT, "minLength": 1, "maxLength": 200},
        "direction": {"type": ["string", "null"], "enum": ["in", "out", "", None]},
        "from": {**_OPTIONAL_TEXT, "maxLength": 64, "description": "anonymous (or empty) for a withheld number"},
        "to": {**_OPTIONAL_TEXT, "maxLength": 64},
        "user": {"anyOf": [{**_OPTIONAL_TEXT, "maxLength": 64},
                           {"type": "array", "items": {**_TEXT, "maxLength": 64}, "maxItems": 50}],
                 "description": "logins or extensions (one, or a list; in a form also user[]): whom it rings for "
                                "(newCall), who answered (answer)"},
        "queue": {**_OPTIONAL_TEXT, "maxLength": 64},
        "cause": {"type": ["string", "null"], "enum": ["normalClearing", "busy", "cancel", "noAnswer", "congestion",
                                                       "notFound", "forwarded", "", None]},
        "answeringNumber": {**_OPTIONAL_TEXT, "maxLength": 64},
    },
}


def _form_values(body: bytes) -> dict:
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=200)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, _("the form could not be read")) from None
    values: dict = {name: items if name in ("user", "user[]") else items[-1] for name, items in fields.items()}
    return values


async def _event_values(request: Request) -> dict:
    body = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        return _form_values(body)
    if kind not in ("application/json", ""):
        raise HTTPException(415, _("send the event as application/json or application/x-www-form-urlencoded"))
    try:
        values = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise HTTPException(400, _("the body is not JSON")) from None
    if not isinstance(values, dict):
        raise HTTPException(422, _("the event must be a JSON object"))
    return values


@router.post("/events", response_model=CallEventAnswer,
             responses={400: {"model": schemas.Error}, 401: {"model": schemas.Error}, 403: {"model": schemas.Error},
                        415: {"model": schemas.Error}, 422: {"model": schemas.Error}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": CALL_EVENT_SCHEMA},
                 "application/x-www-form-urlencoded": {"schema": CALL_EVENT_SCHEMA}}}})
async def call_event(principal: Caller, request: Request):
    """Record one call event (idempotent by call id and event; any order). Fields: ``event`` (newCall, answer,
    hangup), ``callId``, ``from``, ``to``, ``direction`` (in, out), ``user`` / ``user[]`` (logins or extensions),
    ``queue``, ``cause`` (hangup), ``answeringNumber``."""
    from agent_console.domain.calls import CallEventError, parse_event

    values = await _event_values(request)
    try:
        event = parse_event(values)
    except CallEventError as exc:
        raise HTTPException(422, str(exc)) from None
    if event.queue and not principal.may_see_queue(event.queue):
        raise HTTPException(403, _("queue {queue} is not one of yours").format(queue=event.queue))
    server = state(request)
    if server.cti_writer is not None:  # the running server: events recorded in groups, each answered when durable
        answer = await server.cti_writer.record(principal.agent_id, event)
        return Response(orjson.dumps(answer), media_type="application/json")  # CallEventAnswer's fields
    return await run_in_threadpool(_record, server, principal, event)


def _record(server, principal, event) -> CallEventAnswer:
    from agent_console.domain.calls import record_event
    from agent_console.server.cti_writer import state_name
    from agent_console.store.models import Agent, Case, Customer

    with server.store.transaction() as session:
        recorded = record_event(session, server.clock, event, actor=session.get(Agent, principal.agent_id))
        call = recorded.call
        customer = session.get(Customer, call.customer_id) if call.customer_id else None
        case = session.get(Case, call.case_id) if call.case_id else None
        return CallEventAnswer(call_id=call.call_id, call_uid=call.uid, applied=recorded.applied,
                               state=state_name(call), customer_uid=customer.uid if customer else None,
                               case_key=case.key if case else None)
