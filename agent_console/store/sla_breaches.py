"""The sweeper's queries: open cases with a clock past due, and the breaches recorded already (the rules are in
domain/sla.py and domain/sla_monitor.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import select

from agent_console.store.models import Case, SlaEvent, SlaEventKind

C = Case.__table__.c


def open_cases_due_before(session, now: datetime) -> Iterator[SimpleNamespace]:
    """Open cases whose earliest running due time (``sla_due_at``, on the partial index) is before ``now``, earliest
    first, with the columns the SLA rule reads (id, key, is_open, first_response_at, the three due times,
    sla_paused_at)."""
    columns = (C.id, C.key, C.is_open, C.first_response_at, C.first_response_due, C.next_update_due,
               C.resolution_due, C.sla_paused_at)
    query = select(*columns).where(C.is_open == True, C.sla_due_at < now)  # noqa: E712
    for row in session.execute(query.order_by(C.sla_due_at)):
        yield SimpleNamespace(**row._mapping)


def recorded_breaches(session, case_ids: list[int]) -> set[tuple[int, str, datetime]]:
    """(case id, target, due time) of every breach event already recorded for these cases."""
    rows = session.execute(select(SlaEvent.case_id, SlaEvent.target, SlaEvent.due_at).where(
        SlaEvent.case_id.in_(case_ids), SlaEvent.event == SlaEventKind.breached))
    return {(case_id, target, due) for case_id, target, due in rows}
