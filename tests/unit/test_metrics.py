"""Metric formulas on small, hand-computed data sets (expected numbers worked out in the comments)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from agent_console.domain import metrics
from agent_console.domain.cases import CaseService
from agent_console.domain.escalation import EscalationService
from agent_console.domain.handling import HandlingTracker, correct_time
from agent_console.domain.sla_monitor import SlaSweeper
from agent_console.store.models import HandlingSegment, Survey

UTC = timezone.utc
WIDE = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


def by_group(rows):
    return {r.group: r for r in rows}


def new_case(store, clock, agent, contact, channel="phone", queue="Billing"):
    return CaseService(store, clock, agent).create_case(customer=contact, channel=channel, queue=queue,
                                                        subject="s", body="b")


def test_aht_is_handle_plus_wrap_up_plus_corrections_per_handled_case(store, agents, clock):
    anna, ben, sue = agents["anna"], agents["ben"], agents["sue"]
    a = new_case(store, clock, anna, "a@example.com", queue="Billing")
    b = new_case(store, clock, anna, "b@example.com", channel="email", queue="Technical")
    anna_t = HandlingTracker(store, clock, anna, idle_timeout_s=120, wrap_up_timeout_s=120)
    ben_t = HandlingTracker(store, clock, ben, idle_timeout_s=120, wrap_up_timeout_s=120)

    # Case A, Anna: 40 s, then idle (not counted), back for 20 s, resolve, 30 s wrap-up -> 60 handle + 30 wrap-up.
    anna_t.case_opened(a.id)
    clock.advance(40)
    anna_t.activity()
    clock.advance(150)
    anna_t.tick()
    anna_t.activity()
    clock.advance(20)
    CaseService(store, clock, anna).resolve(a.id)
    anna_t.resolved(a.id)
    clock.advance(30)
    anna_t.wrap_up_done("resolved")
    # Case B: Anna 100 s; Ben 50 s, resolves, wrap-up runs into the 120 s timeout; Sue adds 30 s for Ben.
    anna_t.case_opened(b.id)
    clock.advance(100)
    anna_t.case_left()
    ben_t.case_opened(b.id)
    clock.advance(50)
    ben_t.resolved(b.id)
    clock.advance(200)
    ben_t.tick()
    correct_time(store, clock, b.id, 30, "phone call not tracked", sue, agent_id=ben.id)
    # A running segment (not yet closed) does not count.
    ben_t.case_opened(a.id)
    clock.advance(500)

    with store.session() as session:
        [overall] = metrics.aht(session, *WIDE)
        per_agent = by_group(metrics.aht(session, *WIDE, by="agent"))
        per_queue = by_group(metrics.aht(session, *WIDE, by="queue"))
    # Overall: handle 60 + 100 + 50 = 210, wrap-up 30 + 120 = 150, corrections 30 -> 390 s over 2 cases = 195 s.
    assert (overall.count, overall.value) == (2, 195.0)
    assert overall.detail == {"handle_s": 210.0, "wrap_up_s": 150.0, "corrections_s": 30.0, "total_s": 390.0}
    # Anna: (60 + 30 + 100) / 2 cases = 95 s. Ben: (50 + 120 + 30) / 1 case = 200 s.
    assert {g: (r.count, r.value) for g, r in per_agent.items()} == {"anna": (2, 95.0), "ben": (1, 200.0)}
    # Billing (case A): 90 s. Technical (case B): 100 + 50 + 120 + 30 = 300 s.
    assert {g: r.value for g, r in per_queue.items()} == {"Billing": 90.0, "Technical": 300.0}


def test_aht_by_day_uses_the_viewers_zone(store, agents, clock):
    case = new_case(store, clock, agents["anna"], "d@example.com")
    with store.transaction() as session:
        # 23:30 UTC on Monday is already Tuesday 00:30 in Berlin.
        for start, seconds in ((datetime(2026, 11, 23, 10, tzinfo=UTC), 60),
                               (datetime(2026, 11, 23, 23, 30, tzinfo=UTC), 120)):
            session.add(HandlingSegment(case_id=case.id, agent_id=agents["anna"].id, kind="handle", started_at=start,
                                        ended_at=start + timedelta(seconds=seconds), end_reason="switch"))
    with store.session() as session:
        utc_days = {r.group: r.value for r in metrics.aht(session, *WIDE, by="day")}
        berlin_days = {r.group: r.value for r in metrics.aht(session, *WIDE, by="day", tz="Europe/Berlin")}
    assert utc_days == {"2026-11-23": 180.0}
    assert berlin_days == {"2026-11-23": 60.0, "2026-11-24": 120.0}


def test_fcr_counts_reopens_within_the_window_only(store, agents, clock):
    anna, ben = agents["anna"], agents["ben"]
    anna_svc, ben_svc = CaseService(store, clock, anna), CaseService(store, clock, ben)
    t0 = clock.now()
    f1 = new_case(store, clock, anna, "f1@example.com")  # one contact, never reopened          -> FCR (Anna)
    f2 = new_case(store, clock, anna, "f2@example.com")  # reopened 3 days later (in window)     -> not (Ben)
    f3 = new_case(store, clock, anna, "f3@example.com")  # reopened 10 days later (after window) -> FCR (Anna)
    f4 = new_case(store, clock, anna, "f4@example.com")  # customer wrote twice before resolved  -> not (Ben)
    f5 = new_case(store, clock, anna, "f5@example.com")  # resolved 6 days in: window still open -> undecided
    anna_svc.add_inbound(f4.id, "Hallo? Noch da?")
    for svc, case in ((anna_svc, f1), (ben_svc, f2), (anna_svc, f3), (ben_svc, f4)):
        svc.claim(case.id)
        svc.resolve(case.id)
    clock.set(t0 + timedelta(days=3))
    anna_svc.add_inbound(f2.id, "Geht schon wieder nicht")
    clock.set(t0 + timedelta(days=6))
    anna_svc.resolve(f5.id)
    clock.set(t0 + timedelta(days=10))
    anna_svc.add_inbound(f3.id, "Neues Problem")
    clock.set(t0 + timedelta(days=12))

    with store.session() as session:
        [overall] = metrics.fcr(session, *WIDE, now=clock.now(), window_days=7)
        per_agent = by_group(metrics.fcr(session, *WIDE, now=clock.now(), window_days=7, by="agent"))
        # With a 14-day window, F3's reopen after 10 days counts against it, and nothing is decided yet.
        [long_window] = metrics.fcr(session, *WIDE, now=clock.now() + timedelta(days=30), window_days=14)
    # Decided: F1..F4; first-contact resolved: F1, F3 -> 2 / 4 = 50 %; F5 undecided.
    assert (overall.count, overall.value, overall.detail["undecided"]) == (4, 50.0, 1)
    assert {g: (r.count, r.value) for g, r in per_agent.items()} == {"anna": (2, 100.0), "ben": (2, 0.0)}
    assert per_agent["anna"].detail["undecided"] == 1
    # 14-day window, judged later: F1 and F5 only -> 2 / 5 = 40 %.
    assert (long_window.count, long_window.value) == (5, 40.0)


def test_service_level_asa_and_escalation_rate(store, agents, clock):
    anna = agents["anna"]
    svc = CaseService(store, clock, anna)
    s1 = new_case(store, clock, anna, "s1@example.com")  # phone, answered after 60 s  -> met
    s2 = new_case(store, clock, anna, "s2@example.com")  # phone, answered after 120 s -> missed
    s3 = new_case(store, clock, anna, "s3@example.com")  # phone, never answered, due passed -> missed (auto-escalated)
    s4 = new_case(store, clock, anna, "s4@example.com", channel="email")  # due in 4 h -> undecided (escalated)
    clock.advance(60)
    svc.reply(s1.id, "Hallo")
    clock.advance(60)
    svc.reply(s2.id, "Hallo")
    clock.advance(80)
    SlaSweeper(store, clock).run_once()
    EscalationService(store, clock, anna).escalate(s4.id, to_tier=2, reason="specialist")

    with store.session() as session:
        [sl] = metrics.service_level(session, *WIDE, now=clock.now())
        [speed] = metrics.asa(session, *WIDE, now=clock.now())
        [rate] = metrics.escalation_rate(session, *WIDE)
        by_channel = by_group(metrics.escalation_rate(session, *WIDE, by="channel"))
    # Decided: S1, S2, S3; met: S1 -> 33.3 %. ASA: (60 + 120) / 2 = 90 s.
    assert (sl.count, sl.detail["met"]) == (3, 1)
    assert sl.value == pytest.approx(100 / 3)
    assert (speed.count, speed.value) == (2, 90.0)
    # 2 of 4 cases escalated (S3 automatically, S4 manually) -> 50 %.
    assert (rate.count, rate.value, rate.detail) == (4, 50.0, {"escalated": 2, "automatic": 1})
    assert {g: r.value for g, r in by_channel.items()} == {"email": 100.0, "phone": pytest.approx(100 / 3)}
    del s3


def test_csat_nps_ces_and_complaints_per_customer(store, agents, clock):
    anna = agents["anna"]
    cases = [new_case(store, clock, anna, "x@example.com", queue="Complaints"),
             new_case(store, clock, anna, "x@example.com", queue="Billing"),
             new_case(store, clock, anna, "y@example.com", queue="Complaints"),
             new_case(store, clock, anna, "z@example.com", queue="General"),
             new_case(store, clock, anna, "z@example.com", queue="General")]
    answers = [(5, 10, 2), (4, 9, 3), (3, 9, None), (1, 7, 7), (None, 3, None)]
    with store.transaction() as session:
        for case, (csat_v, nps_v, ces_v) in zip(cases, answers):
            session.add(Survey(case_id=case.id, csat=csat_v, nps=nps_v, ces=ces_v, created_at=clock.now()))

    with store.session() as session:
        [csat] = metrics.csat(session, *WIDE)
        [nps] = metrics.nps(session, *WIDE)
        [ces] = metrics.ces(session, *WIDE)
        [complaints] = metrics.complaints_per_customer(session, *WIDE)
        csat_by_queue = {r.group: r.value for r in metrics.csat(session, *WIDE, by="queue")}
    # CSAT: 5 and 4 of the 4 answers (5, 4, 3, 1) -> 50 %.
    assert (csat.count, csat.value) == (4, 50.0)
    # NPS: promoters 10, 9, 9 (3); passive 7; detractor 3 -> (3 - 1) / 5 = 40.
    assert (nps.count, nps.value) == (5, 40.0)
    assert nps.detail == {"promoters": 3, "passives": 1, "detractors": 1}
    # CES: (2 + 3 + 7) / 3 = 4.
    assert (ces.count, ces.value) == (3, 4.0)
    # Complaints: 2 cases in Complaints, 3 distinct customers (x, y, z) -> 0.667.
    assert (complaints.count, complaints.detail["complaints"]) == (3, 2)
    assert complaints.value == pytest.approx(2 / 3)
    # Per queue: Complaints (5, 3) -> 50 %; Billing (4) -> 100 %; General (1; the other has no CSAT) -> 0 %.
    assert csat_by_queue == {"Billing": 100.0, "Complaints": 50.0, "General": 0.0}


def test_the_range_is_half_open_and_empty_ranges_give_no_rows(store, agents, clock):
    new_case(store, clock, agents["anna"], "r@example.com")
    now = clock.now()
    with store.session() as session:
        assert metrics.escalation_rate(session, now, now + timedelta(days=1))[0].count == 1
        assert metrics.escalation_rate(session, now - timedelta(days=1), now) == []
        assert metrics.csat(session, *WIDE) == []


def test_day_range_uses_local_midnights_and_rejects_reversed_ranges():
    from datetime import date

    start, end = metrics.day_range(date(2026, 10, 25), date(2026, 10, 25), today=date(2026, 11, 1),
                                   tz="Europe/Berlin")
    assert (start, end) == (datetime(2026, 10, 24, 22, tzinfo=UTC), datetime(2026, 10, 25, 23, tzinfo=UTC))
    start, end = metrics.day_range(None, None, today=date(2026, 11, 23))
    assert (start, end) == (datetime(2026, 11, 17, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC))
    with pytest.raises(metrics.MetricError, match="is after"):
        metrics.day_range(date(2026, 11, 2), date(2026, 11, 1), today=date(2026, 11, 23))
    with pytest.raises(metrics.MetricError, match="unknown grouping"):
        metrics._check_by("week")
