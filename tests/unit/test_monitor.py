"""The live monitor's figures on a small floor whose every number is worked out by hand below (frozen clock)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from agent_console.domain import metrics, sla
from agent_console.domain.cases import CaseService
from agent_console.domain.escalation import EscalationService
from agent_console.domain.monitor import (
    Level,
    MonitorError,
    Thresholds,
    TrendHistory,
    backfill_points,
    compute_snapshot,
    day_start_utc,
    Drill,
    drill_case_ids,
    drill_down,
    format_duration,
)
from agent_console.store.models import Agent, Case, FollowUp, HandlingCorrection, HandlingSegment, SlaPolicy, Survey

UTC = timezone.utc


def at(hh: int, mm: int = 0, ss: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hh, mm, ss, tzinfo=UTC)


def build_floor(store, clock, agents) -> dict[str, Case]:
    """Seven cases in two queues on Monday 23 Nov 2026; "now" is 09:00 UTC. See each case's comment."""
    anna, ben, sue = agents["anna"], agents["ben"], agents["sue"]
    with store.transaction() as session:
        session.add(SlaPolicy(channel="phone", first_response_s=90, next_update_s=None, resolution_s=8 * 3600,
                              at_risk_fraction=0.8, service_level_goal=0.8))
        session.add(SlaPolicy(channel="email", first_response_s=4 * 3600, next_update_s=None,
                              resolution_s=3 * 86400, at_risk_fraction=0.8, service_level_goal=0.9))
    as_anna, as_ben = CaseService(store, clock, anna), CaseService(store, clock, ben)
    cases = {}

    def create(name, when, **kw):
        clock.set(when)
        cases[name] = as_anna.create_case(customer=f"{name}@example.com", subject=f"case {name}", body="hello", **kw)

    # c6: e-mail, Billing, created yesterday, the customer wrote twice; anna resolves it today at 08:40.
    create("c6", at(20, 0, day=22), channel="email", queue="Billing")
    clock.set(at(21, 0, day=22))
    as_anna.add_inbound(cases["c6"].id, "any news?")
    # c4: e-mail, Delivery, 02:00, never answered (due 06:00), pending on the customer, nobody assigned.
    create("c4", at(2, 0), channel="email", queue="Delivery")
    clock.set(at(2, 5))
    as_anna.set_status(cases["c4"].id, "pending")
    # c3: e-mail, Billing, 07:00; anna claims it and answers at 07:30 (within 4 h); still open.
    create("c3", at(7, 0), channel="email", queue="Billing")
    clock.set(at(7, 10))
    as_anna.claim(cases["c3"].id)
    clock.set(at(7, 30))
    as_anna.reply(cases["c3"].id, "on it")
    # c5: phone, Delivery, 08:00; ben answers at 08:01 (within 90 s) and resolves at 08:30 on the first contact.
    create("c5", at(8, 0), channel="phone", queue="Delivery")
    clock.set(at(8, 0, 30))
    as_ben.claim(cases["c5"].id)
    clock.set(at(8, 1))
    as_ben.reply(cases["c5"].id, "hello, ben here")
    clock.set(at(8, 30))
    as_ben.resolve(cases["c5"].id)
    clock.set(at(8, 40))
    as_anna.resolve(cases["c6"].id)
    # c2: phone, Billing, 08:50, waiting, first response due 08:51:30: breached.
    create("c2", at(8, 50), channel="phone", queue="Billing")
    # c7: phone, Billing, 08:55; sue escalates it to tier 2 at 08:57 (due 08:56:30: breached, and escalated).
    create("c7", at(8, 55), channel="phone", queue="Billing")
    clock.set(at(8, 57))
    EscalationService(store, clock, sue).escalate(cases["c7"].id, to_tier=2, reason="needs tier 2")
    # c1: phone, Billing, 08:58:45, waiting; due 09:00:15: 15 s left of 90 (<= 18 s = 20 %): at risk.
    create("c1", at(8, 58, 45), channel="phone", queue="Billing")
    clock.set(at(9, 0))

    with store.transaction() as session:
        session.add_all([
            # ben: c5 handled 08:00:30–08:25:30 (1500 s) + 60 s wrap-up.
            HandlingSegment(case_id=cases["c5"].id, agent_id=ben.id, kind="handle", started_at=at(8, 0, 30),
                            ended_at=at(8, 25, 30), heartbeat_at=at(8, 25, 30)),
            HandlingSegment(case_id=cases["c5"].id, agent_id=ben.id, kind="wrap_up", started_at=at(8, 30),
                            ended_at=at(8, 31), heartbeat_at=at(8, 31)),
            # anna: c6 handled 08:35–08:40 (300 s); c3 open right now since 08:50 (running, not counted in AHT).
            HandlingSegment(case_id=cases["c6"].id, agent_id=anna.id, kind="handle", started_at=at(8, 35),
                            ended_at=at(8, 40), heartbeat_at=at(8, 40)),
            HandlingSegment(case_id=cases["c3"].id, agent_id=anna.id, kind="handle", started_at=at(8, 50),
                            heartbeat_at=at(8, 59, 50)),
            # A segment of yesterday: not today's AHT.
            HandlingSegment(case_id=cases["c6"].id, agent_id=anna.id, kind="handle", started_at=at(21, 0, day=22),
                            ended_at=at(21, 10, day=22), heartbeat_at=at(21, 10, day=22)),
            Survey(case_id=cases["c5"].id, csat=5, created_at=at(8, 45)),
            Survey(case_id=cases["c6"].id, csat=2, created_at=at(8, 50)),
            # anna must check back on c3 by 08:30: overdue.
            FollowUp(case_id=cases["c3"].id, agent_id=anna.id, due_at=at(8, 30), note="call back",
                     created_at=at(7, 30)),
        ])
        for agent, state, since in ((anna, "handling", at(8, 35)), (ben, "available", at(8, 31))):
            row = session.get(Agent, agent.id)
            row.state, row.state_since = state, since
    return cases


