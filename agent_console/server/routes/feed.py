"""The change feed (``GET /changes``) and the event stream that says it advanced (``GET /events``)."""

from __future__ import annotations

import os
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from agent_console.server import schemas
from agent_console.server.feed import DEFAULT_LIMIT, MAX_LIMIT, LoopPager, broadcaster, changes_page
from agent_console.server.presence import board as presence_board
from agent_console.server.routes.deps import Caller, state

router = APIRouter(prefix="/api/v1", tags=["feed"])
ERRORS = {401: {"model": schemas.Error}}


@router.get("/changes", response_model=schemas.ChangesPage, responses=ERRORS)
async def changes(
    principal: Caller, request: Request,
    cursor: Annotated[int, Query(ge=0, le=2**62, description="The last seq the client has; 0 for everything")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
):
    """Every entity change after ``cursor`` in the server's sequence; page on with ``next_cursor`` while
    ``has_more``. Agents limited to queues get those queues' cases (and everything not tied to a case)."""
    store = state(request).store
    queues = principal.queue_filter
    body = None
    if store.dialect == "sqlite":  # a local read; on PostgreSQL every query is a network round trip
        body = _loop_pager(request).page(cursor, limit, queues)
    if body is None:
        body = await run_in_threadpool(_pooled_page, store.read_engine, cursor, limit, queues)
    return Response(body, media_type="application/json")


def _pooled_page(engine, cursor: int, limit: int, queues: list[str] | None) -> bytes:
    with engine.connect() as conn:
        return changes_page(conn, cursor, limit, queues)


def _loop_pager(request: Request) -> LoopPager:
    """The app's pager for the event loop (one loop per worker process; only that thread gets here)."""
    pager = getattr(request.app.state, "feed_loop_pager", None)
    if pager is None:
        pager = request.app.state.feed_loop_pager = LoopPager(state(request).store.engine)
    return pager


@router.get("/events", responses={**ERRORS, 200: {"content": {"text/event-stream": {}},
                                                     "description": "Server-sent events"}})
async def events(principal: Caller, request: Request):
    """Server-sent events: ``event: change`` with ``{"cursor": N}`` whenever the feed advances (the first one at
    once, with the current cursor); ``event: presence`` with ``{"case_uid", "case_key", "login", "name",
    "activity", "expires_in"}`` when a colleague views, replies on or leaves a case of a queue the caller may see;
    and a ``: heartbeat`` comment every ~15 seconds. The stream ends as soon as its token is revoked or expires, or
    its account is deactivated."""
    server = state(request)
    heartbeat = server.heartbeat_seconds
    guard = server.streams

    async def stream():
        ended = guard.open(principal.token_id) if guard is not None else None
        try:
            seen = broadcaster.latest
            yield f"retry: 2000\nevent: change\ndata: {orjson.dumps({'cursor': seen}).decode()}\n\n"
            async for message in _changes_until_ended(seen, ended):
                yield message
        finally:
            if guard is not None:
                guard.close(principal.token_id, ended)

    async def _changes_until_ended(seen, ended):
        presence_seen = presence_board.version  # announcements from now on (each lasts seconds only)
        while True:
            if await request.is_disconnected() or (ended is not None and ended.is_set()):
                return
            latest = await broadcaster.wait_beyond(seen, heartbeat, ended,
                                                   also=lambda: presence_board.version > presence_seen)
            if ended is not None and ended.is_set():
                return
            presence_seen, announcements = presence_board.since(presence_seen, agent_id=principal.agent_id,
                                                                may_see_queue=principal.may_see_queue)
            for announcement in announcements:
                yield f"event: presence\ndata: {orjson.dumps(announcement.event()).decode()}\n\n"
            if latest > seen:
                seen = latest
                yield f"event: change\ndata: {orjson.dumps({'cursor': seen}).decode()}\n\n"
            elif not announcements:
                yield ": heartbeat\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no",
                                      "X-Worker-Pid": str(os.getpid())})
