"""The escalate and wrap-up modals and the handling timer, driven by keys through Pilot."""

from __future__ import annotations

from datetime import timedelta

from textual.app import App, ComposeResult
from textual.widgets import Input, Select, Static

from agent_console.domain.cases import CaseService
from agent_console.domain.escalation import EscalationRequest, EscalationService
from agent_console.domain.handling import HandlingTracker
from agent_console.screens.escalate import EscalateModal
from agent_console.screens.wrap_up import WrapUpModal
from agent_console.store import queries
from agent_console.store.models import Case
from agent_console.store.queries import QueueView
from agent_console.widgets.handling_timer import AgentStateBadge, HandlingTimer, format_elapsed
from tui_support import Host

QUEUES = ["Billing", "Delivery", "Technical", "Complaints", "General"]




def error_text(app) -> str:
    return str(app.screen.query_one("#escalate-error", Static).render())


async def test_reason_is_required_and_the_request_is_returned():
    app = Host(EscalateModal("AC-000007", 1, "Technical", QUEUES))
    async with app.run_test() as pilot:
        await pilot.press("enter")  # no reason yet
        await pilot.pause()
        assert app.results == []
        assert isinstance(app.screen, EscalateModal)
        assert "A reason is required." in error_text(app)
        await pilot.press(*"router broken")
        await pilot.press("enter")
        await pilot.pause()
    # Tier 2 is preselected (the next tier up); the queue stays.
    assert app.results == [EscalationRequest(reason="router broken", to_tier=2, to_queue=None)]


async def test_escape_cancels_with_none():
    app = Host(EscalateModal("AC-000007", 1, "Technical", QUEUES))
    async with app.run_test() as pilot:
        await pilot.press(*"half typed", "escape")
        await pilot.pause()
    assert app.results == [None]


async def test_queue_only_escalation_and_nothing_chosen():
    app = Host(EscalateModal("AC-000009", 3, "Technical", QUEUES))  # tier 3: only another queue is possible
    async with app.run_test() as pilot:
        modal = app.screen
        assert [value for _label, value in modal.query_one("#escalate-tier", Select)._options] == [0]
        await pilot.press(*"formal complaint", "ctrl+s")
        await pilot.pause()
        assert "Choose a higher tier or another queue." in error_text(app)
        modal.query_one("#escalate-queue", Select).value = "Complaints"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [EscalationRequest(reason="formal complaint", to_tier=None, to_queue="Complaints")]


async def test_modal_result_escalates_the_case_out_of_the_agents_queue(store, agents, clock):
    svc = CaseService(store, clock, agents["anna"])
    case = svc.create_case(customer="k@example.de", channel="chat", queue="Technical", subject="DSL", body="…")
    svc.claim(case.id)
    app = Host(EscalateModal(case.key, case.tier, case.queue, QUEUES))
    async with app.run_test() as pilot:
        await pilot.press(*"line check needed", "enter")
        await pilot.pause()
    [request] = app.results
    EscalationService(store, clock, agents["anna"]).escalate(case.id, to_tier=request.to_tier,
                                                             to_queue=request.to_queue, reason=request.reason)
    with store.session() as session:
        assert queries.queue_case_ids(session, QueueView(view="mine", agent_id=agents["anna"].id)) == []
        assert [f.case_id for f in queries.open_follow_ups(session, agents["anna"].id)] == [case.id]


async def test_wrap_up_codes_by_digit_and_by_enter():
    codes = ["resolved", "information given", "callback arranged"]
    by_digit = Host(WrapUpModal(codes, "AC-000001"))
    async with by_digit.run_test() as pilot:
        await pilot.press("2")
        await pilot.pause()
    assert by_digit.results == ["information given"]
    by_enter = Host(WrapUpModal(codes))
    async with by_enter.run_test() as pilot:
        await pilot.press("down", "down", "enter")
        await pilot.pause()
    assert by_enter.results == ["callback arranged"]
    later = Host(WrapUpModal(codes))
    async with later.run_test() as pilot:
        await pilot.press("escape")
        await pilot.pause()
    assert later.results == [None]


class TimerHost(App):
    def __init__(self, tracker, case_id: int) -> None:
        super().__init__()
        self.tracker = tracker
        self.case_id = case_id

    def compose(self) -> ComposeResult:
        yield HandlingTimer(self.tracker, self.case_id, interval_s=3600)
        yield AgentStateBadge(self.tracker, interval_s=3600)


