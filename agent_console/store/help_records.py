"""The queries of the help center's records: contact forms sent, searches, and the self-service figures over them
(the rules are in domain/help_contact.py and domain/selfservice.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import distinct, func, select

from agent_console.store.models import HelpContact, HelpFeedback, HelpSearch


def contacts_from_since(session, sender: str, since: datetime) -> int:
    """How many contact forms ``sender`` (lower case) sent since ``since``."""
    return session.scalar(select(func.count()).select_from(HelpContact)
                          .where(HelpContact.sender == sender, HelpContact.created_at >= since)) or 0


def record_search(session, now: datetime, query: str, hits: int, language: str, visit: str) -> None:
    session.add(HelpSearch(query=query, hits=hits, language=language, visit=visit, created_at=now))
    session.flush()


def record_searches(session, rows: list[tuple[datetime, str, int, str, str]]) -> None:
    """Many searches at once: (time, query, hits, language, visit) each, one flush."""
    session.add_all([HelpSearch(query=query, hits=hits, language=language, visit=visit, created_at=at)
                     for at, query, hits, language, visit in rows])
    session.flush()


def answer_counts(session, start: datetime, end: datetime) -> tuple[int, int]:
    """("yes" answers, "no" answers) in ``start`` ≤ time < ``end``."""
    rows = session.execute(select(HelpFeedback.solved, func.count()).where(
        HelpFeedback.created_at >= start, HelpFeedback.created_at < end).group_by(HelpFeedback.solved)).all()
    counts = {bool(solved): count for solved, count in rows}
    return counts.get(True, 0), counts.get(False, 0)


def solved_visits_without_contact(session, start: datetime, end: datetime) -> int:
    """Visits with a "yes" answer in the period that sent no contact form in it."""
    contacted = select(HelpContact.visit).where(HelpContact.created_at >= start, HelpContact.created_at < end,
                                                HelpContact.visit != "")
    return session.scalar(select(func.count(distinct(HelpFeedback.visit))).where(
        HelpFeedback.solved.is_(True), HelpFeedback.created_at >= start, HelpFeedback.created_at < end,
        HelpFeedback.visit != "", HelpFeedback.visit.not_in(contacted))) or 0


def contacts_between(session, start: datetime, end: datetime) -> int:
    return session.scalar(select(func.count()).select_from(HelpContact).where(
        HelpContact.created_at >= start, HelpContact.created_at < end)) or 0


def search_counts(session, start: datetime, end: datetime) -> tuple[int, int]:
    """(searches, searches without results) in the period."""
    in_period = (HelpSearch.created_at >= start, HelpSearch.created_at < end)
    total = session.scalar(select(func.count()).select_from(HelpSearch).where(*in_period)) or 0
    empty = session.scalar(select(func.count()).select_from(HelpSearch).where(*in_period, HelpSearch.hits == 0)) or 0
    return total, empty


def top_searches_without_results(session, start: datetime, end: datetime, limit: int) -> list[tuple[str, int, int]]:
    """(query, times searched, distinct visits) of the searches that found nothing, most frequent first."""
    rows = session.execute(
        select(HelpSearch.query, func.count(), func.count(distinct(HelpSearch.visit)))
        .where(HelpSearch.created_at >= start, HelpSearch.created_at < end, HelpSearch.hits == 0)
        .group_by(HelpSearch.query).order_by(func.count().desc(), HelpSearch.query).limit(limit)).all()
    return [(query, count, visits) for query, count, visits in rows]
