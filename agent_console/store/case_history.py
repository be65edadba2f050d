"""A case's recorded history besides its thread: SLA events and follow-ups, oldest first (``case history``)."""

from __future__ import annotations

from sqlalchemy import select

from agent_console.store.models import FollowUp, SlaEvent


def sla_events_of(session, case_id: int) -> list[SlaEvent]:
    return list(session.scalars(select(SlaEvent).where(SlaEvent.case_id == case_id)
                                .order_by(SlaEvent.at, SlaEvent.id)))


def follow_ups_of(session, case_id: int) -> list[FollowUp]:
    return list(session.scalars(select(FollowUp).where(FollowUp.case_id == case_id).order_by(FollowUp.id)))
