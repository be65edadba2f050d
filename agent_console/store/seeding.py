"""The store side of the demo seeder (``admin/seed.py``): what the store already holds, so the seed adds beside it,
and the reads and small updates of its last steps. Rows are written by ``store/bulk.py``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from agent_console.store.models import Agent, Case


def case_count(conn) -> int:
    return conn.execute(select(func.count()).select_from(Case.__table__)).scalar_one()


def column_values(conn, table, *columns: str) -> set:
    """The values of one column (or tuples of several) in every row of the table."""
    if len(columns) == 1:
        return set(conn.execute(select(table.c[columns[0]])).scalars())
    return {tuple(row) for row in conn.execute(select(*(table.c[name] for name in columns)))}


def queues_in_use(conn) -> set[str]:
    """The queues the store's cases and agents name (agents list theirs separated by commas)."""
    named = set(conn.execute(select(Case.__table__.c.queue).distinct()).scalars())
    for listed in conn.execute(select(Agent.__table__.c.queues).distinct()).scalars():
        named.update(part.strip() for part in listed.split(","))
    return named


def active_agents(conn) -> list[dict]:
    """id, login, name, role, tier and queues of every active agent, by id."""
    t = Agent.__table__
    return [dict(r._mapping) for r in conn.execute(
        select(t.c.id, t.c.login, t.c.name, t.c.role, t.c.tier, t.c.queues)
        .where(t.c.active.is_(True)).order_by(t.c.id))]


def agents_in_states(conn, states: tuple[str, ...]) -> list:
    """id, state and state_since of the agents in one of ``states``, by id."""
    t = Agent.__table__
    return conn.execute(select(t.c.id, t.c.state, t.c.state_since).where(t.c.state.in_(states))
                        .order_by(t.c.id)).all()


def agent_work_ids(conn, agent_id: int, statuses: tuple[str, ...], from_case_id: int, limit: int = 50) -> list[int]:
    """Ids of the open cases assigned to the agent in one of ``statuses``, from ``from_case_id`` on (at most
    ``limit``, by id)."""
    c = Case.__table__.c
    return conn.execute(select(c.id).where(
        c.is_open == True, c.assignee_id == agent_id,  # noqa: E712
        c.status.in_(statuses), c.id >= from_case_id).order_by(c.id).limit(limit)).scalars().all()


def set_agent_state(conn, agent_id: int, state: str) -> None:
    t = Agent.__table__
    conn.execute(t.update().where(t.c.id == agent_id).values(state=state))


def late_case_ids(session, now: datetime, from_case_id: int) -> list[int]:
    """Ids of the open cases (from ``from_case_id`` on) whose earliest running target was due before ``now``."""
    c = Case.__table__.c
    return session.scalars(select(c.id).where(c.is_open == True, c.sla_due_at < now,  # noqa: E712
                                              c.id >= from_case_id).order_by(c.id)).all()


def cases_by_ids(session, ids: list[int]) -> list[Case]:
    return session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.id)).all()
