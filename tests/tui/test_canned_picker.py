"""The canned-response picker: search, preview filled from the case, insert, usage counts, management."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from textual.widgets import Input, OptionList, Static

from agent_console.domain.canned import CannedResponses
from agent_console.domain.cases import CaseService
from agent_console.screens.canned import CannedEditor, CannedManager, CannedPicker
from agent_console.store.models import CannedResponse
from tui_support import Host, settle




def stored_without_the_save_check(store, shortcut: str, body: str) -> None:
    with store.transaction() as session:
        session.execute(update(CannedResponse).where(CannedResponse.shortcut == shortcut).values(body=body))


@pytest.fixture
def canned_case(store, clock, agents):
    service = CaseService(store, clock, agents["anna"])
    case = service.create_case(customer="karl@example.de", customer_name="Karl Heinz Kunde", channel="email",
                               queue="Billing", subject="Erstattung fehlt", body="Wo bleibt mein Geld?",
                               language="de")
    canned = CannedResponses(store, clock, agents["anna"])
    canned.create(title="Erstattung unterwegs", shortcut="erstattung", category="billing", language="de",
                  body="Hallo {{ customer.first_name }},\n\ndie Erstattung zu {{ case.key }} ist am {{ today }} "
                       "veranlasst worden.\n\nViele Grüße\n{{ agent.name }}")
    canned.create(title="Refund on its way", shortcut="refund", category="billing", language="en",
                  body="Hi {{ customer.first_name }}, your refund for {{ case.key }} is on its way.")
    canned.create(title="Passwort zurücksetzen", shortcut="passwort", category="account", language="de",
                  body="Hallo {{ customer.name }}, nutzen Sie bitte 'Passwort vergessen'.")
    # Saved before templates were checked at save time: the picker still marks what it cannot fill.
    stored_without_the_save_check(store, "passwort", "Hallo {{ customer.name }}, nutzen Sie bitte 'Passwort "
                                                     "vergessen'. {{ customer.shoe_size }}")
    canned.create(title="Greeting", shortcut="hi", category="general", language="en",
                  body="Hello {{ customer.first_name }}!")
    return case


def make_host(store, clock, agents, case_id, **kwargs):
    return Host(lambda: CannedPicker(store=store, clock=clock, agent=agents["anna"], case_id=case_id, **kwargs))


def shown_titles(screen) -> list[str]:
    return [r.title for r in screen.shown]


def usage(store, shortcut) -> int:
    with store.session() as session:
        return session.scalar(select(CannedResponse.usage_count).where(CannedResponse.shortcut == shortcut))


async def test_case_language_first_and_preview_filled(store, clock, agents, canned_case):
    app = make_host(store, clock, agents, canned_case.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CannedPicker)
        # German case: German responses first.
        assert [r.language for r in screen.shown] == ["de", "de", "en", "en"]
        preview = str(screen.query_one("#canned-preview", Static).render())
        assert "Hallo Karl Heinz," in preview
        assert canned_case.key in preview and "23. November 2026" in preview and "Anna Agent" in preview


async def test_search_and_enter_inserts_rendered_text_and_counts_use(store, clock, agents, canned_case):
    app = make_host(store, clock, agents, canned_case.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press(*"refund")
        await settle(pilot)
        assert shown_titles(app.screen)[0] == "Refund on its way"
        await pilot.press("enter")
        await settle(pilot)
    assert app.results == [f"Hi Karl Heinz, your refund for {canned_case.key} is on its way."]
    assert usage(store, "refund") == 1


async def test_fuzzy_search_over_body_and_shortcut(store, clock, agents, canned_case):
    app = make_host(store, clock, agents, canned_case.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press(*"vergessen")
        await settle(pilot)
        assert shown_titles(app.screen)[0] == "Passwort zurücksetzen"
        app.screen.query_one("#canned-query", Input).value = ";hi"
        await settle(pilot)
        assert shown_titles(app.screen)[0] == "Greeting"


async def test_most_used_first_within_language(store, clock, agents, canned_case):
    service = CannedResponses(store, clock, agents["anna"])
    for _ in range(3):
        service.record_use(service.get("passwort").id)
    app = make_host(store, clock, agents, canned_case.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert shown_titles(app.screen)[:2] == ["Passwort zurücksetzen", "Erstattung unterwegs"]


async def test_unknown_placeholder_is_marked_and_escape_cancels(store, clock, agents, canned_case):
    app = make_host(store, clock, agents, canned_case.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press(*"passwort")
        await settle(pilot)
        screen = app.screen
        assert "⟦unknown: customer.shoe_size⟧" in str(screen.query_one("#canned-preview", Static).render())
        assert "unknown placeholder: customer.shoe_size" in str(screen.query_one("#canned-problems", Static).render())
        await pilot.press("escape")
        await settle(pilot)
    assert app.results == [None]
    assert usage(store, "passwort") == 0


async def test_category_filter(store, clock, agents, canned_case):
    app = make_host(store, clock, agents, canned_case.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")  # first category: account
        await settle(pilot)
        assert shown_titles(app.screen) == ["Passwort zurücksetzen"]
        await pilot.press("ctrl+g")  # billing
        await settle(pilot)
        assert shown_titles(app.screen) == ["Erstattung unterwegs", "Refund on its way"]


async def test_arrow_keys_move_the_highlight(store, clock, agents, canned_case):
    app = make_host(store, clock, agents, canned_case.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        second = app.screen.shown[1]
        assert app.screen.current is second
        await pilot.press("enter")
        await settle(pilot)
    assert len(app.results) == 1 and app.results[0]
    assert usage(store, second.shortcut) == 1


async def test_create_edit_and_delete_from_the_console(store, clock, agents, canned_case):
    app = Host(lambda: CannedManager(store=store, clock=clock, agent=agents["anna"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, CannedEditor)
        await pilot.press(*"Lieferung verspätet")
        await pilot.press("tab", *"delay", "tab", *"delivery")
        editor = app.screen
        editor.query_one("#editor-body").text = "Hallo {{ customer.first_name }}, Ihre Lieferung kommt später."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CannedManager)
        assert "Lieferung verspätet" in shown_titles(app.screen)
        # Edit: enter opens the editor in management mode.
        app.screen.query_one("#canned-query", Input).value = ";delay"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CannedEditor)
        title_input = app.screen.query_one("#editor-title-input", Input)
        title_input.value = "Lieferung kommt später"
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Delete needs two presses.
        app.screen.query_one("#canned-query", Input).value = ";delay"
        await settle(pilot)
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert CannedResponses(store, clock).by_shortcut("delay").title == "Lieferung kommt später"
        await pilot.press("ctrl+d")
        await settle(pilot)
    assert CannedResponses(store, clock).by_shortcut("delay") is None


async def test_editor_rejects_bad_input_with_a_message(store, clock, agents, canned_case):
    app = Host(lambda: CannedManager(store=store, clock=clock, agent=agents["anna"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press(*"Dup", "tab", *"refund")
        app.screen.query_one("#editor-body").text = "x"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CannedEditor)
        assert "taken already" in str(app.screen.query_one("#editor-error", Static).render())


def test_picker_snapshot(snap_compare, store, clock, agents, canned_case):
    async def run_before(pilot):
        await settle(pilot)

    assert snap_compare(make_host(store, clock, agents, canned_case.id), terminal_size=(110, 32),
                        run_before=run_before)


async def test_in_a_case_ctrl_t_inserts_and_shortcut_expands(store, clock, agents, canned_case, make_app):
    """The whole path an agent takes: open the case, reply, pick a canned answer, type ;shortcut."""
    from agent_console.screens.case_detail import CaseDetailScreen

    app = make_app("anna")
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        app.push_screen(CaseDetailScreen(canned_case.id))
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, CannedPicker)
        await pilot.press(*"erstattung", "enter")
        await settle(pilot)
        editor = app.screen.query_one("#editor").text_area
        assert editor.text.startswith("Hallo Karl Heinz,")
        assert f"die Erstattung zu {canned_case.key} ist am 23. November 2026" in editor.text
        editor.load_text("")
        await pilot.press(*";hi", "space")
        await settle(pilot)
        assert editor.text.startswith("Hello Karl Heinz!")
    assert usage(store, "erstattung") == 1 and usage(store, "hi") == 1


async def test_the_settings_rebind_the_pickers_keys(store, clock, agents, canned_case, make_app):
    """``[keys] canned_new = "f9"``: the picker's "new" key follows the settings like the queue's and the case's."""
    from agent_console.screens.case_detail import CaseDetailScreen

    app = make_app("anna", keys={"canned_new": "f9"})
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        app.push_screen(CaseDetailScreen(canned_case.id))
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, CannedPicker)
        await pilot.press("ctrl+n")  # the default key no longer opens the editor
        await settle(pilot)
        assert isinstance(app.screen, CannedPicker)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CannedEditor)
