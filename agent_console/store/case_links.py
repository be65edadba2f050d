"""The statements of merging, linking and splitting cases (``domain/case_merge.py`` decides what to do)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session

from agent_console.store.models import (
    Call,
    Case,
    CaseArticleLink,
    CaseLink,
    Customer,
    Draft,
    Escalation,
    FollowUp,
    HandlingCorrection,
    HandlingSegment,
    MailOutbox,
    MailReceipt,
    Message,
    SlaEvent,
    Survey,
)

#: The rows that follow their case into a merge, each moved by changing its ``case_id``. The SLA events go along as
#: they are (the history of the contacts now on the target: starts, pauses, breaches stay counted).
MOVED_WITH_CASE = (Message, HandlingSegment, HandlingCorrection, Call, Escalation, FollowUp, MailOutbox, MailReceipt,
                   SlaEvent)


def rows_of_case(session: Session, model, case_id: int) -> list:
    return list(session.scalars(select(model).where(model.case_id == case_id)).all())


def survey_of(session: Session, case_id: int) -> Survey | None:
    return session.scalars(select(Survey).where(Survey.case_id == case_id)).first()


def fold_drafts(session: Session, source_id: int, target_id: int, separator: str) -> None:
    """The source case's drafts onto the target: a draft of an agent and kind the target has no draft of moves; one
    it has is appended to the target's draft after ``separator`` (no text is lost; drafts are unique per case,
    agent and kind)."""
    drafts = {(d.agent_id, d.kind): d for d in rows_of_case(session, Draft, target_id)}
    for draft in rows_of_case(session, Draft, source_id):
        kept = drafts.get((draft.agent_id, draft.kind))
        if kept is None:
            draft.case_id = target_id
        elif draft.body.strip():
            kept.body = kept.body.rstrip() + separator + draft.body if kept.body.strip() else draft.body
            kept.updated_at = max(kept.updated_at, draft.updated_at)
            session.delete(draft)
        else:
            session.delete(draft)
        session.flush()


def article_ids_of(session: Session, case_id: int) -> set[int]:
    return set(session.scalars(select(CaseArticleLink.article_id).where(CaseArticleLink.case_id == case_id)).all())


def links_touching(session: Session, case_id: int) -> list[CaseLink]:
    """Every link of the case, whichever end it is."""
    return list(session.scalars(select(CaseLink).where(
        or_(CaseLink.case_id == case_id, CaseLink.other_id == case_id)).order_by(CaseLink.created_at, CaseLink.id)))


def link_between(session: Session, a_id: int, b_id: int) -> CaseLink | None:
    return session.scalars(select(CaseLink).where(or_(
        (CaseLink.case_id == a_id) & (CaseLink.other_id == b_id),
        (CaseLink.case_id == b_id) & (CaseLink.other_id == a_id)))).first()


def cases_by_ids(session: Session, ids: set[int]) -> dict[int, Case]:
    if not ids:
        return {}
    return {case.id: case for case in session.scalars(select(Case).where(Case.id.in_(ids)))}


def same_person_customer_ids(session: Session, customer: Customer) -> set[int]:
    """The customer and every customer record that shares one of their e-mail address or phone number."""
    contacts = []
    if customer.email:
        contacts.append(Customer.email == customer.email)
    if customer.phone:
        contacts.append(Customer.phone == customer.phone)
    ids = {customer.id}
    if contacts:
        ids |= set(session.scalars(select(Customer.id).where(or_(*contacts))).all())
    return ids


def open_cases_of_customers(session: Session, customer_ids: set[int], since: datetime, *,
                            excluding: int) -> list[Case]:
    """Open cases of these customers created since ``since`` (newest first), but not ``excluding``."""
    return list(session.scalars(
        select(Case).where(Case.customer_id.in_(customer_ids), Case.is_open, Case.id != excluding,
                           Case.created_at >= since).order_by(Case.created_at.desc(), Case.id.desc())).all())


def message_counts(session: Session, case_ids: set[int]) -> dict[int, int]:
    """How many messages each of these cases has (a case without any is left out)."""
    if not case_ids:
        return {}
    return dict(session.execute(select(Message.case_id, func.count()).where(Message.case_id.in_(case_ids))
                                .group_by(Message.case_id)).all())
