"""The case detail screen: thread, editor, drafts and case changes, against a real store at a frozen clock."""

from __future__ import annotations

from sqlalchemy import select

from agent_console.store import queries
from agent_console.store.models import AuditEvent, Draft, Message, OutboxOp
from agent_console.widgets.reply_editor import ReplyEditor
from tests.helpers import wait_until_async
from tui_support import palette_offers, screen_text, settle

SIZE = (110, 32)


async def open_case(app, pilot, key: str) -> None:
    from agent_console.screens.case_detail import CaseDetailScreen

    with app.store.session() as session:
        case_id = queries.case_by_key(session, key).id
    await app.push_screen(CaseDetailScreen(case_id))
    await settle(pilot)


def thread_of(store, key: str) -> list[Message]:
    with store.session() as session:
        return queries.thread(session, queries.case_by_key(session, key).id)


async def test_header_thread_and_customer_history(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["anna_case"])
        text = screen_text(app)
        assert "Ratenzahlung" in text and "Karl Kunde" in text and "lang de" in text
        assert "Channel phone" in text and "Queue Billing" in text and "Priority normal" in text
        assert "Status open" in text and "Assignee Anna Agent" in text and "Contacts 1" in text
        assert "● resolution due 16:00 (7h00m, ok)" in text
        # The thread: inbound, outbound and the note, each labelled.
        assert "◀ IN" in text and "▶ OUT" in text and "✎ NOTE" in text
        assert "·  internal" in text
        boxes = app.screen.query("MessageBox")
        assert [sorted(b.classes)[0] for b in boxes] == ["-inbound", "-outbound", "-note"]
        # Karl's other cases, from other channels too.
        assert data.keys["email_old"] in text and data.keys["karl_chat"] in text


async def test_customer_case_opens_from_the_history(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["anna_case"])
        await pilot.press("h", "down", "enter")
        await settle(pilot)
        assert app.screen.snapshot.case.key == data.keys["email_old"]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.snapshot.case.key == data.keys["anna_case"]


async def test_reply_is_sent_and_recorded(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["chat_ok"])
        await pilot.press("r", *"On its way.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.screen.query_one(ReplyEditor).is_open
        assert "On its way." in screen_text(app)
        assert "Status open" in screen_text(app)
    messages = thread_of(store, data.keys["chat_ok"])
    assert (messages[-1].body, messages[-1].direction, messages[-1].is_internal) == (
        "On its way.", "out", False)
    with store.session() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "case.reply")).all()
        assert session.scalars(select(OutboxOp).where(OutboxOp.kind == "message.add")).all()
        assert session.scalars(select(Draft)).all() == []


async def test_internal_note_is_marked_as_note(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["chat_ok"])
        await pilot.press("i", *"VIP? ok")
        assert "INTERNAL NOTE" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.query("MessageBox.-note")
    last = thread_of(store, data.keys["chat_ok"])[-1]
    assert last.is_internal and last.body == "VIP? ok"


async def test_empty_send_is_refused(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["chat_ok"])
        await pilot.press("r", "ctrl+s")
        await settle(pilot)
        assert any("empty" in n.message for n in app._notifications)
    assert len(thread_of(store, data.keys["chat_ok"])) == 1


async def test_status_priority_and_queue_change_through_pickers(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["chat_ok"])
        await pilot.press("t")
        await settle(pilot)
        assert type(app.screen).__name__ == "PickModal"
        await pilot.press("down", "down", "enter")  # new -> open -> pending
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("home", "enter")  # urgent
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("home", "enter")  # Billing (sorted first)
        await settle(pilot)
        text = screen_text(app)
        assert "Status pending" in text and "Priority urgent" in text and "Queue Billing" in text
        assert "‖ resolution paused" in text
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("escape")  # cancel changes nothing
        await settle(pilot)
    with store.session() as session:
        case = queries.case_by_key(session, data.keys["chat_ok"])
        assert (case.status, case.priority, case.queue) == ("pending", "urgent", "Billing")
        actions = [a.action for a in session.scalars(select(AuditEvent).where(AuditEvent.entity_id == case.id))]
    assert actions[-3:] == ["case.status", "case.update", "case.update"]


