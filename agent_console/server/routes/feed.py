"""The change feed (``GET /changes``) and the event stream that says it advanced (``GET /events``)."""

from __future__ import annotations

import os
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from agent_console.server import schemas
from agent_console.server.feed import DEFAULT_LIMIT, MAX_LIMIT, broadcaster, changes_page
from agent_console.server.routes.deps import Caller, state

router = APIRouter(prefix="/api/v1", tags=["feed"])
ERRORS = {401: {"model": schemas.Error}}


@router.get("/changes", response_model=schemas.ChangesPage, responses=ERRORS)
def changes(
    principal: Caller, request: Request,
    cursor: Annotated[int, Query(ge=0, le=2**62, description="The last seq the client has; 0 for everything")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
):
    """Every entity change after ``cursor`` in the server's sequence; page on with ``next_cursor`` while
    ``has_more``. Agents limited to queues get those queues' cases (and everything not tied to a case)."""
    server = state(request)
    with server.store.engine.connect() as conn:
        body = changes_page(conn, cursor, limit, principal.queue_filter)
    return Response(body, media_type="application/json")


@router.get("/events", responses={**ERRORS, 200: {"content": {"text/event-stream": {}},
                                                     "description": "Server-sent events"}})
async def events(principal: Caller, request: Request):
    """Server-sent events: ``event: change`` with ``{"cursor": N}`` whenever the feed advances (the first one at
    once, with the current cursor), and a ``: heartbeat`` comment every ~15 seconds."""
    server = state(request)
    heartbeat = server.heartbeat_seconds

    async def stream():
        seen = broadcaster.latest
        yield f"retry: 2000\nevent: change\ndata: {orjson.dumps({'cursor': seen}).decode()}\n\n"
        while True:
            if await request.is_disconnected():
                return
            latest = await broadcaster.wait_beyond(seen, heartbeat)
            if latest > seen:
                seen = latest
                yield f"event: change\ndata: {orjson.dumps({'cursor': seen}).decode()}\n\n"
            else:
                yield ": heartbeat\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no",
                                      "X-Worker-Pid": str(os.getpid())})
