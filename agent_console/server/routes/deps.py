"""Dependencies shared by the routers: the server's store and clock, and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from agent_console.i18n import _
from agent_console.server.auth import Principal
from agent_console.store.models import Role

bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/login, or an API token")

UNAUTHORISED = {"WWW-Authenticate": "Bearer"}


def state(request: Request):
    return request.app.state.server


async def caller(request: Request,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise HTTPException(401, _("not authenticated: send Authorization: Bearer <token>"), headers=UNAUTHORISED)
    token = credentials.credentials
    if len(token) > 200 or "\x00" in token:
        raise HTTPException(401, _("invalid, expired or revoked token"), headers=UNAUTHORISED)
    server = state(request)
    principal = await server.tokens.principal(token, server.clock.now())
    if principal is None:
        raise HTTPException(401, _("invalid, expired or revoked token"), headers=UNAUTHORISED)
    if principal.token_kind == "wallboard":  # read-only: it shows /wallboard and nothing of the API
        raise HTTPException(403, _("a wallboard token only opens /wallboard"))
    return principal


def require(role: str):
    async def check(principal: Annotated[Principal, Depends(caller)]) -> Principal:
        if not principal.at_least(role):
            raise HTTPException(403, _("this needs the {role} role").format(role=role))
        return principal

    return check


Caller = Annotated[Principal, Depends(caller)]
Supervisor = Annotated[Principal, Depends(require(Role.supervisor))]
Admin = Annotated[Principal, Depends(require(Role.admin))]
