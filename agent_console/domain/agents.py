"""Agents: adding and updating accounts, and their state (available, handling, wrap-up, break, offline)."""

from __future__ import annotations

from sqlalchemy import select

from agent_console.domain.clock import Clock
from agent_console.domain.recording import audit
from agent_console.domain.text import UnsafeText, check_identifier, check_login, clean_text
from agent_console.store.db import Store
from agent_console.store.models import Agent, Role


class AgentError(ValueError):
    pass


def validate_agent_fields(login: str, name: str, role: str, tier: int) -> tuple[str, str, str, int]:
    try:
        login = check_login(login)
    except UnsafeText as exc:
        raise AgentError(exc.reason) from None
    name = clean_text(name).strip()
    if not name:
        raise AgentError("an agent needs a name")
    role = role.strip().lower()
    if role not in {r.value for r in Role}:
        raise AgentError(f"unknown role {role!r}; expected agent, supervisor or admin")
    try:
        tier = int(tier)
    except (TypeError, ValueError):
        raise AgentError(f"tier must be 1, 2 or 3, not {tier!r}") from None
    if tier not in (1, 2, 3):
        raise AgentError(f"tier must be 1, 2 or 3, not {tier}")
    return login, name, role, tier


def normalise_queues(queues: str, field: str = "queues") -> str:
    """Comma-separated names (queues, skills), each stripped; a name with control characters is refused."""
    try:
        names = [check_identifier(q, field, limit=64) for q in queues.split(",") if q.strip()]
    except UnsafeText as exc:
        raise AgentError(str(exc)) from None
    return ",".join(names)


def upsert_agent(store: Store, clock: Clock, *, login: str, name: str, role: str = "agent", tier: int = 1,
                 queues: str = "", skills: str = "", actor_id: int | None = None) -> tuple[Agent, bool]:
    login, name, role, tier = validate_agent_fields(login, name, role, tier)
    queues, skills = normalise_queues(queues), normalise_queues(skills, "skills")
    now = clock.now()
    with store.transaction() as session:
        agent = session.scalars(select(Agent).where(Agent.login == login)).first()
        created = agent is None
        if created:
            agent = Agent(login=login, name=name, role=role, tier=tier, queues=queues, skills=skills,
                          created_at=now)
            session.add(agent)
        else:
            agent.name, agent.role, agent.tier = name, role, tier
            agent.queues = queues or agent.queues
            agent.skills = skills or agent.skills
            agent.version += 1
        session.flush()
        audit(session, now, actor_id, "agent.add" if created else "agent.update", "agent", agent.id,
              login=login, role=role, tier=tier)
        return agent, created


