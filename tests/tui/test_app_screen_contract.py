"""What the app asks of its screens through ``AgentScreen``: the keys help of the screen on top, and every unsent
draft saved when the console quits."""

from __future__ import annotations

from sqlalchemy import select

from agent_console.screens.agent_screen import AgentScreen
from agent_console.screens.case_detail import CaseDetailScreen
from agent_console.screens.help import KeysScreen
from agent_console.screens.queue import QueueScreen
from agent_console.store import queries
from agent_console.store.models import Draft

from tests.helpers import wait_until_async
from tui_support import settle


def test_the_main_screens_are_agent_screens():
    assert issubclass(QueueScreen, AgentScreen) and QueueScreen.KEY_SCOPE == "queue"
    assert issubclass(CaseDetailScreen, AgentScreen) and CaseDetailScreen.KEY_SCOPE == "case"


async def test_keys_help_names_the_screen_it_is_for(make_app, data):
    app = make_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        with app.store.session() as session:
            case_id = queries.case_by_key(session, data.keys["anna_case"]).id
        await app.push_screen(CaseDetailScreen(case_id))
        await wait_until_async(lambda: app.screen.snapshot is not None, message="the case is shown")
        await pilot.press("question_mark")
        await wait_until_async(lambda: isinstance(app.screen, KeysScreen), message="the keys help opens")
        assert (app.screen.scope, app.screen.title_text) == ("case", "the case")


async def test_quitting_saves_the_draft_of_a_case_under_a_modal(make_app, data, store):
    app = make_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        with app.store.session() as session:
            case_id = queries.case_by_key(session, data.keys["chat_ok"]).id
        await app.push_screen(CaseDetailScreen(case_id))
        await wait_until_async(lambda: app.screen.snapshot is not None, message="the case is shown")
        await pilot.press("r", *"Hallo Mia")
        case_screen = app.screen
        await wait_until_async(lambda: case_screen.editor.text_area.text == "Hallo Mia", message="typed")
        app.push_screen(KeysScreen("case", "the case"))  # a modal on top: the case is not the current screen
        await wait_until_async(lambda: isinstance(app.screen, KeysScreen), message="the keys help opens")
        app.flush_drafts()  # what quitting does first, before the debounced save has run
        with store.session() as session:
            assert [d.body for d in session.scalars(select(Draft))] == ["Hallo Mia"]


async def test_the_queue_picker_and_palette_get_the_queue_names_from_a_worker(make_app, data):
    from textual.widgets import OptionList

    from agent_console.screens.pick import PickModal

    app = make_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        queue_screen = app.screen
        await wait_until_async(lambda: any(e.title == "View: queue Billing" for e in queue_screen.command_entries()),
                               message="the palette offers the queues")
        await pilot.press("Q")
        await wait_until_async(lambda: isinstance(app.screen, PickModal), message="the queue picker opens")
        options = app.screen.query_one(OptionList)
        names = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert {"Billing", "Complaints", "Delivery", "General", "Technical"} <= set(names)
