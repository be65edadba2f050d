"""Accounts: supervisors list them, admins add or update them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy import select

from agent_console.domain.agents import AgentError, upsert_agent
from agent_console.server import schemas
from agent_console.server.auth import AuthError, hash_password
from agent_console.server.routes.deps import Admin, Supervisor, state
from agent_console.store.models import Agent

router = APIRouter(prefix="/api/v1/agents", tags=["agents"])
ERRORS = {401: {"model": schemas.Error}, 403: {"model": schemas.Error}}


def _out(agent: Agent) -> schemas.AgentOut:
    return schemas.AgentOut(login=agent.login, name=agent.name, role=agent.role, tier=agent.tier,
                            queues=agent.queue_list(), state=agent.state, active=agent.active)


@router.get("", response_model=list[schemas.AgentOut], responses=ERRORS)
def list_agents(principal: Supervisor, request: Request):
    with state(request).store.session() as session:
        return [_out(a) for a in session.scalars(select(Agent).order_by(Agent.login))]


@router.post("", response_model=schemas.AgentOut, status_code=201, responses={**ERRORS, 422: {"model": schemas.Error}})
def add_agent(body: schemas.AgentCreate, principal: Admin, request: Request):
    """Add an account with a password, or update the one with this login (its password is replaced)."""
    server = state(request)
    try:
        password_hash = hash_password(body.password)
        agent = create_account(server.store, server.clock, login=body.login, name=body.name, role=body.role,
                               tier=body.tier, queues=",".join(body.queues), password_hash=password_hash,
                               actor_id=principal.agent_id)
    except (AgentError, AuthError) as exc:
        raise HTTPException(422, str(exc)) from None
    return _out(agent)


def create_account(store, clock, *, login, name, role, tier, queues, password_hash, actor_id=None) -> Agent:
    """upsert_agent (the console's rules) plus the password, in one server transaction."""
    agent, _created = upsert_agent(store, clock, login=login, name=name, role=role, tier=tier, queues=queues,
                                   actor_id=actor_id)
    with store.transaction() as session:
        stored = session.get(Agent, agent.id)
        stored.password_hash = password_hash
        stored.queues = queues
        return stored
