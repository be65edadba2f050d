"""The statements the case workflow (``domain/cases.py``) runs besides loading a case: the next case number, an
agent's draft, and whether a queue name is in use in a store without queue records."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from agent_console.store.models import Agent, Case, Draft


def highest_case_id(session: Session) -> int:
    """The largest case id so far (0 in an empty store): a new case's number follows it."""
    return session.scalar(select(func.max(Case.id))) or 0


def draft_of(session: Session, case_id: int, agent_id: int, kind: str) -> Draft | None:
    """The agent's saved draft of this kind (reply or note) on the case, if any."""
    return session.scalars(select(Draft).where(Draft.case_id == case_id, Draft.agent_id == agent_id,
                                               Draft.kind == kind)).first()


def some_case_in_queue(session: Session, queue: str) -> bool:
    """Is any case (open or not) in this queue?"""
    return session.scalar(select(Case.id).where(Case.queue == queue).limit(1)) is not None


def agents_queue_lists(session: Session) -> list[str]:
    """The ``queues`` column (comma-separated names) of every agent who works named queues."""
    return list(session.scalars(select(Agent.queues).where(Agent.queues != "")))