@pytest.fixture
def floor(store, clock, agents):
    return build_floor(store, clock, agents)


def test_queue_figures_match_the_hand_computed_numbers(store, clock, agents, floor):
    snap = compute_snapshot(store, clock, tz=UTC)
    billing = snap.queue("Billing")
    assert billing.open_cases == 4  # c1, c2, c3, c7
    assert billing.waiting == 3  # c1, c2, c7 (c3 is anna's)
    assert billing.longest_wait_s == 600  # c2 since 08:50
    assert billing.at_risk == 1  # c1
    assert billing.breached == 2  # c2, c7
    assert billing.escalations == 1  # c7
    # Created today: c1 not yet due (not counted), c2 and c7 missed, c3 answered in time.
    assert (billing.answered_in_target, billing.service_level_counted) == (1, 3)
    assert billing.service_level == pytest.approx(1 / 3)
    assert billing.service_level_goal == pytest.approx((0.8 + 0.9 + 0.8) / 3)
    assert billing.resolved_today == 1 and billing.fcr == 0.0  # c6 took two contacts
    assert billing.handled_today == 1 and billing.aht_s == pytest.approx(300)
    assert billing.csat == 0.0 and billing.surveys_today == 1

    delivery = snap.queue("Delivery")
    assert delivery.open_cases == 1 and delivery.waiting == 0  # c4 is pending on the customer
    assert delivery.longest_wait_s is None
    assert delivery.breached == 1  # c4's first response was due at 06:00
    assert delivery.service_level == pytest.approx(0.5)  # c5 in time, c4 missed
    assert delivery.fcr == 1.0 and delivery.aht_s == pytest.approx(1560) and delivery.csat == 1.0


def test_floor_channels_agents_and_due_items(store, clock, agents, floor):
    snap = compute_snapshot(store, clock, tz=UTC)
    assert snap.day_start == at(0, 0)
    f = snap.floor
    assert (f.waiting, f.at_risk, f.breached, f.escalations) == (3, 1, 3, 1)
    assert f.service_level == pytest.approx(2 / 5)
    assert f.aht_s == pytest.approx((300 + 1560) / 2)
    assert f.fcr == 0.5 and f.csat == 0.5
    phone = snap.channel("phone")
    assert (phone.waiting, phone.breached, phone.at_risk) == (3, 2, 1)
    assert phone.service_level == pytest.approx(1 / 3)  # c5 in time; c2, c7 missed; c1 not yet due
    assert phone.service_level_goal == 0.8
    assert snap.channel("email").service_level == pytest.approx(0.5)  # c3 in time, c4 missed

    anna, ben, sue = snap.agent("anna"), snap.agent("ben"), snap.agent("sue")
    assert (anna.state, anna.time_in_state_s, anna.current_case_key) == ("handling", 1500, floor["c3"].key)
    assert (anna.handled_today, anna.aht_s) == (1, pytest.approx(300))
    assert (ben.state, ben.time_in_state_s, ben.current_case_key) == ("available", 1740, None)
    assert (ben.handled_today, ben.aht_s) == (1, pytest.approx(1560))
    assert (sue.handled_today, sue.aht_s) == (0, None)
    assert [a.login for a in snap.agents] == ["anna", "ben", "sue"]  # handling, available, offline

    assert [(d.kind, d.case_key, d.overdue) for d in snap.due] == [
        ("follow-up", floor["c3"].key, True), ("escalation", floor["c7"].key, True)]
    assert (snap.due_total, snap.overdue_total) == (2, 2)


