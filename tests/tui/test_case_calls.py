"""The calls taken on a case show in its thread, each where it happened, in the interface language (#20 point 4)."""

from __future__ import annotations

from agent_console.domain.calls import parse_event, record_event
from agent_console.i18n import set_language
from tests.tui.test_case_screen import SIZE, open_case
from tui_support import screen_text, settle


def _event(store, clock, **values):
    with store.transaction() as session:
        record_event(session, clock, parse_event(values))


async def test_a_call_on_the_case_is_a_line_of_its_thread(make_app, data, store, clock):
    _event(store, clock, event="newCall", callId="t1", direction="in", user=["anna"],
           **{"from": "030 1234567", "to": "0800"})
    clock.advance(12)
    _event(store, clock, event="answer", callId="t1", user=["anna"])
    clock.advance(125)
    _event(store, clock, event="hangup", callId="t1", cause="normalClearing")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["phone_risk"])
        boxes = list(app.screen.query("MessageBox"))
        assert [sorted(b.classes)[0] for b in boxes] == ["-inbound", "-call"]  # after the customer's message
        assert str(boxes[1].content) == ("Inbound call from +49301234567 · Mon 23 Nov 09:00 · rang 0:12 · "
                                         "answered by anna · talked 2:05")
        assert "Inbound call from +49301234567" in screen_text(app)


async def test_the_call_line_is_german_in_a_german_console(make_app, data, store, clock):
    _event(store, clock, event="newCall", callId="t2", direction="in", **{"from": "+49 (0)30 123 45 67", "to": "0800"})
    clock.advance(30)
    _event(store, clock, event="hangup", callId="t2", cause="cancel")
    set_language("de")  # what the console's start does with the language setting
    app = make_app()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await open_case(app, pilot, data.keys["phone_risk"])
            call = app.screen.query_one("MessageBox.-call")
            assert str(call.content).startswith("Eingehender Anruf von +49301234567")
            assert str(call.content).endswith("klingelte 0:30 · verpasst (cancel)")
    finally:
        set_language("en")
