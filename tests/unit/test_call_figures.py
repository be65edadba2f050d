"""The monitor counts callers (#20 point 5): callers in line per queue with the longest wait, the phone service level,
ASA and abandonment from the calls; without calls the phone channel keeps its figures from cases."""

from __future__ import annotations

from datetime import timezone

import pytest

from agent_console.domain.calls import parse_event, record_event
from agent_console.domain.cases import CaseService
from agent_console.domain.monitor import compute_snapshot


def _event(store, clock, **values):
    with store.transaction() as session:
        record_event(session, clock, parse_event(values))


def _call(store, clock, call_id, queue, *, ring_s, then):
    """A call that rings ``ring_s`` seconds and is then answered (and hung up) or abandoned."""
    _event(store, clock, event="newCall", callId=call_id, direction="in", queue=queue,
           **{"from": "030 1234567", "to": "0800"})
    clock.advance(ring_s)
    if then == "answer":
        _event(store, clock, event="answer", callId=call_id, user=["anna"])
        clock.advance(60)
        _event(store, clock, event="hangup", callId=call_id, cause="normalClearing")
    else:
        _event(store, clock, event="hangup", callId=call_id, cause=then)


def test_phone_figures_come_from_the_calls(store, clock, agents):
    _call(store, clock, "a1", "Billing", ring_s=30, then="answer")      # in target
    _call(store, clock, "a2", "Billing", ring_s=120, then="answer")     # late
    _call(store, clock, "a3", "Billing", ring_s=200, then="cancel")     # abandoned
    _call(store, clock, "a4", "Returns", ring_s=10, then="answer")      # in target
    _call(store, clock, "f1", "Returns", ring_s=5, then="forwarded")    # neither
    # Two callers in line in Billing now, one in Returns; the oldest Billing one since 100 s.
    _event(store, clock, event="newCall", callId="w1", direction="in", queue="Billing", **{"from": "0171 2345678"})
    clock.advance(60)
    _event(store, clock, event="newCall", callId="w2", direction="in", queue="Billing", **{"from": "0171 2345679"})
    _event(store, clock, event="newCall", callId="w3", direction="in", queue="Returns", **{"from": "0171 2345670"})
    clock.advance(40)
    snapshot = compute_snapshot(store, clock, tz=timezone.utc)

    billing, returns, floor = snapshot.queue("Billing"), snapshot.queue("Returns"), snapshot.floor
    assert (billing.callers_waiting, billing.longest_call_wait_s) == (2, 100)
    assert (returns.callers_waiting, returns.longest_call_wait_s) == (1, 40)
    # Billing: w1 waits past the 90 s target: offered a1, a2, a3, w1; within: a1.
    assert (billing.calls_offered, billing.calls_answered_in_target, billing.calls_abandoned) == (4, 1, 1)
    assert billing.phone_service_level == pytest.approx(1 / 4)
    assert billing.asa_s == pytest.approx((30 + 120) / 2)
    assert billing.abandonment_rate == pytest.approx(1 / 3)
    assert (returns.calls_offered, returns.phone_service_level, returns.abandonment_rate) == (1, 1.0, 0.0)
    assert (floor.callers_waiting, floor.calls_offered, floor.calls_answered_in_target) == (3, 5, 2)
    assert floor.asa_s == pytest.approx((30 + 120 + 10) / 3)
    phone = snapshot.channel("phone")
    assert (phone.service_level, phone.service_level_counted) == (pytest.approx(2 / 5), 5)


def test_without_calls_the_phone_keeps_its_case_figures(store, clock, agents):
    service = CaseService(store, clock, agents["anna"])
    case = service.create_case(customer="+49301234567", channel="phone", queue="Billing", subject="Rechnung",
                               body="x")
    service.claim(case.key)
    clock.advance(30)
    service.reply(case.key, "Wir prüfen das.")
    snapshot = compute_snapshot(store, clock, tz=timezone.utc)
    phone = snapshot.channel("phone")
    assert (phone.service_level, phone.service_level_counted) == (1.0, 1)
    assert (phone.calls_offered, phone.callers_waiting, phone.asa_s) == (0, 0, None)
    assert snapshot.floor.phone_service_level is None
