"""The queries of the survey links' token hashes (the rules are in domain/surveys.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from agent_console.store.models import SurveyToken


def token_by_hash(session, token_hash: str) -> SurveyToken | None:
    return session.scalar(select(SurveyToken).where(SurveyToken.token_hash == token_hash))


def mark_used(session, token_id: int, now: datetime) -> bool:
    """Mark the token used unless it is already: True for the one caller that did (two answers at the same moment
    cannot both use it)."""
    taken = session.execute(update(SurveyToken).where(SurveyToken.id == token_id, SurveyToken.used_at.is_(None))
                            .values(used_at=now))
    return taken.rowcount == 1
