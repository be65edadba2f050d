"""The modals in German (#18): canned responses, knowledge base, escalate, new case and wrap-up look as recorded at
160×45 and 80×24 (frozen clock, fixed data: the fixtures of their English tests), and what they refuse — a template
problem, an escalation rule, a new customer without a contact — is said in German. A switch of language from the
palette reaches an open canned-response picker and knowledge-base screen without reopening them."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import Input, OptionList, Static, TabbedContent, TextArea

from agent_console import i18n
from agent_console.domain.cases import CaseService
from agent_console.screens.canned import CannedEditor, CannedManager, CannedPicker
from agent_console.screens.escalate import EscalateModal, escalate_from_screen
from agent_console.screens.kb_search import KBSearchScreen
from agent_console.screens.language import switch_language
from agent_console.screens.new_case import NewCaseModal
from agent_console.screens.wrap_up import WrapUpModal
from tests.helpers import wait_until_async
from test_canned_picker import canned_case, make_host  # noqa: F401  (canned_case is a fixture)
from test_kb_search import host as kb_host, kb_case, type_query  # noqa: F401  (kb_case is a fixture)
from tui_support import Host, settle

LARGE = (160, 45)
SMALL = (80, 24)
QUEUES = ["Billing", "Delivery", "Technical", "Complaints", "General"]
WRAP_UP_CODES = ["Gelöst", "Rückruf vereinbart", "Weitergeleitet", "Kein Kontakt"]


@pytest.fixture
def german():
    i18n.set_language("de")
    yield
    i18n.set_language("en")


def footer_labels(app) -> set[str]:
    return {active.binding.description for active in app.screen.active_bindings.values() if active.binding.show}


def footer_drawn(app) -> set[str]:
    """The labels the footer widget draws (it is rebuilt when the bindings change, e.g. after a resize)."""
    from textual.widgets._footer import FooterKey

    return {key.description for key in app.screen.query(FooterKey) if key.description}


def shown(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


class StoreHost(Host):
    """The bare host with the store the new-case form reads through ``app.store``."""

    def __init__(self, screen, store) -> None:
        super().__init__(screen)
        self.store = store


# --- snapshots --------------------------------------------------------------------------------------------------


async def _canned_shown(pilot) -> None:
    await wait_until_async(lambda: bool(pilot.app.screen.shown), message="the canned responses to load")
    pilot.app.screen.query_one("#canned-query", Input).cursor_blink = False
    await settle(pilot)


@pytest.mark.parametrize("size", [LARGE, SMALL], ids=["160x45", "80x24"])
def test_snapshot_of_the_canned_picker_in_german(snap_compare, german, store, clock, agents, canned_case,  # noqa: F811
                                                 size):
    assert snap_compare(make_host(store, clock, agents, canned_case.id), terminal_size=size,
                        run_before=_canned_shown)


@pytest.mark.parametrize("size", [LARGE, SMALL], ids=["160x45", "80x24"])
def test_snapshot_of_the_kb_search_in_german(snap_compare, german, store, clock, agents, kb_case, size):  # noqa: F811
    async def run_before(pilot) -> None:
        await settle(pilot)
        await type_query(pilot, "Rechnugn")  # typo-tolerant: the status line says so
        screen = pilot.app.screen
        await wait_until_async(lambda: screen.article is not None, message="the first article to open")
        screen.query_one("#kb-query", Input).cursor_blink = False
        await settle(pilot)

    assert snap_compare(kb_host(store, clock, agents, kb_case.id), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [LARGE, SMALL], ids=["160x45", "80x24"])
def test_snapshot_of_the_escalate_modal_in_german(snap_compare, german, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("enter")  # no reason yet: the refusal shows under the field
        await wait_until_async(lambda: "Grund" in shown(pilot.app, "#escalate-error"))
        pilot.app.screen.query_one("#escalate-reason", Input).cursor_blink = False
        await settle(pilot)

    assert snap_compare(Host(EscalateModal("AC-000007", 1, "Technical", QUEUES)), terminal_size=size,
                        run_before=run_before)


@pytest.mark.parametrize("size", [LARGE, SMALL], ids=["160x45", "80x24"])
def test_snapshot_of_the_new_case_form_in_german(snap_compare, german, store, data, size):
    async def run_before(pilot) -> None:
        form = pilot.app.screen
        await pilot.press(*"+49 30 1234567")
        await wait_until_async(lambda: form.results_for == "+49 30 1234567", message="the lookup to finish")
        await pilot.press("enter", *"Router blinkt rot")
        await wait_until_async(lambda: form.query_one("#new-case-subject", Input).value == "Router blinkt rot")
        form.query_one("#new-case-subject", Input).cursor_blink = False
        await settle(pilot)

    assert snap_compare(StoreHost(lambda: NewCaseModal(QUEUES), store), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [LARGE, SMALL], ids=["160x45", "80x24"])
def test_snapshot_of_the_wrap_up_modal_in_german(snap_compare, german, size):
    assert snap_compare(Host(WrapUpModal(WRAP_UP_CODES, "AC-000007")), terminal_size=size, run_before=settle)



# --- refusals in German -----------------------------------------------------------------------------------------


async def test_the_picker_names_a_template_problem_in_german(german, store, clock, agents, canned_case):  # noqa: F811
    app = make_host(store, clock, agents, canned_case.id)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        assert {"Einfügen", "Abbrechen", "Kategorie"} <= footer_labels(app)
        await pilot.press(*"passwort")
        await settle(pilot)
        assert "unbekannter Platzhalter: customer.shoe_size" in shown(app, "#canned-problems")
        # The response itself is the customer's text: its marker and words are not translated.
        assert "⟦unknown: customer.shoe_size⟧" in shown(app, "#canned-preview")
        assert "Passwort vergessen" in shown(app, "#canned-preview")


async def test_the_editor_refuses_an_unknown_placeholder_in_german(german, store, clock, agents):
    app = Host(lambda: CannedManager(store=store, clock=clock, agent=agents["anna"]))
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, CannedEditor)
        assert "Speichern" in footer_labels(app)
        await pilot.press(*"Spitzname", "tab", *"nick")
        app.screen.query_one("#editor-body", TextArea).text = "Hallo\nlieber {{ customer.nickname }}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CannedEditor)
        assert shown(app, "#editor-error").startswith(
            "Vorlagenfehler: Zeile 2: unbekannter Platzhalter customer.nickname; bekannte Platzhalter: ")


async def test_escalating_a_resolved_case_is_refused_in_german(german, store, clock, agents):
    service = CaseService(store, clock, agents["anna"])
    case = service.create_case(customer="k@example.de", channel="chat", queue="Technical", subject="DSL", body="…")
    service.resolve(case.key)

    class Console(App):
        def __init__(self) -> None:
            super().__init__()
            self.store, self.clock, self.agent = store, clock, agents["anna"]

    app = Console()
    async with app.run_test(size=LARGE) as pilot:
        escalate_from_screen(app.screen, case.id, queues=QUEUES)
        await wait_until_async(lambda: app._notifications, message="no refusal was shown")
        [notification] = list(app._notifications)
        assert notification.message == f"{case.key} ist gelöst; öffnen Sie ihn erneut, bevor Sie eskalieren."
        await pilot.pause()
        assert not isinstance(app.screen, EscalateModal)



async def test_the_new_case_form_refuses_a_customer_without_contact_in_german(german, store, data):
    app = StoreHost(lambda: NewCaseModal(QUEUES), store)
    async with app.run_test(size=LARGE) as pilot:
        form = app.screen
        assert "Fall anlegen" in footer_labels(app)
        await pilot.press(*"Erika Neu")
        await wait_until_async(lambda: form.results_for == "Erika Neu", message="the lookup to finish")
        results = form.query_one("#new-case-results", OptionList)
        prompts = [str(results.get_option_at_index(index).prompt) for index in range(results.option_count)]
        assert prompts == ["Kein Kunde passt zu 'Erika Neu'.", "+ Neuer Kunde: Erika Neu"]
        await pilot.press("enter")
        await pilot.pause()
        form.query_one("#new-case-subject", Input).value = "Neuer Anschluss"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert shown(app, "#new-case-error") == \
            "Geben Sie eine E-Mail-Adresse oder eine Telefonnummer des neuen Kunden ein."
    assert app.results == []


# --- switching while open ---------------------------------------------------------------------------------------


async def test_a_switch_of_language_reaches_the_open_picker_and_kb_screen(store, clock, agents, canned_case,  # noqa: F811
                                                                         kb_case):  # noqa: F811
    try:
        app = make_host(store, clock, agents, canned_case.id)
        async with app.run_test(size=LARGE) as pilot:
            await settle(pilot)
            assert shown(app, "#canned-title").startswith("Insert a canned response")
            switch_language(app, "de")
            await settle(pilot)
            assert shown(app, "#canned-title").startswith("Textbaustein einfügen")
            assert shown(app, "#canned-status") == "4 von 4 Textbausteinen"
            assert {"Einfügen", "Kategorie"} <= footer_labels(app)

        i18n.set_language("en")
        app = kb_host(store, clock, agents, kb_case.id)
        async with app.run_test(size=LARGE) as pilot:
            await settle(pilot)
            await wait_until_async(lambda: app.screen.article is not None, message="the first article to open")
            assert shown(app, "#kb-title").startswith("Knowledge base · case")
            switch_language(app, "de")
            # The switch searches again (its status line is worded then): wait for the new line, not for workers
            # that the new searches cancel.
            await wait_until_async(lambda: "Artikel" in shown(app, "#kb-status"), message="the status in German")
            assert shown(app, "#kb-title").startswith("Wissensdatenbank · Fall")
            tabs = app.screen.query_one("#kb-tabs", TabbedContent)
            assert str(tabs.get_tab("tab-replies").label) == "Schon beantwortet"
            assert "Artikel" in shown(app, "#kb-status")
            assert {"Öffnen", "Link einfügen"} <= footer_labels(app)
    finally:
        i18n.set_language("en")


async def test_a_send_refusal_names_the_problem_in_german(german, make_app, data, store):
    from test_send_guard import open_case, problems_shown, thread_bodies

    from agent_console.widgets.reply_editor import ReplyEditor

    key = data.keys["chat_ok"]
    before = thread_bodies(store, key)
    app = make_app()
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, key)
        await pilot.press("r")
        editor = app.screen.query_one(ReplyEditor)
        draft = "Hi Mia,\nyour parcel ⟦unknown: customer.nickname⟧ is on its way."
        editor.text_area.insert(draft)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert editor.is_open and editor.text_area.text == draft  # the customer's text stays as written
        assert ("Zeile 2, Spalte 13: Der Platzhalter customer.nickname hat keinen Wert: "
                "⟦unknown: customer.nickname⟧") in problems_shown(app)
    assert thread_bodies(store, key) == before


# --- whole keys in the footer -----------------------------------------------------------------------------------


async def test_keys_left_out_of_a_narrow_footer_still_work(store, clock, agents, kb_case):  # noqa: F811
    app = kb_host(store, clock, agents, kb_case.id)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await type_query(pilot, "Rechnung")
        await wait_until_async(lambda: app.screen.article is not None, message="the first article to open")
        shown_labels = footer_drawn(app)
        assert {"Open", "Back", "Insert link"} <= shown_labels
        assert "Insert excerpt" not in shown_labels  # it would not fit whole into 80 columns
        await pilot.press("f4")
        await settle(pilot)
    [excerpt] = app.results
    assert "Rechnungsadresse" in excerpt


async def test_a_wide_footer_shows_every_key_and_a_narrower_one_fewer(store, clock, agents, kb_case):  # noqa: F811
    every_key = {"Open", "Back", "Articles/Answered", "Insert link", "Insert excerpt", "Link to case", "Helpful",
                 "Select excerpt"}
    app = kb_host(store, clock, agents, kb_case.id)
    async with app.run_test(size=(180, 40)) as pilot:
        await settle(pilot)
        assert every_key <= footer_drawn(app)
        await pilot.resize_terminal(*SMALL)
        await settle(pilot)
        assert "Insert excerpt" not in footer_drawn(app)
        await pilot.resize_terminal(180, 40)
        await settle(pilot)
        assert every_key <= footer_drawn(app)

