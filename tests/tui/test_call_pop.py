"""The screen pop (#20 point 3): a call ringing for the agent shows who is calling over whatever screen is in front;
answering starts the handling time on the caller's case, a normal hangup starts wrap-up; a call that rang for
several agents clears for the others when one answers."""

from __future__ import annotations

from sqlmodel import select

from agent_console.domain.calls import call_uid, parse_event, record_event
from agent_console.screens.call_pop import CallPopScreen
from agent_console.store import queries
from agent_console.store.models import Customer, HandlingSegment
from tests.helpers import wait_until_async
from tests.tui.test_case_screen import open_case
from tui_support import HOSTILE_NAME, settle

SIZE = (110, 32)


def event(store, clock, *apps, **values):
    """Record a call event, then let the consoles ``apps`` look at the store (the tests' consoles do not poll)."""
    with store.transaction() as session:
        record_event(session, clock, parse_event(values))
    for app in apps:
        app.check_calls()


def ring(store, clock, call_id, *apps, number="030 1234567", users=("anna",), **extra):
    event(store, clock, *apps, event="newCall", callId=call_id, direction="in", user=list(users),
          **{"from": number, "to": "0800"}, **extra)


def case_id_of(store, key):
    with store.session() as session:
        return queries.case_by_key(session, key).id


async def popped(app, call_id: str | None = None) -> CallPopScreen:
    def shown():
        pop = app.screen
        return (isinstance(pop, CallPopScreen) and pop.is_mounted and pop.query("#call-pop-title") and (call_id is None or pop.card.call_id == call_id)
                and str(pop.query_one("#call-pop-title").content) and pop)

    return await wait_until_async(shown, message="no screen pop")


def pop_text(app) -> str:
    pop = app.screen
    return "\n".join(str(widget.content) for widget in pop.query("Static") if widget.display)


