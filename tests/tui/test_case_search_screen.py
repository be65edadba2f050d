"""The case search screen: one key from anywhere (and the palette), results as you type, enter opens the case,
untrusted text shown literally."""

from __future__ import annotations

from textual.widgets import Input, OptionList, Static

from agent_console.domain.cases import CaseService
from agent_console.screens.case_detail import CaseDetailScreen
from agent_console.screens.case_search import CaseSearchScreen
from tests.helpers import wait_until_async
from tui_support import palette_offers, settle

HOSTILE_NAME = "[bold red]Mallory[/] \x1b[31m"


def _cases(store, clock, agents):
    anna = CaseService(store, clock, agents["anna"])
    fridge = anna.create_case(customer="grete.koehler@example.de", customer_name="Grete Köhler",
                              customer_phone="040 7654321", channel="email", queue="Billing",
                              subject="Kühlschrank kühlt nicht", language="de",
                              body="Seit gestern ist das Gefrierfach warm.")
    hostile = anna.create_case(customer="mallory@example.com", customer_name=HOSTILE_NAME, channel="chat",
                               queue="Billing", subject="[link=https://evil.example]click[/link] refund",
                               language="en", body="Please refund \x1b]0;owned\x07 now.")
    return fridge, hostile


def _status(app) -> str:
    return str(app.screen.query_one("#case-search-status", Static).render())


async def _search(pilot, text: str) -> None:
    pilot.app.screen.query_one("#case-search-query", Input).value = ""
    await pilot.press(*text)
    await wait_until_async(lambda: pilot.app.screen._latest and pilot.app.screen._timer is None
                           and not [w for w in pilot.app.workers if w.group == "case-search" and not w.is_finished],
                           message="the search to run")
    await settle(pilot)


async def test_one_key_from_the_queue_results_as_you_type_and_enter_opens(store, clock, agents, make_app):
    fridge, _hostile = _cases(store, clock, agents)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await wait_until_async(lambda: isinstance(app.screen, CaseSearchScreen), message="the search screen")
        await _search(pilot, "Kuehlschr")  # folded umlaut, the word still being typed
        screen = app.screen
        assert [hit.key for hit in screen.hits] == [fridge.key]
        prompt = screen.query_one("#case-search-results", OptionList).get_option_at_index(0).prompt.plain
        assert fridge.key in prompt and "Billing" in prompt and "Grete Köhler" in prompt
        assert "1 case" in _status(app)
        await _search(pilot, "+49 40 765 43 21")  # the customer's number, another format
        assert [hit.key for hit in screen.hits] == [fridge.key]
        await pilot.press("enter")
        await wait_until_async(lambda: isinstance(app.screen, CaseDetailScreen), message="the case to open")
        assert app.screen.case_id == fridge.id
        await pilot.press("ctrl+f")  # from the case view too, even with the thread focused
        await wait_until_async(lambda: isinstance(app.screen, CaseSearchScreen), message="the search again")


async def test_palette_entry_and_hostile_text_literal(store, clock, agents, make_app):
    _fridge, hostile = _cases(store, clock, agents)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"search cases")
        await wait_until_async(lambda: palette_offers(app, "Search cases"), message="the palette entry")
        await pilot.press("enter")
        await wait_until_async(lambda: isinstance(app.screen, CaseSearchScreen), message="the search screen")
        await _search(pilot, "refund")
        prompt = app.screen.query_one("#case-search-results", OptionList).get_option_at_index(0).prompt
        assert app.screen.hits[0].key == hostile.key
        assert "[link=https://evil.example]click[/link]" in prompt.plain
        assert "[bold red]Mallory[/]" in prompt.plain
        assert "\x1b" not in prompt.plain and "\x07" not in prompt.plain
        assert not any("link" in str(span.style) for span in prompt.spans)
        await _search(pilot, "before:someday refund")
        assert "before" in _status(app)
        await pilot.press("escape")
        await wait_until_async(lambda: not isinstance(app.screen, CaseSearchScreen), message="back")
