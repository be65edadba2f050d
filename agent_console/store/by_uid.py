"""Rows found by the identities clients choose (uids), by login, and by their one owner: what the server's op path
looks up before the domain services act."""

from __future__ import annotations

from sqlalchemy import select

from agent_console.store.models import Agent, FollowUp, Survey


def by_uid(session, model, uid: str):
    """The ``model`` row with this uid, or None."""
    return session.scalars(select(model).where(model.uid == uid)).first()


def uid_taken(session, model, uid: str) -> bool:
    """Whether some ``model`` row has this uid."""
    return session.scalars(select(model.id).where(model.uid == uid)).first() is not None


def agent_with_login(session, login: str) -> Agent | None:
    return session.scalars(select(Agent).where(Agent.login == login)).first()


def follow_up_of_escalation(session, escalation_id: int) -> FollowUp | None:
    return session.scalars(select(FollowUp).where(FollowUp.escalation_id == escalation_id)).first()


def survey_of_case(session, case_id: int) -> Survey | None:
    return session.scalars(select(Survey).where(Survey.case_id == case_id)).first()
