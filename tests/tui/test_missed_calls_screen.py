"""The missed calls to call back in the console (#20 point 4): ``M`` lists them like ``cti missed``, enter opens the
caller's case, ``k`` marks a call as called back and it leaves the list."""

from __future__ import annotations

from agent_console.domain.calls import parse_event, record_event
from agent_console.screens.missed_calls import MissedCallsScreen
from agent_console.store import call_queries, queries
from tests.helpers import wait_until_async
from tui_support import HOSTILE_NAME, settle

SIZE = (110, 32)


def missed(store, clock, call_id, number):
    with store.transaction() as session:
        record_event(session, clock, parse_event({"event": "newCall", "callId": call_id, "direction": "in",
                                                  "from": number, "to": "0800", "queue": "Technical"}))
        record_event(session, clock, parse_event({"event": "hangup", "callId": call_id, "cause": "cancel"}))


def listed(app) -> list[str]:
    return [call.call_id for call in app.screen.calls]


async def open_missed(app, pilot) -> MissedCallsScreen:
    await pilot.press("M")
    await wait_until_async(lambda: isinstance(app.screen, MissedCallsScreen)
                           and str(app.screen.query_one("#missed-status").content))
    await settle(pilot)
    return app.screen


async def test_the_missed_calls_are_listed_and_open_the_callers_case(make_app, data, store, clock):
    missed(store, clock, "m1", "030 1234567")  # Petra Phone, with an open case
    clock.advance(60)
    missed(store, clock, "m2", "anonymous")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_missed(app, pilot)
        assert listed(app) == ["m2", "m1"]  # newest first
        options = screen.query_one("#missed-list")
        assert "Number withheld" in str(options.get_option_at_index(0).prompt)
        first = str(options.get_option_at_index(1).prompt)
        assert "+49301234567" in first and "Petra Phone" in first and "caller hung up" in first
        assert "2 missed calls to call back" in str(screen.query_one("#missed-status").content)
        await pilot.press("enter")  # the withheld caller has no case
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("down", "enter")
        await settle(pilot)
        with store.session() as session:
            assert app.screen.case_id == queries.case_by_key(session, data.keys["phone_risk"]).id


async def test_marking_a_call_called_back_takes_it_off_the_list(make_app, data, store, clock, agents):
    missed(store, clock, "k1", "030 1234567")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_missed(app, pilot)
        await pilot.press("k")
        await wait_until_async(lambda: listed(app) == [], message="the call stayed on the list")
        with store.session() as session:
            (call,) = call_queries.missed_calls(session, include_called_back=True)
            assert call.called_back_by_id == agents["anna"].id
        assert "No missed calls to call back." in str(app.screen.query_one("#missed-status").content)


async def test_a_hostile_customer_name_is_shown_literally(make_app, data, store, clock):
    from sqlmodel import select

    from agent_console.store.models import Customer

    with store.transaction() as session:
        session.exec(select(Customer).where(Customer.name == "Petra Phone")).one().name = HOSTILE_NAME
    missed(store, clock, "x1", "030 1234567")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_missed(app, pilot)
        prompt = screen.query_one("#missed-list").get_option_at_index(0).prompt
        assert HOSTILE_NAME in str(prompt)
