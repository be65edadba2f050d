"""A case's handling time is the sum of its closed segments to the microsecond, every agent's, by kind; running
segments and other cases do not count (a real SQLite store, a frozen clock)."""

from __future__ import annotations

import pytest

from agent_console.domain.cases import CaseService
from agent_console.domain.handling import HandlingTracker, closed_seconds, correct_time, handling_summary


def test_closed_segments_of_every_agent_add_up_to_the_microsecond(store, agents, clock):
    service = CaseService(store, clock, agents["anna"])
    case = service.create_case(customer="kunde@example.de", channel="phone", queue="Billing", subject="Rechnung",
                               body="Hallo")
    other = service.create_case(customer="zweite@example.de", channel="email", queue="Billing", subject="Zweite",
                                body="Hallo")
    anna = HandlingTracker(store, clock, agents["anna"])
    ben = HandlingTracker(store, clock, agents["ben"])

    anna.case_opened(case.id)
    clock.advance(12.345678)
    anna.resolved(case.id)  # 12.345678 s handle, then wrap-up starts
    clock.advance(0.000001)
    anna.wrap_up_done("billing")  # 0.000001 s wrap-up
    ben.case_opened(case.id)
    clock.advance(7.5)
    ben.case_left()  # 7.5 s handle by another agent
    ben.case_opened(other.id)
    clock.advance(100)
    ben.case_left()  # another case's time
    anna.case_opened(case.id)
    clock.advance(40)  # running: not counted until it ends

    to_the_microsecond = {"abs": 1e-7, "rel": 0}
    assert closed_seconds(store, case.id) == pytest.approx(19.845679, **to_the_microsecond)
    correct_time(store, clock, case.id, -0.5, "double counted", agents["sue"])
    assert handling_summary(store, case.id) == pytest.approx(
        {"handle": 19.845678, "wrap_up": 0.000001, "corrections": -0.5, "total": 19.345679}, **to_the_microsecond)
    assert handling_summary(store, other.id)["total"] == 100.0
