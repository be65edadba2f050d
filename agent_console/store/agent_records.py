"""The statements behind managing agents (``domain/agents.py``, ``domain/queues.py``): finding one by login, their
tokens and open cases, who works which queue, and what refers to an agent."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from agent_console.store.models import Agent, AuthToken, Case


def agent_with_login(session: Session, login: str) -> Agent | None:
    return session.scalars(select(Agent).where(Agent.login == login)).first()


def agent_with_extension(session: Session, extension: str) -> Agent | None:
    return session.scalars(select(Agent).where(Agent.extension == extension)).first()


def unrevoked_tokens(session: Session, agent_id: int) -> list[AuthToken]:
    return list(session.scalars(select(AuthToken).where(AuthToken.agent_id == agent_id,
                                                        AuthToken.revoked_at.is_(None))))


def tokens_of(session: Session, agent_id: int) -> list[AuthToken]:
    """Every log-in token of the agent, revoked or not."""
    return list(session.scalars(select(AuthToken).where(AuthToken.agent_id == agent_id)))


def open_cases_assigned_to(session: Session, agent_id: int) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.assignee_id == agent_id,
                                                   Case.is_open == True)))  # noqa: E712


def active_agents(session: Session) -> list[Agent]:
    return list(session.scalars(select(Agent).where(Agent.active == True)))  # noqa: E712


def agents_with_queue_lists(session: Session) -> list[Agent]:
    """Agents who work named queues (an empty ``queues`` means every queue)."""
    return list(session.scalars(select(Agent).where(Agent.queues != "")))


def agents_queue_lists(session: Session) -> list[str]:
    """The ``queues`` column (comma-separated names) of every agent who works named queues."""
    return list(session.scalars(select(Agent.queues).where(Agent.queues != "")))


def rows_referring_to_agent(session: Session, agent_id: int, *, skip_tables: tuple[str, ...] = ()) -> dict[str, int]:
    """How many rows of each table refer to the agent through a foreign key, by table name (tables with none are
    left out; ``skip_tables`` are not counted)."""
    agents = Agent.__table__
    found: dict[str, int] = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in skip_tables:
            continue
        for column in table.columns:
            if any(fk.column.table is agents for fk in column.foreign_keys):
                count = session.scalar(select(func.count()).select_from(table).where(column == agent_id))
                if count:
                    found[table.name] = found.get(table.name, 0) + count
    return found
