"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from agent_console.server.routes.deps import state
from agent_console.store.server_cases import schema_revision

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz():
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Database unreachable or schema not at head"}})
def readyz(request: Request):
    """The database answers and its schema is the one this code expects."""
    server = state(request)
    try:
        with server.store.engine.connect() as conn:
            current = schema_revision(conn)
    except Exception as exc:  # noqa: BLE001 - any database failure means not ready
        return JSONResponse({"status": "unavailable", "detail": f"database: {type(exc).__name__}"}, 503)
    if current != server.schema_head:
        return JSONResponse({"status": "unavailable", "detail": f"schema {current}, expected {server.schema_head}"},
                            503)
    return {"status": "ready", "schema": current}
