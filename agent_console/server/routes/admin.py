"""Accounts: supervisors list them, admins add or update them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from agent_console.domain.agents import AgentError, refuse_losing_the_last_admin, upsert_agent
from agent_console.i18n import _
from agent_console.server import schemas
from agent_console.server.auth import AuthError, hash_password
from agent_console.server.routes.deps import Admin, Supervisor, state
from agent_console.store.accounts import all_accounts, revoke_all_tokens
from agent_console.store.by_uid import agent_with_login
from agent_console.store.models import Agent, Role

router = APIRouter(prefix="/api/v1/agents", tags=["agents"])
ERRORS = {401: {"model": schemas.Error}, 403: {"model": schemas.Error}}


def _out(agent: Agent) -> schemas.AgentOut:
    return schemas.AgentOut(login=agent.login, name=agent.name, role=agent.role, tier=agent.tier,
                            queues=agent.queue_list(), state=agent.state, active=agent.active)


@router.get("", response_model=list[schemas.AgentOut], responses=ERRORS)
def list_agents(principal: Supervisor, request: Request):
    with state(request).store.session() as session:
        return [_out(a) for a in all_accounts(session)]


@router.post("", response_model=schemas.AgentOut, status_code=201,
             responses={**ERRORS, 409: {"model": schemas.Error}, 422: {"model": schemas.Error}})
def add_agent(body: schemas.AgentCreate, principal: Admin, request: Request):
    """Add an account with a password. An existing login is refused (409) unless ``update`` is true: then the
    account is updated, its password replaced and its tokens revoked."""
    server = state(request)
    try:
        password_hash = hash_password(body.password, body.login)
        agent = create_account(server.store, server.clock, login=body.login, name=body.name, role=body.role,
                               tier=body.tier, queues=",".join(body.queues), password_hash=password_hash,
                               actor_id=principal.agent_id, update=body.update)
    except AccountExists as exc:
        raise HTTPException(409, str(exc)) from None
    except (AgentError, AuthError) as exc:
        raise HTTPException(422, str(exc)) from None
    return _out(agent)


class AccountExists(AgentError):
    pass


def create_account(store, clock, *, login, name, role, tier, queues, password_hash, actor_id=None,
                   update: bool = False) -> Agent:
    """upsert_agent (the console's rules) plus the password. An existing account is only changed with ``update``;
    then its tokens are revoked (a new password logs it out everywhere), and the last active admin keeps the role.
    All in one transaction: a refusal anywhere leaves the account as it was."""
    login = login.strip()
    with store.transaction() as session:
        existing = agent_with_login(session, login)
        if existing is not None and not update:
            raise AccountExists(_("an account {login} exists already; to change it (and replace its password) "
                                  "ask for an update (`server users add --update`, or \"update\": true)").format(
                login=repr(login)))
        if existing is not None and role.strip().lower() != Role.admin:
            refuse_losing_the_last_admin(session, existing, "demoted")
        agent, _created = upsert_agent(None, clock, login=login, name=name, role=role, tier=tier, queues=queues,
                                       actor_id=actor_id, session=session)
        agent.password_hash = password_hash
        agent.queues = queues
        if existing is not None:
            revoke_all_tokens(session, agent.id, clock.now())
        return agent