def test_at_risk_and_breached_agree_with_the_sla_rules(store, clock, agents, floor):
    """The SQL counts are the state of each open case's most urgent target by domain.sla."""
    from agent_console.store import queries

    for minutes in (0, 0.25, 1, 5):
        clock.set(at(9, 0) + timedelta(minutes=minutes))
        now = clock.now()
        snap = compute_snapshot(store, clock, tz=UTC)
        with store.session() as session:
            states = []
            for case in session.scalars(select(Case).where(Case.is_open == True)).all():  # noqa: E712
                targets = sla.running_targets(case, queries.policy_for(session, case.channel, case.priority), now)
                running = [t for t in targets if t.state != sla.SlaState.paused]
                if running:
                    states.append(running[0].state)
        assert snap.floor.at_risk == states.count(sla.SlaState.at_risk), minutes
        assert snap.floor.breached == states.count(sla.SlaState.breached), minutes


def metric_rows_by_group(session, snap, now, metric):
    """(the snapshot's figures of every queue and channel, metric's row for that group or None)."""
    for by, groups in (("queue", snap.queues), ("channel", snap.channels)):
        rows = {row.group: row for row in metric(session, snap.day_start, now, by=by)}
        for group in groups:
            yield group, rows.get(group.name)


def test_aht_is_metrics_aht(store, clock, agents, floor):
    """The monitor computes AHT in one pass, with metrics.aht's formula: same numbers for every grouping."""
    with store.transaction() as session:
        session.add(HandlingCorrection(case_id=floor["c6"].id, agent_id=agents["anna"].id, delta_seconds=-60,
                                       reason="left it open during a call", corrected_by_id=agents["sue"].id,
                                       created_at=at(8, 55)))
    snap = compute_snapshot(store, clock, tz=UTC)
    with store.session() as session:
        for g, row in metric_rows_by_group(session, snap, clock.now(), metrics.aht):
            assert (g.handled_today, g.aht_s) == ((row.count, pytest.approx(row.value)) if row else (0, None))
        (everyone,) = metrics.aht(session, snap.day_start, clock.now())
        assert snap.floor.aht_s == pytest.approx(everyone.value) and snap.floor.handled_today == everyone.count
        for row in metrics.aht(session, snap.day_start, clock.now(), by="agent"):
            assert snap.agent(row.group).aht_s == pytest.approx(row.value)
    assert snap.queue("Billing").aht_s == pytest.approx(240)


def test_the_day_starts_at_midnight_in_the_supervisors_zone(store, clock, agents, floor):
    from zoneinfo import ZoneInfo

    # 09:00 UTC is 10:00 in Berlin; the day started at 23:00 UTC the evening before, so c6's creation (20:00 UTC on
    # the 22nd) is still yesterday, and nothing else changes.
    snap = compute_snapshot(store, clock, tz=ZoneInfo("Europe/Berlin"))
    assert snap.day_start == at(23, 0, day=22)
    assert snap.floor.service_level == pytest.approx(2 / 5)
    # In Honolulu (UTC-10) it is still Sunday 23:00: today began at 10:00 UTC on the 22nd, which takes in c6.
    snap = compute_snapshot(store, clock, tz=ZoneInfo("Pacific/Honolulu"))
    assert snap.day_start == at(10, 0, day=22)
    assert snap.queue("Billing").created_today == 5


def test_figures_follow_the_data_and_the_clock(store, clock, agents, floor):
    before = compute_snapshot(store, clock, tz=UTC).queue("Billing")
    CaseService(store, clock, agents["anna"]).claim(floor["c1"].id)
    clock.advance(60)
    after = compute_snapshot(store, clock, tz=UTC).queue("Billing")
    assert after.waiting == before.waiting - 1  # c1 claimed: no longer waiting
    assert after.longest_wait_s == before.longest_wait_s + 60  # c2 still waits, a minute longer
    assert (before.at_risk, before.breached) == (1, 2)
    assert (after.at_risk, after.breached) == (0, 3)  # c1's first response (due 09:00:15) is now overdue


