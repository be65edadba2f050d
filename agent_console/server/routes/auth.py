"""Log-in and log-out."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from agent_console.server import schemas
from agent_console.server.auth import issue_token, revoke_token, verify_password
from agent_console.server.routes.deps import Caller, state
from agent_console.store.models import Agent
from sqlalchemy import select

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/login", response_model=schemas.LoginResponse,
             responses={401: {"model": schemas.Error}, 429: {"model": schemas.Error}})
def login(body: schemas.LoginRequest, request: Request):
    """Exchange login and password for a bearer token (valid for the server's session lifetime)."""
    server = state(request)
    # The peer's address, or the one a configured proxy (--forwarded-allow-ips) reports; never a client's own word.
    address = request.client.host if request.client else "unknown"
    attempt = server.limiter.attempt(body.login, address)  # counted as a failure until the password proves right
    if attempt.retry_after is not None:
        wait = attempt.retry_after
        raise HTTPException(429, f"too many failed log-ins; try again in {wait} s",
                            headers={"Retry-After": str(wait)})
    with server.store.session() as session:
        agent = session.scalars(select(Agent).where(Agent.login == body.login)).first()
    ok = verify_password(agent.password_hash if agent else None, body.password)
    if not ok or agent is None or not agent.active:
        raise HTTPException(401, "wrong login or password", headers={"WWW-Authenticate": "Bearer"})
    server.limiter.succeeded(attempt)
    now = server.clock.now()
    with server.store.transaction() as session:
        token, row = issue_token(session, agent.id, now, lifetime=server.session_lifetime, name=address)
    return schemas.LoginResponse(
        access_token=token, expires_at=row.expires_at,
        agent=schemas.AgentInfo(login=agent.login, name=agent.name, role=agent.role, tier=agent.tier,
                                queues=agent.queue_list()),
    )


@router.post("/logout", response_model=schemas.Message_, responses={401: {"model": schemas.Error}})
def logout(principal: Caller, request: Request):
    """Revoke the token this request carries."""
    server = state(request)
    with server.store.transaction() as session:
        revoke_token(session, principal.token_id, server.clock.now())
    return schemas.Message_(detail="logged out")


@router.get("/me", response_model=schemas.AgentInfo, responses={401: {"model": schemas.Error}})
def me(principal: Caller):
    """Who the token belongs to."""
    return schemas.AgentInfo(login=principal.login, name=principal.name, role=principal.role, tier=principal.tier,
                             queues=list(principal.queues))
