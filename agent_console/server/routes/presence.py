"""``POST /presence``: a console says its agent is viewing a case, typing a reply on it, or has left it."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from agent_console.i18n import _
from agent_console.server import schemas
from agent_console.server.feed import broadcaster
from agent_console.server.presence import board
from agent_console.server.routes.deps import Caller, state
from agent_console.store.server_cases import case_by_key_or_uid

router = APIRouter(prefix="/api/v1", tags=["presence"])


class PresenceIn(BaseModel):
    case: str = Field(min_length=1, max_length=64, description="The case's key or uid")
    activity: Literal["viewing", "replying", "left"]


@router.post("/presence", status_code=204, responses={401: {"model": schemas.Error}, 404: {"model": schemas.Error}})
async def announce(body: PresenceIn, principal: Caller, request: Request) -> Response:
    """Tell colleagues who may see the case's queue (through ``GET /events``, ``event: presence``) what the caller
    is doing on it; it lasts a short while unless said again (nothing is stored)."""
    server = state(request)
    found = await run_in_threadpool(_case_place, server.store, body.case)
    if found is None or not principal.may_see_queue(found[2]):
        raise HTTPException(404, _("no case {key}").format(key=repr(body.case)))
    case_uid, case_key, queue = found
    board.announce(case_uid=case_uid, case_key=case_key, queue=queue, agent_id=principal.agent_id,
                   login=principal.login, name=principal.name, activity=body.activity)
    await broadcaster.wake()
    return Response(status_code=204)


def _case_place(store, key: str) -> tuple[str, str, str] | None:
    if "\x00" in key:
        return None
    with store.session() as session:
        case = case_by_key_or_uid(session, key)
        return None if case is None else (case.uid, case.key, case.queue)
