"""Nothing broken reaches a customer: the case screen refuses to send text with a leftover placeholder, a template
error or template syntax, says what and where in the editor, and keeps the draft."""

from __future__ import annotations

from textual.widgets import Static

from agent_console.store import queries
from agent_console.widgets.reply_editor import ReplyEditor
from tui_support import settle

SIZE = (110, 32)


async def open_case(app, pilot, key: str) -> None:
    from agent_console.screens.case_detail import CaseDetailScreen

    with app.store.session() as session:
        case_id = queries.case_by_key(session, key).id
    await app.push_screen(CaseDetailScreen(case_id))
    await settle(pilot)


def thread_bodies(store, key: str) -> list[str]:
    with store.session() as session:
        return [m.body for m in queries.thread(session, queries.case_by_key(session, key).id)]


def problems_shown(app) -> str:
    line = app.screen.query_one("#editor-problems", Static)
    return str(line.render()) if line.display else ""


async def test_a_reply_with_an_unresolved_placeholder_is_not_sent_and_the_draft_stays(make_app, data, store):
    key = data.keys["chat_ok"]
    before = thread_bodies(store, key)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, key)
        await pilot.press("r")
        editor = app.screen.query_one(ReplyEditor)
        draft = "Hi Mia,\nyour parcel ⟦unknown: customer.nickname⟧ is on its way."
        editor.text_area.insert(draft)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert editor.is_open and editor.text_area.text == draft
        assert problems_shown(app) == ("not sent: line 2, column 13: the placeholder customer.nickname has no "
                                       "value: ⟦unknown: customer.nickname⟧")
        assert editor.text_area.cursor_location == (1, 12)
        assert thread_bodies(store, key) == before
        # Fixing the text clears the message, and then it is sent.
        editor.text_area.replace("Mia", (1, 12), (1, 40))
        await settle(pilot)
        assert problems_shown(app) == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not editor.is_open
    assert thread_bodies(store, key)[-1] == "Hi Mia,\nyour parcel Mia is on its way."


async def test_a_note_with_template_syntax_is_not_added(make_app, data, store):
    key = data.keys["chat_ok"]
    before = thread_bodies(store, key)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, key)
        await pilot.press("i")
        editor = app.screen.query_one(ReplyEditor)
        editor.text_area.insert("Called {{ customer.name }} back")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert editor.is_open and editor.text_area.text == "Called {{ customer.name }} back"
        assert problems_shown(app) == ("not sent: line 1, column 8: template syntax would reach the customer: "
                                       "{{ customer.name }}")
    assert thread_bodies(store, key) == before
