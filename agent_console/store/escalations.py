"""The statements behind escalation (``domain/escalation.py``): a case's escalation history, the automatic
escalations already made, and the supervisor's list of flagged cases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from agent_console.store.models import Case, Escalation


def automatic_escalation_since(session: Session, case_id: int, since: datetime, reason_prefix: str) -> int | None:
    """The id of an automatic escalation of the case made at or after ``since`` whose reason starts with
    ``reason_prefix``, or None."""
    return session.scalars(select(Escalation.id).where(
        Escalation.case_id == case_id, Escalation.kind == "automatic", Escalation.created_at >= since,
        Escalation.reason.like(f"{reason_prefix}%"))).first()


def escalations_of_case(session: Session, case_id: int) -> list[Escalation]:
    """Every escalation and de-escalation row of a case, oldest first."""
    return list(session.scalars(select(Escalation).where(Escalation.case_id == case_id)
                                .order_by(Escalation.created_at, Escalation.id)))


def open_auto_escalated_case_ids(session: Session) -> list[int]:
    """Ids of open cases with an automatic escalation and an escalation level above 0, ascending."""
    E = Escalation.__table__.c
    C = Case.__table__.c
    query = (select(C.id).select_from(Case.__table__.join(Escalation.__table__, E.case_id == C.id))
             .where(C.is_open == True, E.kind == "automatic", C.escalation_level > 0)  # noqa: E712
             .distinct().order_by(C.id))
    return list(session.execute(query).scalars())
