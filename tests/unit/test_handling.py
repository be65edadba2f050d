"""Handling time and agent states, every rule on a frozen clock and a real store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from agent_console.domain.cases import CaseService
from agent_console.domain.handling import HandlingError, HandlingTracker, correct_time, handling_summary
from agent_console.store.models import (
    Agent,
    AgentStateChange,
    AuditEvent,
    Case,
    HandlingCorrection,
    HandlingSegment,
    OutboxOp,
)


@pytest.fixture
def case(store, agents, clock):
    return CaseService(store, clock, agents["anna"]).create_case(
        customer="kunde@example.de", channel="phone", queue="Billing", subject="Rechnung", body="Hallo")


@pytest.fixture
def other_case(store, agents, clock):
    return CaseService(store, clock, agents["anna"]).create_case(
        customer="zweite@example.de", channel="email", queue="Billing", subject="Zweite", body="Hallo")


def tracker_for(store, clock, agent, **kwargs) -> HandlingTracker:
    return HandlingTracker(store, clock, agent, **kwargs)


def segments(store, case_id=None) -> list[HandlingSegment]:
    with store.session() as session:
        query = select(HandlingSegment).order_by(HandlingSegment.id)
        if case_id is not None:
            query = query.where(HandlingSegment.case_id == case_id)
        return list(session.scalars(query))


def durations(rows) -> list[tuple[str, float, str | None]]:
    return [(s.kind, (s.ended_at - s.started_at).total_seconds() if s.ended_at else None, s.end_reason)
            for s in rows]


def test_a_segment_runs_while_the_case_is_in_front_and_pauses_on_switch(store, agents, clock, case, other_case):
    tracker = tracker_for(store, clock, agents["anna"])
    tracker.case_opened(case.id)
    clock.advance(30)
    tracker.tick()
    clock.advance(15)
    assert tracker.elapsed(case.id) == 45
    tracker.case_opened(other_case.id)  # switching case ends the first segment now
    clock.advance(20)
    tracker.case_left()  # back to the queue
    clock.advance(300)  # time on the queue screen is nobody's handling time
    tracker.case_opened(case.id)
    clock.advance(10)

    assert tracker.elapsed(case.id) == 55
    assert tracker.elapsed(other_case.id) == 20
    assert durations(segments(store)) == [("handle", 45, "switch"), ("handle", 20, "switch"),
                                          ("handle", None, None)]


def test_idle_time_after_the_last_key_is_not_counted(store, agents, clock, case):
    tracker = tracker_for(store, clock, agents["anna"], idle_timeout_s=120)
    tracker.case_opened(case.id)
    clock.advance(40)
    tracker.activity()  # last key at +40 s
    for _ in range(12):  # the UI ticks every 10 s while the agent is away
        clock.advance(10)
        tracker.tick()
    assert tracker.is_idle
    # Idle for 120 s after the last key: the segment ended AT the last key.
    assert durations(segments(store)) == [("handle", 40, "idle")]
    clock.advance(200)
    tracker.tick()
    assert tracker.elapsed(case.id) == 40

    tracker.activity()  # the agent is back: a new segment starts
    clock.advance(20)
    tracker.case_left()
    assert durations(segments(store)) == [("handle", 40, "idle"), ("handle", 20, "switch")]
    assert tracker.elapsed(case.id) == 60


def test_idle_needs_the_full_timeout(store, agents, clock, case):
    tracker = tracker_for(store, clock, agents["anna"], idle_timeout_s=120)
    tracker.case_opened(case.id)
    clock.advance(119)
    tracker.tick()
    assert not tracker.is_idle and tracker.running_segment is not None
    clock.advance(1)
    tracker.tick()
    assert tracker.is_idle


def test_heartbeats_are_written_at_most_every_heartbeat_interval(store, agents, clock, case):
    tracker = tracker_for(store, clock, agents["anna"], heartbeat_s=10)
    tracker.case_opened(case.id)
    start = clock.now()
    beats = []
    for _ in range(25):
        clock.advance(1)
        tracker.activity()
        tracker.tick()
        tracker.checkpoint()  # the app calls it from a worker; as often as it likes, it writes every 10 s
        beats.append(segments(store)[0].heartbeat_at)
    assert sorted({(b - start).total_seconds() for b in beats}) == [0, 10, 20]


def test_the_every_second_tick_writes_nothing_while_a_segment_runs(store, agents, clock, case):
    tracker = tracker_for(store, clock, agents["anna"], heartbeat_s=10)
    tracker.case_opened(case.id)
    with store.session() as session:
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    opened = segments(store)[0]
    for _ in range(30):
        clock.advance(1)
        tracker.activity()
        tracker.tick()
    [segment] = segments(store)
    assert (segment.heartbeat_at, segment.ended_at) == (opened.heartbeat_at, None)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    assert tracker.segment_seconds(case.id) == 30


def test_a_checkpoint_never_moves_a_closed_segment(store, agents, clock, case):
    tracker = tracker_for(store, clock, agents["anna"], heartbeat_s=10)
    tracker.case_opened(case.id)
    running = tracker.running_segment
    clock.advance(12)
    tracker.case_left()  # closed at 12 s by the UI ...
    clock.advance(20)
    tracker._segment = running  # ... while a checkpoint worker still holds the segment it read before
    assert tracker.checkpoint()
    [segment] = segments(store)
    assert (segment.ended_at - segment.started_at).total_seconds() == 12
    assert segment.heartbeat_at == segment.ended_at


def test_crash_recovery_closes_open_segments_at_the_last_heartbeat(store, agents, clock, case):
    tracker = tracker_for(store, clock, agents["anna"], heartbeat_s=10)
    tracker.start_shift()
    tracker.case_opened(case.id)
    started = clock.now()
    for _ in range(37):  # 37 s of work, heartbeats at 10, 20, 30
        clock.advance(1)
        tracker.activity()
        tracker.tick()
        tracker.checkpoint()
    del tracker  # kill -9: nothing else is written
    clock.advance(3600)  # the agent restarts the console an hour later

    restarted = tracker_for(store, clock, agents["anna"])
    recovered = restarted.recover()

    assert len(recovered) == 1
    [segment] = segments(store)
    assert segment.end_reason == "crash_recovered"
    assert (segment.ended_at - started).total_seconds() == 30
    lost = 37 - 30
    assert 0 <= lost <= 15
    with store.session() as session:
        anna = session.get(Agent, agents["anna"].id)
        assert anna.state == "offline"
        last_period = session.scalars(select(AgentStateChange).where(AgentStateChange.agent_id == anna.id)
                                      .order_by(AgentStateChange.id.desc())).first()
        assert last_period.state == "offline" and last_period.started_at == segment.ended_at
    # Recovery touches no one else's segments and is idempotent.
    assert restarted.recover() == []


def test_heartbeat_longer_than_15_seconds_is_refused(store, agents, clock):
    with pytest.raises(HandlingError, match="heartbeat_s"):
        tracker_for(store, clock, agents["anna"], heartbeat_s=30)


def test_resolve_starts_wrap_up_which_ends_with_a_code(store, agents, clock, case):
    svc = CaseService(store, clock, agents["anna"])
    tracker = tracker_for(store, clock, agents["anna"], wrap_up_codes=["resolved", "forwarded"])
    svc.claim(case.id)
    tracker.case_opened(case.id)
    clock.advance(50)
    svc.resolve(case.id)
    tracker.resolved(case.id)
    assert tracker.state == "wrap_up"
    clock.advance(25)
    with pytest.raises(HandlingError, match="unknown wrap-up code"):
        tracker.wrap_up_done("made up")
    tracker.wrap_up_done("resolved")

    assert tracker.state == "available"
    assert durations(segments(store)) == [("handle", 50, "resolved"), ("wrap_up", 25, "wrap_up_code")]
    assert tracker.elapsed(case.id) == 75
    with store.session() as session:
        assert session.get(Case, case.id).wrap_up_code == "resolved"
        states = [p.state for p in session.scalars(select(AgentStateChange).order_by(AgentStateChange.id))]
        assert states == ["handling", "wrap_up", "available"]
        ops = [o.kind for o in session.scalars(select(OutboxOp).where(OutboxOp.kind.in_(
            ("segment.upsert", "agent.state"))))]
        assert ops.count("segment.upsert") == 4  # two starts, two ends


def test_wrap_up_times_out(store, agents, clock, case):
    tracker = tracker_for(store, clock, agents["anna"], wrap_up_timeout_s=120)
    tracker.case_opened(case.id)
    clock.advance(30)
    tracker.resolved(case.id)
    clock.advance(500)  # the agent walked away; the tick notices late
    tracker.tick()
    assert durations(segments(store)) == [("handle", 30, "resolved"), ("wrap_up", 120, "timeout")]
    assert tracker.state == "available"
    with store.session() as session:
        anna = session.get(Agent, agents["anna"].id)
        assert anna.state_since == clock.now() - timedelta(seconds=380)


def test_break_and_quit_end_the_segment_and_set_states(store, agents, clock, case):
    tracker = tracker_for(store, clock, agents["anna"])
    tracker.start_shift()
    tracker.case_opened(case.id)
    clock.advance(10)
    tracker.take_break("lunch")
    clock.advance(1800)
    tracker.activity()  # a key during the break does not start a segment
    assert tracker.running_segment is None
    tracker.set_state("available")  # back from the break, the case is still on screen
    clock.advance(5)
    tracker.quit()
    assert durations(segments(store)) == [("handle", 10, "break"), ("handle", 5, "quit")]
    with store.session() as session:
        history = [(p.state, p.reason, (p.ended_at - p.started_at).total_seconds() if p.ended_at else None)
                   for p in session.scalars(select(AgentStateChange).order_by(AgentStateChange.id))]
    assert history == [("available", "console opened", 0), ("handling", "case opened", 10),
                       ("break", "lunch", 1800), ("available", "", 0), ("handling", "case opened", 5),
                       ("offline", "console closed", None)]


def test_supervisor_correction_is_audited_and_counted(store, agents, clock, case):
    tracker = tracker_for(store, clock, agents["anna"])
    tracker.case_opened(case.id)
    clock.advance(100)
    tracker.case_left()

    with pytest.raises(HandlingError, match="only supervisors"):
        correct_time(store, clock, case.id, 60, "forgot", agents["anna"])
    with pytest.raises(HandlingError, match="needs a reason"):
        correct_time(store, clock, case.id, 60, "  ", agents["sue"])
    with pytest.raises(HandlingError, match="negative"):
        correct_time(store, clock, case.id, -101, "too much", agents["sue"])
    correct_time(store, clock, case.id, 60, "call continued on the desk phone", agents["sue"],
                 agent_id=agents["anna"].id)
    correct_time(store, clock, case.id, -30, "double counted", agents["sue"], kind="wrap_up")

    assert handling_summary(store, case.id) == {"handle": 100.0, "wrap_up": 0.0, "corrections": 30.0,
                                                "total": 130.0}
    with store.session() as session:
        corrections = session.scalars(select(HandlingCorrection)).all()
        assert [(c.delta_seconds, c.corrected_by_id) for c in corrections] == [(60, agents["sue"].id),
                                                                               (-30, agents["sue"].id)]
        audits = session.scalars(select(AuditEvent).where(AuditEvent.action == "handling.correct")).all()
        assert len(audits) == 2 and "desk phone" in audits[0].detail
        assert session.scalars(select(OutboxOp).where(OutboxOp.kind == "handling.correct")).all()