async def test_a_call_pops_over_the_queue_with_the_customer_and_open_case(make_app, data, store, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ring(store, clock, "q1", app, queue="Technical")
        pop = await popped(app)
        text = pop_text(app)
        assert "Incoming call · queue Technical" in text
        assert "Petra Phone" in text and "+49301234567" in text
        assert data.keys["phone_risk"] in text and "Router blinkt rot" in text
        assert "at risk" in text  # the case's SLA state, from domain.sla
        assert "Last contact:" in text
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "CaseDetailScreen"
        assert app.screen.case_id == case_id_of(store, data.keys["phone_risk"])


async def test_the_pop_shows_the_vip_mark(make_app, data, store, clock):
    with store.transaction() as session:
        customer = session.exec(select(Customer).where(Customer.name == "Petra Phone")).one()
        customer.vip = True
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ring(store, clock, "vip1", app)
        await popped(app)
        assert "★ VIP" in pop_text(app)


async def test_a_call_pops_over_a_reply_being_typed_and_the_draft_stays(make_app, data, store, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["anna_case"])
        case_screen = app.screen
        await pilot.press("r")
        await pilot.press(*"Hallo")
        ring(store, clock, "r1", app)
        await popped(app)
        await pilot.press("x")  # typing on does not reach the editor nor trigger a pop key
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is case_screen
        assert case_screen.query_one("#reply-text").text == "Hallo"
        assert not isinstance(app.screen, CallPopScreen)  # dismissed for this call: it does not come back
        app.check_calls()
        await settle(pilot)
        assert app.screen is case_screen


async def test_a_call_pops_over_a_modal(make_app, data, store, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("N")  # the new-case form
        await settle(pilot)
        form = app.screen
        assert form.__class__.__name__ == "NewCaseModal"
        ring(store, clock, "m1", app)
        await popped(app)
        assert app.screen_stack[-2] is form


async def test_unknown_and_withheld_callers_say_so(make_app, data, store, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ring(store, clock, "u1", app, number="0171 9999999")
        await popped(app)
        text = pop_text(app)
        assert "Unknown caller: +491719999999" in text
        assert "open case" not in text  # no case to open: only new case and dismiss
        await pilot.press("escape")
        ring(store, clock, "w1", app, number="anonymous")
        await popped(app, "w1")
        # The pop is pushed again with the new card, and shows it once resumed.
        await wait_until_async(lambda: "Number withheld" in pop_text(app), message="withheld not said")


async def test_a_hostile_name_is_shown_literally(make_app, data, store, clock):
    with store.transaction() as session:
        customer = session.exec(select(Customer).where(Customer.name == "Petra Phone")).one()
        customer.name = HOSTILE_NAME + "\x1b[31m"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ring(store, clock, "h1", app)
        pop = await popped(app)
        caller = pop.query_one("#call-pop-caller").content
        assert str(caller).startswith("[bold red]x[/]")
        assert "\x1b" not in str(caller)
        assert not caller.spans or all(span.style == "dim" for span in caller.spans)


async def test_new_phone_case_opens_the_form_with_the_number(make_app, data, store, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ring(store, clock, "n1", app, number="0171 5555555")
        await popped(app)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "NewCaseModal"
        assert app.screen.search_text == "+491715555555"


async def test_the_new_phone_case_gets_the_call_in_its_thread_and_its_time(make_app, data, store, clock):
    """ctrl+n on the pop of an unknown caller, the agent answers while filling in the form: the case created has
    the call (its thread shows it) and the handling time runs on it from the answer."""
    from agent_console.screens.case_detail import CaseDetailScreen
    from agent_console.store import call_queries

    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        ring(store, clock, "nc1", app, number="0171 5555555")
        await popped(app, "nc1")
        await pilot.press("ctrl+n")
        form = await wait_until_async(lambda: app.screen.__class__.__name__ == "NewCaseModal" and app.screen,
                                      message="no new-case form")
        await wait_until_async(lambda: form.results_for == "+491715555555", message="the number was not looked up")
        clock.advance(5)
        event(store, clock, app, event="answer", callId="nc1", user=["anna"])
        await pilot.press("enter")  # the only choice: a new customer with the caller's number
        assert form.query_one("#new-customer-phone").value == "+491715555555"
        await pilot.press(*"Nina Neu", "enter", "enter", "enter")
        form.query_one("#new-case-queue").value = "Billing"
        await pilot.press("tab", "tab", "tab", *"Neuer Anruf", "ctrl+s")
        await wait_until_async(lambda: isinstance(app.screen, CaseDetailScreen), message="the case did not open")
        case_id = app.screen.case_id
        await wait_until_async(lambda: list(app.screen.query("MessageBox.-call")), message="no call in the thread")
        assert str(app.screen.query_one("MessageBox.-call").content).startswith("Inbound call from +491715555555")
        with store.session() as session:
            assert call_queries.call_by_call_id(session, "nc1").case_id == case_id
        app.check_calls()
        await wait_until_async(lambda: call_uid("nc1") in app._phone_watch.answered, message="answer not taken")
        assert app.tracker.running_segment.case_id == case_id
        clock.advance(40)
        event(store, clock, app, event="hangup", callId="nc1", cause="normalClearing")
        await wait_until_async(lambda: app.tracker.wrap_up_case_id == case_id, message="no wrap-up on the new case")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "WrapUpModal"


async def test_answer_starts_handling_and_hangup_starts_wrap_up(make_app, data, store, clock):
    case_id = case_id_of(store, data.keys["phone_risk"])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ring(store, clock, "a1", app)
        await popped(app)
        clock.advance(8)
        event(store, clock, app, event="answer", callId="a1", user=["anna"])
        await wait_until_async(lambda: not isinstance(app.screen, CallPopScreen), message="pop still there")
        await wait_until_async(lambda: app.tracker.running_segment is not None)
        assert app.tracker.running_segment.case_id == case_id
        assert app.tracker.state == "handling"
        clock.advance(60)
        event(store, clock, app, event="hangup", callId="a1", cause="normalClearing")
        await wait_until_async(lambda: app.tracker.wrap_up_case_id == case_id, message="no wrap-up")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "WrapUpModal"
        with store.session() as session:
            handle = session.exec(select(HandlingSegment).where(HandlingSegment.case_id == case_id,
                                                                 HandlingSegment.kind == "handle")).one()
        assert (handle.ended_at - handle.started_at).total_seconds() == 60


async def test_a_hangup_that_is_not_normal_starts_no_wrap_up(make_app, data, store, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ring(store, clock, "b1", app)
        await popped(app)
        event(store, clock, app, event="answer", callId="b1", user=["anna"])
        await wait_until_async(lambda: app.tracker.running_segment is not None)
        event(store, clock, app, event="hangup", callId="b1", cause="forwarded")
        await wait_until_async(lambda: app._phone_watch.ended, message="the hangup was not seen")
        await settle(pilot)
        assert app.tracker.wrap_up_case_id is None


async def test_three_agents_ring_one_answers_the_others_clear(make_app, data, store, clock, agents):
    from agent_console.domain.agents import upsert_agent

    agents["cara"], _ = upsert_agent(store, clock, login="cara", name="Cara Third", role="agent", tier=1,
                                     extension="42")
    anna, ben, cara = make_app("anna"), make_app("ben"), make_app("cara")
    async with anna.run_test(size=SIZE) as pa, ben.run_test(size=SIZE) as pb, cara.run_test(size=SIZE) as pc:
        for pilot in (pa, pb, pc):
            await settle(pilot)
        ring(store, clock, "t1", anna, ben, cara, users=("anna", "ben", "42"))
        for app in (anna, ben, cara):
            await popped(app)
        event(store, clock, anna, ben, cara, event="answer", callId="t1", user=["ben"])
        for app in (anna, cara):
            await wait_until_async(lambda app=app: not isinstance(app.screen, CallPopScreen),
                                   message=f"the pop stayed for {app.agent.login}")
        await wait_until_async(lambda: not isinstance(ben.screen, CallPopScreen))
        await wait_until_async(lambda: ben.tracker.running_segment is not None)
        assert anna.tracker.running_segment is None and cara.tracker.running_segment is None
