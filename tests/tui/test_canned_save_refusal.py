"""The canned-response editor refuses, at save time and with the reason, a template that does not compile in the
sandbox or names an unknown placeholder; the form stays open and nothing is stored."""

from __future__ import annotations

from textual.widgets import Input, Static, TextArea

from agent_console.domain.canned import CannedResponses
from agent_console.screens.canned import CannedEditor, CannedManager
from tui_support import Host, settle


def error_shown(app) -> str:
    return str(app.screen.query_one("#editor-error", Static).render())


async def test_create_with_an_unknown_placeholder_is_refused(store, clock, agents):
    app = Host(lambda: CannedManager(store=store, clock=clock, agent=agents["anna"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press(*"Spitzname", "tab", *"nick")
        app.screen.query_one("#editor-body", TextArea).text = "Hallo\nlieber {{ customer.nickname }}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CannedEditor)
        assert error_shown(app).startswith("template error: line 2: unknown placeholder customer.nickname; "
                                           "known placeholders: customer.first_name")
        assert app.screen.focused is app.screen.query_one("#editor-body", TextArea)
    assert CannedResponses(store, clock).by_shortcut("nick") is None


async def test_edit_that_breaks_the_template_is_refused_and_the_old_text_stays(store, clock, agents):
    CannedResponses(store, clock, agents["anna"]).create(title="Refund", shortcut="refund",
                                                         body="Hi {{ customer.first_name }}, it is on its way.")
    app = Host(lambda: CannedManager(store=store, clock=clock, agent=agents["anna"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#canned-query", Input).value = ";refund"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CannedEditor)
        app.screen.query_one("#editor-body", TextArea).text = "Hi {{ customer.first_name, it is on its way."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CannedEditor)
        assert error_shown(app).startswith("template error: line 1: ")
    assert CannedResponses(store, clock).by_shortcut("refund").body == "Hi {{ customer.first_name }}, it is on its way."
