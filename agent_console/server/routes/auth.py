"""Log-in and log-out."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from agent_console.i18n import _
from agent_console.server import schemas
from agent_console.server.auth import AuthError, hash_password, issue_token, verify_password
from agent_console.server.routes.deps import Caller, state
from agent_console.store.accounts import revoke_all_tokens, revoke_token
from agent_console.store.by_uid import agent_with_login
from agent_console.store.models import Agent

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/login", response_model=schemas.LoginResponse,
             responses={401: {"model": schemas.Error}, 429: {"model": schemas.Error}})
def login(body: schemas.LoginRequest, request: Request):
    """Exchange login and password for a bearer token (valid for the server's session lifetime)."""
    server = state(request)
    address = _address(request)
    attempt = _attempt(server, body.login, address)
    with server.store.session() as session:
        agent = agent_with_login(session, body.login)
    ok = verify_password(agent.password_hash if agent else None, body.password)
    if not ok or agent is None or not agent.active:
        raise HTTPException(401, _("wrong login or password"), headers={"WWW-Authenticate": "Bearer"})
    server.limiter.succeeded(attempt)
    now = server.clock.now()
    with server.store.transaction() as session:
        token, row = issue_token(session, agent.id, now, lifetime=server.session_lifetime, name=address)
    return schemas.LoginResponse(
        access_token=token, expires_at=row.expires_at,
        agent=schemas.AgentInfo(login=agent.login, name=agent.name, role=agent.role, tier=agent.tier,
                                queues=agent.queue_list()),
    )


def _address(request: Request) -> str:
    # The peer's address, or the one a configured proxy (--forwarded-allow-ips) reports; never a client's own word.
    return request.client.host if request.client else "unknown"


def _attempt(server, login: str, address: str):
    """Counted as a failure until the password proves right (429 while the log-in limits hold)."""
    attempt = server.limiter.attempt(login, address)
    if attempt.retry_after is not None:
        wait = attempt.retry_after
        raise HTTPException(429, _("too many failed log-ins; try again in {seconds} s").format(seconds=wait),
                            headers={"Retry-After": str(wait)})
    return attempt


@router.post("/password", response_model=schemas.LoginResponse,
             responses={401: {"model": schemas.Error}, 403: {"model": schemas.Error},
                        422: {"model": schemas.Error}, 429: {"model": schemas.Error}})
def change_password(body: schemas.PasswordChange, principal: Caller, request: Request):
    """Change the caller's own password (the current one is checked, under the log-in limits). Every token of the
    account is revoked — it is logged out everywhere — and a new session token for this client is returned."""
    server = state(request)
    address = _address(request)
    attempt = _attempt(server, principal.login, address)
    with server.store.session() as session:
        agent = session.get(Agent, principal.agent_id)
    if not verify_password(agent.password_hash, body.current_password):
        raise HTTPException(403, _("the current password is wrong"))
    server.limiter.succeeded(attempt)
    try:
        password_hash = hash_password(body.new_password, agent.login)
    except AuthError as exc:
        raise HTTPException(422, str(exc)) from None
    now = server.clock.now()
    with server.store.transaction() as session:
        stored = session.get(Agent, principal.agent_id)
        stored.password_hash = password_hash
        revoke_all_tokens(session, stored.id, now)
        token, row = issue_token(session, stored.id, now, lifetime=server.session_lifetime, name=address)
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
