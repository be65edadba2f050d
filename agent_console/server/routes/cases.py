"""Cases: intake for integrations, listing and one case with its thread. Agents only see their queues."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response

from agent_console.domain.cases import CaseError, CaseService
from agent_console.i18n import _
from agent_console.server import schemas
from agent_console.server.routes.deps import Caller, state
from agent_console.store.models import Agent, Customer
from agent_console.store.server_cases import (
    SUMMARY_FIELDS,
    case_by_external_id,
    case_by_key_or_uid,
    case_summaries,
    thread_with_authors,
)
from agent_console.store.server_feed import entity_json

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])
ERRORS = {401: {"model": schemas.Error}, 403: {"model": schemas.Error}}

SafeStr = Annotated[str, Query(max_length=64, pattern=r"^[^\x00]*$")]


@router.post("", response_model=schemas.IntakeResponse, status_code=201,
             responses={**ERRORS, 200: {"model": schemas.IntakeResponse,
                                        "description": "A case with this external_id exists already"},
                        409: {"model": schemas.Error},
                        422: {"model": schemas.Error}})
def intake(body: schemas.IntakeRequest, principal: Caller, request: Request, response: Response):
    """Create a case for the customer (found or created by e-mail or phone) with its first message."""
    server = state(request)
    if not principal.may_see_queue(body.queue):
        raise HTTPException(403, _("queue {queue} is not one of yours").format(queue=body.queue))
    # One transaction from the external_id check to the new case: a second intake of the same id waits and finds it.
    with server.store.transaction() as session:
        if body.external_id:
            existing = case_by_external_id(session, body.external_id)
            if existing is not None and not principal.may_see_queue(existing.queue):
                raise HTTPException(409, _("this external_id belongs to a case in a queue that is not yours; "
                                           "nothing was created"))
            if existing is not None:
                response.status_code = 200
                customer = session.get(Customer, existing.customer_id)
                return schemas.IntakeResponse(key=existing.key, uid=existing.uid, customer_uid=customer.uid,
                                              created=False)
        actor = session.get(Agent, principal.agent_id)
        service = CaseService.in_session(session, server.clock, actor)
        try:
            case = service.create_case(customer=body.customer, channel=body.channel, queue=body.queue,
                                       subject=body.subject, body=body.body, priority=body.priority,
                                       customer_name=body.customer_name, language=body.language,
                                       external_id=body.external_id)
        except CaseError as exc:
            raise HTTPException(422, str(exc)) from None
        customer = session.get(Customer, case.customer_id)
    return schemas.IntakeResponse(key=case.key, uid=case.uid, customer_uid=customer.uid, created=True)


@router.get("", response_model=schemas.CaseList, responses=ERRORS)
def list_cases(
    principal: Caller, request: Request,
    queue: SafeStr | None = None,
    status: Annotated[schemas.StatusName | None, Query()] = None,
    channel: Annotated[schemas.ChannelName | None, Query()] = None,
    assignee: Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00]*$",
                                          description="A login, or 'none' for unassigned")] = None,
    open: Annotated[bool | None, Query(description="Only open (true) or only closed (false) cases")] = None,
    order: Literal["due", "created", "updated"] = "due",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
):
    """Cases matching every filter given, most urgent first (by SLA due time) unless ordered otherwise."""
    server = state(request)
    with server.store.engine.connect() as conn:
        total, rows = case_summaries(conn, queues=principal.queue_filter, queue=queue, status=status, channel=channel,
                                     assignee=assignee, is_open=open, order=order, limit=limit, offset=offset)
    fields = SUMMARY_FIELDS
    return schemas.CaseList(cases=[schemas.CaseSummary(**dict(zip(fields, row))) for row in rows], total=total)


@router.get("/{key}", response_model=schemas.CaseDetail, responses={**ERRORS, 404: {"model": schemas.Error}})
def get_case(key: Annotated[str, Path(max_length=64)], principal: Caller, request: Request):
    """One case (by key or uid) with its customer and its whole thread."""
    server = state(request)
    if "\x00" in key or len(key) > 64:
        raise HTTPException(404, _("no such case"))
    with server.store.session() as session:
        case = case_by_key_or_uid(session, key)
        if case is None or not principal.may_see_queue(case.queue):
            raise HTTPException(404, _("no case {key}").format(key=repr(key)))
        customer = session.get(Customer, case.customer_id)
        rows = thread_with_authors(session, case.id)
        return schemas.CaseDetail(
            case=entity_json(session, case), customer=entity_json(session, customer),
            messages=[schemas.MessageOut(uid=m.uid, direction=m.direction, channel=m.channel, author_login=login,
                                         author_name=m.author_name, body=m.body, is_internal=m.is_internal,
                                         created_at=m.created_at) for m, login in rows],
        )