async def test_claim_release_resolve_and_reopen(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["chat_ok"])
        await pilot.press("c")
        await settle(pilot)
        assert "Assignee Anna Agent" in screen_text(app)
        await pilot.press("l")
        await settle(pilot)
        assert "Assignee unassigned" in screen_text(app)
        await pilot.press("x")  # an unanswered, unassigned case: resolving it is confirmed first
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen.query_one("#wrap-up-codes")  # resolving asks for the wrap-up code
        await pilot.press("escape")  # later: wrap-up time keeps running
        await settle(pilot)
        assert "Status resolved" in screen_text(app)
        await pilot.press("x")  # resolving twice is harmless (and starts no second wrap-up)
        await settle(pilot)
        assert "Status resolved" in screen_text(app)
        await pilot.press("O")
        await settle(pilot)
        assert "Status open" in screen_text(app)


async def test_errors_from_the_service_are_notifications(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["ben_case"])
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("already claimed by Ben Second" in m for m in messages)
        assert any("not yours to release" in m for m in messages)
        assert app.is_running


async def test_draft_is_saved_while_typing_and_restored_in_a_new_console(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["chat_ok"])
        await pilot.press("r", *"Hi Mia,")

        def stored_drafts():
            with store.session() as session:
                return [(d.kind, d.body) for d in session.scalars(select(Draft)).all()]

        # The debounce writes the draft in a worker.
        await wait_until_async(lambda: stored_drafts() == [("reply", "Hi Mia,")], message="the draft is stored")
    second = make_app()
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(second, pilot, data.keys["chat_ok"])
        editor = second.screen.query_one(ReplyEditor)
        assert editor.is_open and editor.mode == "reply"
        assert editor.text_area.text == "Hi Mia,"
        assert editor.text_area.has_focus
        await pilot.press(*" ok", "ctrl+s")
        await settle(pilot)
    assert thread_of(store, data.keys["chat_ok"])[-1].body == "Hi Mia, ok"
    with store.session() as session:
        assert session.scalars(select(Draft)).all() == []


async def test_leaving_the_editor_keeps_the_draft_and_notes_have_their_own(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["chat_ok"])
        await pilot.press("r", *"rep", "escape")
        await settle(pilot)
        assert not app.screen.query_one(ReplyEditor).is_open
        await pilot.press("i", *"nt", "escape")
        await settle(pilot)
        await pilot.press("r")
        assert app.screen.query_one(ReplyEditor).text_area.text == "rep"
        await pilot.press("escape", "escape")  # leave the editor, then the case
        await settle(pilot)
        assert type(app.screen).__name__ == "QueueScreen"
    with store.session() as session:
        assert sorted((d.kind, d.body) for d in session.scalars(select(Draft))) == [("note", "nt"),
                                                                                    ("reply", "rep")]


async def test_shortcut_expansion_in_the_editor(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["chat_ok"])
        area = app.screen.query_one(ReplyEditor).text_area
        area.expander = {"ty": "Thank you!"}.get
        await pilot.press("r", *"A ;ty", "space", *";no", "space", *"x;ty", "space")
        assert area.text == "A Thank you! ;no x;ty "
        await pilot.press(*";ty", "tab")
        assert area.text.endswith("x;ty Thank you!")
        assert area.has_focus


async def test_canned_and_kb_say_when_they_are_not_available(make_app, data, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "agent_console.screens.canned", None)
    monkeypatch.setitem(sys.modules, "agent_console.screens.kb_search", None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["chat_ok"])
        await pilot.press("r", "ctrl+t", "ctrl+k")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert "Canned responses are not available." in messages
        assert "Knowledge base search is not available." in messages


async def test_case_help_and_palette(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["chat_ok"])
        await pilot.press("question_mark")
        await settle(pilot)
        text = screen_text(app)
        for expected in ("Reply", "Note", "ctrl+s", "Send", "Status", "Priority", "Queue", "Resolve", "Canned",
                         "KB", "Release", "Reopen"):
            assert expected in text
        await pilot.press("escape")
        await pilot.press("ctrl+p", *"priority hi")
        await wait_until_async(lambda: palette_offers(app, "priority"))
        await pilot.press("enter")
        await settle(pilot)
    with store.session() as session:
        assert queries.case_by_key(session, data.keys["chat_ok"]).priority == "high"
