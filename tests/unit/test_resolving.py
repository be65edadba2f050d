"""The one rule for when resolving a case is confirmed first (``domain/resolving.py``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from agent_console.domain.resolving import NOT_YOURS, UNANSWERED, UNASSIGNED, customer_waiting, resolve_concerns

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def message(minutes: int, direction: str, internal: bool = False, id: int | None = None):
    return SimpleNamespace(created_at=T0 + timedelta(minutes=minutes), direction=direction, is_internal=internal,
                           id=id)


def case(assignee_id):
    return SimpleNamespace(assignee_id=assignee_id)


def test_the_customer_waits_until_a_reply_follows_their_last_message():
    assert customer_waiting([message(0, "in")])
    assert not customer_waiting([message(0, "in"), message(5, "out")])
    assert customer_waiting([message(0, "in"), message(5, "out"), message(9, "in")])
    assert not customer_waiting([])  # a case the agent opened with no customer message yet


def test_an_internal_note_is_no_reply():
    assert customer_waiting([message(0, "in"), message(5, "out", internal=True)])


def test_same_instant_goes_by_id():
    assert not customer_waiting([message(0, "in", id=1), message(0, "out", id=2)])
    assert customer_waiting([message(0, "out", id=1), message(0, "in", id=2)])


def test_concerns_of_an_answered_case_of_mine_are_none():
    assert resolve_concerns(case(7), [message(0, "in"), message(1, "out")], agent_id=7) == []


def test_concerns_name_every_reason():
    waiting = [message(0, "in")]
    assert resolve_concerns(case(7), waiting, agent_id=7) == [UNANSWERED]
    assert resolve_concerns(case(None), [], agent_id=7) == [UNASSIGNED]
    assert resolve_concerns(case(8), waiting, agent_id=7, assignee_name="Ben") == [
        UNANSWERED, NOT_YOURS.format(assignee="Ben")]
