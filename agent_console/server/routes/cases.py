"""Cases: intake for integrations, listing and one case with its thread. Agents only see their queues."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from agent_console.domain.cases import CaseError, CaseService
from agent_console.server import schemas
from agent_console.store.server_feed import entity_json
from agent_console.server.routes.deps import Caller, state
from agent_console.store.models import Agent, Case, Customer, Message

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])
ERRORS = {401: {"model": schemas.Error}, 403: {"model": schemas.Error}}

C, CU, A = Case.__table__.c, Customer.__table__.c, Agent.__table__.c
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
        raise HTTPException(403, f"queue {body.queue} is not one of yours")
    # One transaction from the external_id check to the new case: a second intake of the same id waits and finds it.
    with server.store.transaction() as session:
        if body.external_id:
            existing = session.scalars(select(Case).where(Case.external_id == body.external_id)).first()
            if existing is not None and not principal.may_see_queue(existing.queue):
                raise HTTPException(409, "this external_id belongs to a case in a queue that is not yours; "
                                         "nothing was created")
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
    assignee_table = aliased(Agent.__table__)
    conditions = []
    allowed = principal.queue_filter
    if allowed is not None:
        conditions.append(C.queue.in_(allowed))
    if queue:
        conditions.append(C.queue == queue)
    if status:
        conditions.append(C.status == status)
    if channel:
        conditions.append(C.channel == channel)
    if open is not None:
        conditions.append(C.is_open.is_(open))
    if assignee == "none":
        conditions.append(C.assignee_id.is_(None))
    elif assignee:
        conditions.append(assignee_table.c.login == assignee)
    where = and_(True, *conditions)
    base = (select().select_from(Case.__table__).join(Customer.__table__, CU.id == C.customer_id)
            .outerjoin(assignee_table, assignee_table.c.id == C.assignee_id).where(where))
    ordering = {"due": (C.sla_due_at.is_(None), C.sla_due_at, C.id), "created": (C.created_at.desc(), C.id.desc()),
                "updated": (C.updated_at.desc(), C.id.desc())}[order]
    with server.store.engine.connect() as conn:
        total = conn.execute(base.with_only_columns(func.count())).scalar_one()
        rows = conn.execute(base.with_only_columns(
            C.uid, C.key, C.subject, C.status, C.priority, C.channel, C.queue, C.tier, assignee_table.c.login,
            CU.uid, CU.name, C.created_at, C.updated_at, C.sla_due_at, C.version,
        ).order_by(*ordering).limit(limit).offset(offset)).all()
    fields = ("uid", "key", "subject", "status", "priority", "channel", "queue", "tier", "assignee_login",
              "customer_uid", "customer_name", "created_at", "updated_at", "sla_due_at", "version")
    return schemas.CaseList(cases=[schemas.CaseSummary(**dict(zip(fields, row))) for row in rows], total=total)


@router.get("/{key}", response_model=schemas.CaseDetail, responses={**ERRORS, 404: {"model": schemas.Error}})
def get_case(key: Annotated[str, Path(max_length=64)], principal: Caller, request: Request):
    """One case (by key or uid) with its customer and its whole thread."""
    server = state(request)
    if "\x00" in key or len(key) > 64:
        raise HTTPException(404, "no such case")
    with server.store.session() as session:
        case = session.scalars(select(Case).where((Case.key == key) | (Case.uid == key))).first()
        if case is None or not principal.may_see_queue(case.queue):
            raise HTTPException(404, f"no case {key!r}")
        customer = session.get(Customer, case.customer_id)
        author = aliased(Agent)
        rows = session.execute(
            select(Message, author.login).outerjoin(author, author.id == Message.author_agent_id)
            .where(Message.case_id == case.id).order_by(Message.created_at, Message.id)
        ).all()
        return schemas.CaseDetail(
            case=entity_json(session, case), customer=entity_json(session, customer),
            messages=[schemas.MessageOut(uid=m.uid, direction=m.direction, channel=m.channel, author_login=login,
                                         author_name=m.author_name, body=m.body, is_internal=m.is_internal,
                                         created_at=m.created_at) for m, login in rows],
        )
