"""The queries of canned responses (the rules are in domain/canned.py)."""

from __future__ import annotations

from sqlalchemy import select, update

from agent_console.store.models import CannedResponse


def all_by_usage(session) -> list[CannedResponse]:
    """Every canned response, most used first, then by title."""
    return list(session.scalars(select(CannedResponse).order_by(CannedResponse.usage_count.desc(),
                                                                CannedResponse.title)))


def categories(session) -> list[str]:
    return sorted(c for c in session.scalars(select(CannedResponse.category).distinct()) if c)


def by_shortcut(session, shortcut: str) -> CannedResponse | None:
    return session.scalar(select(CannedResponse).where(CannedResponse.shortcut == shortcut))


def shortcut_taken(session, shortcut: str) -> bool:
    return session.scalar(select(CannedResponse.id).where(CannedResponse.shortcut == shortcut)) is not None


def count_use(session, response_id: int) -> None:
    """One more use, as an atomic increment: two agents inserting at once both count."""
    session.execute(update(CannedResponse).where(CannedResponse.id == response_id)
                    .values(usage_count=CannedResponse.usage_count + 1))
