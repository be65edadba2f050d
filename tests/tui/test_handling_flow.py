"""Issue 5 end to end in the console: handling time, idle, wrap-up, agent states, escalation and SLA breaches.

Real store file, the app's own tracker and sweeper, a frozen clock moved by hand; the app's 1 s tick and SLA sweep
are called directly after moving the clock so nothing depends on wall time.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from agent_console.domain.cases import CaseService
from agent_console.store import queries
from agent_console.store.models import Case, Escalation, FollowUp, HandlingSegment, SlaEvent
from agent_console.widgets.case_table import CaseTable
from agent_console.widgets.handling_timer import HandlingTimer
from tui_support import screen_text, settle

SIZE = (120, 36)
DAY = ("--since", "2026-11-23", "--until", "2026-11-23")


def make_case(store, clock, agent=None, **fields):
    values = dict(customer="karl@example.de", channel="email", queue="Billing", subject="Rechnung doppelt",
                  body="Bitte prüfen.", customer_name="Karl Kunde")
    values.update(fields)
    case = CaseService(store, clock, None).create_case(**values)
    if agent is not None:
        CaseService(store, clock, agent).claim(case.id)
    return case


def segments(store, case_id: int) -> list[HandlingSegment]:
    with store.session() as session:
        return list(session.scalars(select(HandlingSegment).where(HandlingSegment.case_id == case_id)
                                    .order_by(HandlingSegment.started_at, HandlingSegment.id)))


def seconds(segment: HandlingSegment) -> float:
    return (segment.ended_at - segment.started_at).total_seconds()


async def open_case(app, pilot, case_id: int) -> None:
    from agent_console.screens.case_detail import CaseDetailScreen

    await app.push_screen(CaseDetailScreen(case_id))
    await settle(pilot)


def timer_text(app) -> str:
    timer = app.screen.query_one(HandlingTimer)
    timer.refresh_time()
    return str(timer.render())


def table_keys(app) -> list[str]:
    table = app.screen.query_one(CaseTable)
    with app.store.session() as session:
        return [session.get(Case, case_id).key for case_id in table.case_ids]


async def test_handle_idle_resolve_wrap_up_and_the_aht_report(make_app, store, clock, agents, cli):
    case = make_case(store, clock, agents["anna"])
    app = make_app(idle_timeout_s=30)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "available" in screen_text(app).splitlines()[0]
        await open_case(app, pilot, case.id)
        assert app.tracker.running_segment.case_id == case.id
        assert "handling" in screen_text(app).splitlines()[0]
        assert timer_text(app) == "⏱ now 0:00 · case 0:00"

        clock.advance(40)
        await pilot.press("T")  # any key is presence
        app.tick()
        assert timer_text(app) == "⏱ now 0:40 · case 0:40"

        clock.advance(60)  # no key for 60 s: idle after 30 s, the segment ends at the last key
        app.tick()
        assert timer_text(app) == "⏱ idle (press a key) · case 0:40"
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        assert "idle" in header and "handling" not in header  # idle time is not handling time
        [idle] = segments(store, case.id)
        assert (idle.end_reason, seconds(idle)) == ("idle", 40.0)

        await pilot.press("T")  # back at the keyboard: a new segment
        assert app.tracker.running_segment is not None
        clock.advance(20)
        assert timer_text(app) == "⏱ now 0:20 · case 1:00"  # this stretch, beside the case's total
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("y")  # the customer has no reply yet: resolving is confirmed
        await settle(pilot)
        assert app.screen.query_one("#wrap-up-codes")
        assert app.tracker.state == "wrap_up"
        assert app.agent_state == "wrap_up"  # what the header under the modal shows

        clock.advance(15)
        await pilot.press("2")  # the second code
        await settle(pilot)
        assert app.tracker.state == "available"
        assert "available" in screen_text(app).splitlines()[0]
        await pilot.press("escape")
        await settle(pilot)
    assert app.tracker.state == "offline"  # quitting ends the shift

    rows = [(s.kind, s.end_reason, seconds(s), s.wrap_up_code) for s in segments(store, case.id)]
    code = app.settings.wrap_up_codes[1]
    assert rows == [("handle", "idle", 40.0, None), ("handle", "resolved", 20.0, None),
                    ("wrap_up", "wrap_up_code", 15.0, code)]
    with store.session() as session:
        assert session.get(Case, case.id).wrap_up_code == code

    result = cli("report", "aht", *DAY, "--by", "agent", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rows"] == [
        {"agent": "anna", "cases": 1, "value": 75.0, "handle_s": 60.0, "wrap_up_s": 15.0, "corrections_s": 0.0,
         "total_s": 75.0}]


async def test_leaving_the_case_modals_break_and_available(make_app, store, clock, agents):
    case = make_case(store, clock, agents["anna"])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, case.id)
        clock.advance(10)
        await pilot.press("t")  # the status picker is a modal: the agent is still on the case
        await settle(pilot)
        assert app.tracker.running_segment is not None
        await pilot.press("escape")
        await settle(pilot)
        assert app.tracker.running_segment is not None and len(segments(store, case.id)) == 1

        await pilot.press("escape")  # back to the queue: the segment ends
        await settle(pilot)
        [segment] = segments(store, case.id)
        assert (segment.end_reason, seconds(segment)) == ("switch", 10.0)
        assert app.tracker.state == "available"

        await pilot.press("b")
        await settle(pilot)
        assert app.tracker.state == "break"
        assert "break" in screen_text(app).splitlines()[0]
        await pilot.press("v")
        await settle(pilot)
        assert "available" in screen_text(app).splitlines()[0]

        await open_case(app, pilot, case.id)  # coming back starts a new segment
        await pilot.press("b")  # a break on the case stops its time
        await settle(pilot)
        assert app.tracker.running_segment is None
        assert [s.end_reason for s in segments(store, case.id)] == ["switch", "break"]
        assert "break" in screen_text(app).splitlines()[0]


async def test_escalate_leaves_mine_creates_a_follow_up_and_history(make_app, store, clock, agents):
    case = make_case(store, clock, agents["anna"], channel="chat", queue="Technical", subject="DSL bricht ab")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert table_keys(app) == [case.key]
        await pilot.press("enter")
        await settle(pilot)
        assert app.tracker.case_id == case.id
        clock.advance(30)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("enter")  # no reason yet: refused
        await settle(pilot)
        assert "A reason is required." in screen_text(app)
        await pilot.press(*"needs a line measurement", "enter")
        await settle(pilot)
        assert app.screen.id == "queue-screen"  # back in the queue
        assert case.key not in table_keys(app)  # left "mine"
        await pilot.press("f")
        await settle(pilot)
        assert table_keys(app) == [case.key]
        assert "DSL bricht ab" in screen_text(app)
        assert app.tracker.case_id is None and app.tracker.state == "available"

    with store.session() as session:
        stored = session.get(Case, case.id)
        assert (stored.tier, stored.assignee_id, stored.status) == (2, None, "escalated")
        [escalation] = session.scalars(select(Escalation).where(Escalation.case_id == case.id)).all()
        assert (escalation.kind, escalation.reason, escalation.from_agent_id) == (
            "manual", "needs a line measurement", agents["anna"].id)
        [follow_up] = session.scalars(select(FollowUp).where(FollowUp.case_id == case.id)).all()
        assert follow_up.agent_id == agents["anna"].id
        assert follow_up.due_at == clock.now() + timedelta(hours=app.settings.follow_up_hours)
    [segment] = segments(store, case.id)
    assert (segment.end_reason, seconds(segment)) == ("switch", 30.0)


async def test_a_phone_case_unanswered_for_90_s_breaches_and_escalates(make_app, store, clock):
    phone = make_case(store, clock, customer="+49 30 555", channel="phone", queue="Technical",
                      subject="Leitung tot", customer_name="Paul Phone")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        [row] = [line for line in screen_text(app).splitlines() if phone.key in line]
        assert "normal" in row and "✖" not in row

        clock.advance(90)  # due exactly now: not yet breached
        app.sweep_sla()
        await settle(pilot)
        with store.session() as session:
            assert session.get(Case, phone.id).priority == "normal"

        clock.advance(1)
        app.sweep_sla()
        await settle(pilot)
        [row] = [line for line in screen_text(app).splitlines() if phone.key in line]
        assert "✖" in row and "high" in row
        assert any("priority raised" in n.message and phone.key in n.message for n in app._notifications)

    with store.session() as session:
        stored = session.get(Case, phone.id)
        assert stored.sla_breached and stored.priority == "high"
        events = session.scalars(select(SlaEvent).where(SlaEvent.case_id == phone.id,
                                                        SlaEvent.event == "breached")).all()
        assert [e.target for e in events] == ["first_response"]
        assert session.scalars(select(Escalation.kind).where(Escalation.case_id == phone.id)).all() == ["automatic"]


async def test_header_countdowns_move_and_new_actions_are_in_the_palette(make_app, store, clock, agents):
    case = make_case(store, clock, agents["anna"])  # e-mail: first response due in 4 h, resolution in 24 h
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Break", "Available", "Wrap-up code"} <= set(titles)
        await open_case(app, pilot, case.id)
        assert "Escalate" in [entry.title for entry in app.screen.command_entries()]
        sla_line = next(line for line in screen_text(app).splitlines() if line.strip().startswith("SLA"))
        assert "first response" in sla_line and "resolution" in sla_line and "(4h00m, ok)" in sla_line

        clock.advance(3 * 3600 + 30 * 60)
        app.screen._refresh_header()  # what the screen's 1 s interval does
        await pilot.pause()
        lines = screen_text(app).splitlines()
        at = next(i for i, line in enumerate(lines) if line.strip().startswith("SLA"))
        sla_line = " ".join(lines[at:at + 2])  # the longer "at risk" target may push the next one to a line of its own
        assert "(30:00, at risk)" in sla_line and "resolution" in sla_line


async def test_ctrl_q_on_a_case_ends_its_segment_and_the_shift(make_app, store, clock, agents):
    case = make_case(store, clock, agents["anna"])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, case.id)
        clock.advance(5)
        await pilot.press("ctrl+q")
        await pilot.pause()
    [segment] = segments(store, case.id)
    assert (segment.end_reason, seconds(segment)) == ("quit", 5.0)
    with store.session() as session:
        assert queries.agent_by_login(session, "anna").state == "offline"


async def test_wrap_up_picked_later_or_ended_by_its_timeout(make_app, store, clock, agents):
    first = make_case(store, clock, agents["anna"])
    second = make_case(store, clock, agents["anna"], subject="Mahnung")
    app = make_app(wrap_up_timeout_s=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, first.id)
        await pilot.press("x", "y")  # resolve (confirmed: the customer has no reply)
        await settle(pilot)
        await pilot.press("escape")  # pick the code later
        await settle(pilot)
        clock.advance(10)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter")  # the highlighted (first) code
        await settle(pilot)
        assert app.tracker.state == "available", type(app.screen)
        assert app.agent_state == "available"

        await pilot.press("escape")
        await settle(pilot)
        await open_case(app, pilot, second.id)
        await pilot.press("x", "y")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        clock.advance(75)
        app.tick()
        await pilot.pause()
        assert app.agent_state == "available"
        assert "available" in screen_text(app).splitlines()[0]
    wrap_ups = [(s.case_id, s.end_reason, seconds(s), s.wrap_up_code)
                for case_id in (first.id, second.id) for s in segments(store, case_id) if s.kind == "wrap_up"]
    assert wrap_ups == [(first.id, "wrap_up_code", 10.0, app.settings.wrap_up_codes[0]),
                        (second.id, "timeout", 60.0, None)]
