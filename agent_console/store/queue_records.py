"""The statements behind queue records (``domain/queues.py``): finding, listing and counting what is in a queue."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlmodel import Session

from agent_console.store.models import Case, Queue


def queue_named(session: Session, name: str) -> Queue | None:
    """The queue with exactly this name."""
    return session.scalars(select(Queue).where(Queue.name == name)).first()


def queue_named_ignoring_case(session: Session, name: str, *, other_than: int | None = None) -> Queue | None:
    """A queue whose name equals ``name`` up to case (one other than the queue ``other_than`` when given)."""
    query = select(Queue).where(func.lower(Queue.name) == name.lower())
    if other_than is not None:
        query = query.where(Queue.id != other_than)
    return session.scalars(query).first()


def all_queues(session: Session) -> list[Queue]:
    """Every queue record, by name."""
    return list(session.scalars(select(Queue).order_by(Queue.name)))


def open_cases_by_queue(session: Session) -> dict[str, int]:
    """How many open cases each queue has (queues without any are left out)."""
    return dict(session.execute(
        select(Case.queue, func.count()).where(Case.is_open == True).group_by(Case.queue)).all())  # noqa: E712


def some_case_in_queue(session: Session, name: str) -> bool:
    """Is any case (open or not) in the queue?"""
    return session.scalar(select(Case.id).where(Case.queue == name).limit(1)) is not None


def cases_in_queue(session: Session, name: str) -> list[Case]:
    """Every case in the queue, open or not."""
    return list(session.scalars(select(Case).where(Case.queue == name)))


def cases_in_queue_with_status(session: Session, name: str, statuses: Iterable[str]) -> int:
    """How many cases in the queue have one of ``statuses``."""
    return session.scalar(select(func.count()).select_from(Case).where(
        Case.queue == name, Case.status.in_([str(s) for s in statuses])))
