"""``POST /ops``: a console's batch of operations."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
import orjson

from agent_console.i18n import _
from agent_console.server import schemas
from agent_console.server.feed import broadcaster
from agent_console.store.server_feed import latest_seq
from agent_console.server.ops import apply_ops
from agent_console.server.routes.deps import Caller, state

router = APIRouter(prefix="/api/v1", tags=["ops"])


@router.post("/ops", response_model=schemas.OpsResponse,
             responses={401: {"model": schemas.Error}, 413: {"model": schemas.Error},
                        422: {"model": schemas.Error}})
async def post_ops(batch: schemas.OpsBatch, principal: Caller, request: Request):
    """Apply a batch (at most 500 ops) in order. Each op answers ``applied``, ``duplicate`` (this author sent its op_id
    before: the first answer is repeated, nothing happens again), ``conflict`` (with the server's ``current`` state)
    or ``rejected`` (with the ``reason``). A batch that fails validation writes nothing (422)."""
    server = state(request)
    if len({op.op_id for op in batch.ops}) != len(batch.ops):
        raise HTTPException(422, _("op_id values must be unique within a batch"))
    if server.writer is not None:
        results, cursor = await server.writer.apply(principal, batch)
    else:  # an app whose lifespan did not run (no writer thread)
        results, cursor = await run_in_threadpool(_apply_here, server, principal, batch)
    broadcaster.publish_threadsafe(cursor)
    return Response(orjson.dumps({"results": results, "cursor": cursor}), media_type="application/json")


def _apply_here(server, principal, batch) -> tuple[list[dict], int]:
    results = apply_ops(server.store, server.clock, principal, batch)
    with server.store.engine.connect() as conn:
        return results, latest_seq(conn)
