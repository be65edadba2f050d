"""The statements the case workflow (``domain/cases.py``) runs besides loading a case: the next case number and an
agent's draft."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from agent_console.store.models import Case, Draft


def highest_case_id(session: Session) -> int:
    """The largest case id so far (0 in an empty store): a new case's number follows it."""
    return session.scalar(select(func.max(Case.id))) or 0


def draft_of(session: Session, case_id: int, agent_id: int, kind: str) -> Draft | None:
    """The agent's saved draft of this kind (reply or note) on the case, if any."""
    return session.scalars(select(Draft).where(Draft.case_id == case_id, Draft.agent_id == agent_id,
                                               Draft.kind == kind)).first()


def case_customers(session, case_ids: set[int]) -> list[tuple]:
    """(case id, case key, customer id, customer name, e-mail, phone) of each of ``case_ids``."""
    from agent_console.store.models import Customer

    if not case_ids:
        return []
    return session.execute(
        select(Case.id, Case.key, Case.customer_id, Customer.name, Customer.email, Customer.phone)
        .join(Customer, Customer.id == Case.customer_id).where(Case.id.in_(case_ids))).all()