def test_thresholds_levels_and_validation(store, clock, agents, floor):
    thresholds = Thresholds.from_setting({"default": {"waiting": [5, 10]}, "Billing": {"waiting": [2, 4]},
                                          "channel:phone": {"breached": [3, 9], "breached_share": [0.9, 1]}})
    snap = compute_snapshot(store, clock, tz=UTC, thresholds=thresholds)
    billing = snap.queue("Billing")
    assert billing.levels["waiting"] == Level.warning  # 3 waiting >= 2
    assert billing.levels["breached"] == Level.critical  # 2 of 4 open cases: past the default 15 % share
    assert billing.longest_wait_share == pytest.approx(600 / (8 * 3600))  # c2, a phone case: 8 h to resolve
    assert billing.levels["longest_wait_s"] == Level.ok
    strict = Thresholds.from_setting({"Billing": {"longest_wait_s": [300, 900], "breached_share": [0.6, 0.9]}})
    strict_billing = compute_snapshot(store, clock, tz=UTC, thresholds=strict).queue("Billing")
    assert strict_billing.levels["longest_wait_s"] == Level.warning  # 600 s >= 300 s
    assert strict_billing.levels["breached"] == Level.ok  # 50 % < 60 %
    assert billing.levels["service_level"] == Level.critical  # 33 % against an 83 % goal
    assert billing.level == Level.critical and billing.symbol == "✖"
    assert snap.channel("phone").levels["breached"] == Level.ok  # 2 < 3 and 2 of 3 open < 90 % for phone
    assert snap.queue("Delivery").levels["waiting"] == Level.ok
    assert Thresholds.from_setting('{"Billing": {"waiting": [1, 2]}}').for_scope("Billing")["waiting"] == (1, 2)
    with pytest.raises(MonitorError, match="unknown figure 'waitng'"):
        Thresholds.from_setting({"Billing": {"waitng": [1, 2]}})
    with pytest.raises(MonitorError, match="critical .* is below warning"):
        Thresholds.from_setting({"default": {"waiting": [10, 5]}})
    with pytest.raises(MonitorError, match=r"expected \[warning, critical\]"):
        Thresholds.from_setting({"default": {"waiting": "many"}})


def test_the_deflection_threshold_is_worse_when_lower_and_off_by_default():
    thresholds = Thresholds.from_setting({"default": {"deflection": [0.5, 0.3]}})
    assert [thresholds.deflection_level(rate) for rate in (0.8, 0.5, 0.49, 0.3, 0.29, None)] == [
        Level.ok, Level.ok, Level.warning, Level.warning, Level.critical, Level.ok]
    assert Thresholds().deflection_level(0.0) == Level.ok  # no goal set: never judged
    with pytest.raises(MonitorError, match=r"critical \(0.5\) is above warning \(0.3\); this figure is worse"):
        Thresholds.from_setting({"default": {"deflection": [0.3, 0.5]}})


def test_backfill_and_trend_series(store, clock, agents, floor):
    points = backfill_points(store, clock, tz=UTC, hours=2)
    # 07:00: c4, c6 unanswered and c3 (created 07:00, answered 07:30); SL: only c4 decided, missed.
    # 08:00: c4, c6 and c5 (created 08:00, answered 08:01); SL: c3 in time, c4 missed.
    assert points == [(at(7), 3.0, 0.0), (at(8), 3.0, 0.5)]
    trend = TrendHistory(span_s=3 * 3600, bucket_s=300)
    trend.add_points(points)
    trend.record(compute_snapshot(store, clock, tz=UTC))
    waiting = trend.series("waiting", clock.now())
    assert waiting[0] == 3.0 and waiting[-1] == 3.0 and len(waiting) == 25  # 07:00 … 09:00 in 5-minute buckets
    assert trend.series("service_level", clock.now())[-1] == pytest.approx(40.0)
    # Two hours on, the 07:00 hour is older than the 3-hour span and dropped; 08:00 onwards is kept.
    clock.advance(hours=2)
    trend.record(compute_snapshot(store, clock, tz=UTC))
    assert min(trend.waiting) == int(at(8).timestamp()) // 300
    assert len(trend.series("waiting", clock.now())) == 3 * 3600 // 300


