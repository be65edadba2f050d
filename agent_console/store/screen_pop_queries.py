"""The statements behind an agent's screen pop: the calls an agent answered since the console started, and what the
pop shows of a caller (their cases and their last contact). The rules are in :mod:`agent_console.domain.screen_pop`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from agent_console.store.models import Call, Case, Message


def calls_answered_by(session: Session, agent_id: int, since: datetime) -> list[Call]:
    """The calls ``agent_id`` answered at or after ``since``, oldest first."""
    return list(session.scalars(select(Call).where(Call.answered_by_id == agent_id, Call.answered_at >= since)
                                .order_by(Call.answered_at, Call.id)))


def cases_of_customer(session: Session, customer_id: int, *, limit: int = 20) -> list[Case]:
    """The customer's cases, open ones first, newest first within each."""
    return list(session.scalars(select(Case).where(Case.customer_id == customer_id)
                                .order_by(Case.is_open.desc(), Case.created_at.desc(), Case.id.desc())
                                .limit(limit)))


def last_message(session: Session, customer_id: int) -> tuple[datetime, str] | None:
    """(when, channel) of the newest message that is not internal on any of the customer's cases."""
    row = session.execute(select(Message.created_at, Message.channel).join(Case, Case.id == Message.case_id)
                          .where(Case.customer_id == customer_id, Message.is_internal.is_(False))
                          .order_by(Message.created_at.desc(), Message.id.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


def last_call_before(session: Session, customer_id: int, before: datetime) -> datetime | None:
    """When the customer's newest call that began before ``before`` began."""
    return session.scalar(select(func.max(Call.first_seen_at)).where(Call.customer_id == customer_id,
                                                                      Call.first_seen_at < before))