async def test_handling_timer_shows_running_idle_and_wrap_up(store, agents, clock):
    svc = CaseService(store, clock, agents["anna"])
    case = svc.create_case(customer="t@example.com", channel="phone", queue="Billing", subject="s", body="b")
    tracker = HandlingTracker(store, clock, agents["anna"], idle_timeout_s=120)
    tracker.case_opened(case.id)
    tracker.prime_closed_seconds(case.id, 0)  # what the case screen's worker read: no closed time yet
    app = TimerHost(tracker, case.id)
    async with app.run_test() as pilot:
        timer = app.query_one(HandlingTimer)
        badge = app.query_one(AgentStateBadge)
        clock.advance(65)
        tracker.activity()  # a key at 1:05
        timer.refresh_time()
        badge.refresh_state()
        await pilot.pause()
        assert str(timer.render()) == "⏱ now 1:05 · case 1:05"
        assert str(badge.badge_text()) == "● handling 1:05"
        clock.advance(130)  # no key for more than 2 minutes: stopped at the last key
        tracker.tick()
        timer.refresh_time()
        await pilot.pause()
        assert str(timer.render()) == "⏱ idle (press a key) · case 1:05"
        assert timer.has_class("-stopped")
        badge.refresh_state()
        assert str(badge.badge_text()).startswith("● idle ")
        tracker.activity()
        clock.advance(10)
        tracker.resolved(case.id)
        clock.advance(5)
        timer.refresh_time()
        await pilot.pause()
        assert str(timer.render()) == "⏱ wrap-up 0:05 · case 1:20"
        assert timer.has_class("-wrap-up")


def test_format_elapsed():
    assert [format_elapsed(s) for s in (0, 7, 765, 3723)] == ["0:00", "0:07", "12:45", "1:02:03"]


class ConsoleLike(App):
    """The attributes the helpers use on the real console app: store, clock, agent, settings, tracker."""

    def __init__(self, store, clock, agent, tracker) -> None:
        super().__init__()
        from agent_console.config import Settings

        self.store, self.clock, self.agent, self.tracker = store, clock, agent, tracker
        self.settings = Settings(follow_up_hours=8, wrap_up_codes=["resolved", "forwarded"])
        self.escalated: list = []


async def test_key_e_flow_escalates_ends_the_segment_and_reports_back(store, agents, clock):
    from agent_console.screens.escalate import escalate_from_screen

    svc = CaseService(store, clock, agents["anna"])
    case = svc.create_case(customer="e@example.com", channel="phone", queue="Billing", subject="s", body="b")
    svc.claim(case.id)
    tracker = HandlingTracker(store, clock, agents["anna"])
    tracker.case_opened(case.id)
    app = ConsoleLike(store, clock, agents["anna"], tracker)
    async with app.run_test() as pilot:
        clock.advance(40)
        escalate_from_screen(app.screen, case.id, on_escalated=app.escalated.append)
        await pilot.pause()
        await pilot.press(*"billing system error", "enter")
        await pilot.pause()
    [row] = app.escalated
    assert (row.to_tier, row.reason) == (2, "billing system error")
    assert tracker.running_segment is None and tracker.elapsed(case.id) == 40
    with store.session() as session:
        [follow_up] = queries.open_follow_ups(session, agents["anna"].id)
        assert follow_up.due_at == clock.now() + timedelta(hours=8)


async def test_ask_wrap_up_ends_wrap_up_with_the_code(store, agents, clock):
    from agent_console.screens.wrap_up import ask_wrap_up

    svc = CaseService(store, clock, agents["anna"])
    case = svc.create_case(customer="w@example.com", channel="chat", queue="Billing", subject="s", body="b")
    tracker = HandlingTracker(store, clock, agents["anna"], wrap_up_codes=["resolved", "forwarded"])
    tracker.case_opened(case.id)
    clock.advance(20)
    svc.resolve(case.id)
    tracker.resolved(case.id)
    app = ConsoleLike(store, clock, agents["anna"], tracker)
    async with app.run_test() as pilot:
        clock.advance(9)
        ask_wrap_up(app, case.key)
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
    assert tracker.wrap_up_segment is None and tracker.state == "available"
    with store.session() as session:
        assert session.get(Case, case.id).wrap_up_code == "forwarded"
    assert tracker.elapsed(case.id) == 29