def test_drill_down_lists_the_queues_open_cases_most_urgent_first(store, clock, agents, floor):
    total, rows = drill_down(store, clock.now(), Drill("open", "queue", "Billing"))
    assert total == 4
    assert [r["key"] for r in rows] == [floor[name].key for name in ("c2", "c7", "c1", "c3")]
    total, rows = drill_down(store, clock.now(), Drill("open", "channel", "email"), limit=1)
    assert total == 2 and len(rows) == 1


def _figure(group, figure: str) -> int:
    return {"open": group.open_cases, "waiting": group.waiting, "longest": int(group.longest_wait_s is not None),
            "at_risk": group.at_risk, "breached": group.breached, "escalated": group.escalations}[figure]


def assert_drills_match_the_figures(store, now, snap) -> int:
    """Every figure's drill-down lists exactly as many cases as the figure counts. Returns how many it checked."""
    checked = 0
    for kind, groups in (("floor", [snap.floor]), ("queue", snap.queues), ("channel", snap.channels)):
        for group in groups:
            for figure in ("open", "waiting", "longest", "at_risk", "breached", "escalated"):
                ids = drill_case_ids(store, now, Drill(figure, kind, "" if kind == "floor" else group.name))
                assert len(ids) == _figure(group, figure), (kind, group.name, figure)
                checked += 1
    for agent in snap.agents:
        assert len(drill_case_ids(store, now, Drill("open", "agent", agent.login))) == agent.open_cases
    assert len(drill_case_ids(store, now, Drill("follow_ups"))) == snap.follow_ups_due
    return checked


def test_each_figures_drill_down_lists_exactly_its_cases(store, clock, agents, floor):
    now = clock.now()
    snap = compute_snapshot(store, clock, tz=UTC)
    assert assert_drills_match_the_figures(store, now, snap) > 20

    def keys(drill):
        return [r["key"] for r in drill_down(store, now, drill)[1]]

    assert keys(Drill("breached", "queue", "Billing")) == [floor["c2"].key, floor["c7"].key]
    assert keys(Drill("at_risk")) == [floor["c1"].key]
    assert keys(Drill("waiting", "queue", "Billing")) == [floor[n].key for n in ("c2", "c7", "c1")]
    assert keys(Drill("longest")) == [floor["c2"].key]  # c4 waits longer but is pending on the customer
    assert keys(Drill("longest", "queue", "Billing")) == [floor["c2"].key]  # waiting since 08:50
    assert keys(Drill("escalated", "channel", "phone")) == [floor["c7"].key]
    assert keys(Drill("open", "agent", "anna")) == [floor["c3"].key]
    assert snap.agent("anna").open_cases == 1 and snap.agent("ben").open_cases == 0
    assert keys(Drill("follow_ups")) == [floor["c3"].key] and snap.follow_ups_due == 1
    with pytest.raises(MonitorError, match="unknown figure 'sla'"):
        Drill("sla")


def test_drill_downs_match_the_figures_on_the_demo_floor(tmp_path, clock):
    from agent_console.admin.seed import seed_demo
    from agent_console.domain.clock import FrozenClock
    from agent_console.store.db import open_store

    store = open_store(tmp_path / "demo.db")
    try:
        demo_clock = FrozenClock(clock.now())
        seed_demo(store, demo_clock, kb=0)  # the demo floor of `agent-console seed demo`
        snap = compute_snapshot(store, demo_clock, tz=UTC)
        assert snap.floor.open_cases > 50 and snap.floor.breached > 0 and snap.floor.at_risk > 0
        assert assert_drills_match_the_figures(store, demo_clock.now(), snap) > 50
        # The default thresholds, relative to each channel's targets, tell the queues apart on a normal floor.
        levels = [q.level for q in snap.queues] + [c.level for c in snap.channels]
        assert levels.count(Level.critical) <= len(levels) // 2, levels
        assert Level.ok in levels or Level.warning in levels
    finally:
        store.dispose()


def test_empty_store_has_no_figures_but_no_errors(store, clock, agents):
    snap = compute_snapshot(store, clock, tz=UTC)
    assert snap.floor.waiting == 0 and snap.floor.service_level is None and snap.floor.aht_s is None
    assert snap.queues == () and len(snap.agents) == 3 and snap.due == ()
    assert day_start_utc(at(0, 30), UTC) == at(0, 0)
    assert format_duration(None) == "—" and format_duration(59) == "0:59" and format_duration(3720) == "1h02m"
