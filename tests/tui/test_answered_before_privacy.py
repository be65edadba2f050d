"""Answered before: replies of other customers' cases show their name, e-mail, phone and case key masked, in the list
and in what gets inserted."""

from __future__ import annotations

from textual.widgets import Input, OptionList, TextArea

from agent_console.domain.cases import CaseService
from agent_console.screens.kb_search import KBSearchScreen
from tui_support import Host, settle


def build(store, clock, agents):
    anna = CaseService(store, clock, agents["anna"])
    old = anna.create_case(customer="otto.alt@example.de", customer_name="Otto Alt", channel="email",
                           queue="Billing", subject="Erstattung für Otto Alt", body="Geld fehlt", language="de")
    anna.reply(old.key, f"Hallo Otto Alt,\ndie Erstattung zu {old.key} ist unterwegs. Rückfragen an "
                        "otto.alt@example.de oder 0171 1234567.")
    anna.resolve(old.key)
    return anna.create_case(customer="karl@example.de", customer_name="Karl Kunde", channel="email",
                            queue="Billing", subject="Wo bleibt mein Geld?", body="?", language="de")


async def test_list_reply_view_and_insert_are_masked(store, clock, agents):
    case = build(store, clock, agents)
    app = Host(lambda: KBSearchScreen(store=store, clock=clock, agent=agents["anna"], case_id=case.id))
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        app.screen.query_one("#reply-query", Input).value = ""
        await pilot.press(*"Erstattung")
        await settle(pilot)
        screen = app.screen
        results = screen.query_one("#reply-results", OptionList)
        listed = str(results.get_option_at_index(0).prompt)
        assert listed.startswith("[case]  Erstattung für [customer]")
        assert "Otto" not in listed and "AC-" not in listed
        shown = screen.query_one("#reply-text", TextArea).text
        assert shown == ("Hallo [customer],\ndie Erstattung zu [case] ist unterwegs. Rückfragen an [email] oder "
                         "[phone].")
        await pilot.press("f4")
        await settle(pilot)
    assert app.results == [shown]
