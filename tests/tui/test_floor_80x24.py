"""The console at 80×24: the agent's state stays in the header, the thread keeps half the height while writing,
labels wrap with their values, and toasts never cover the reply editor."""

from __future__ import annotations

from rich.text import Text
from textual.widgets._toast import Toast

from agent_console.screens.case_detail import CaseDetailScreen
from agent_console.store import queries
from agent_console.widgets.case_header import CaseHeader
from agent_console.widgets.header_bar import HeaderBar
from agent_console.widgets.packed_text import PackedText, pack_units
from agent_console.widgets.reply_editor import ReplyEditor
from agent_console.widgets.thread_view import ThreadView

from tests.helpers import wait_until_async
from tui_support import settle

SMALL = (80, 24)
ROUTING_LABELS = ("Channel", "Queue", "Priority", "Status", "Tier", "Assignee", "Contacts")


def header_line(app) -> str:
    return app.screen.query_one(HeaderBar).render().plain


async def open_case(app, pilot, key: str) -> CaseDetailScreen:
    with app.store.session() as session:
        case_id = queries.case_by_key(session, key).id
    await app.push_screen(CaseDetailScreen(case_id))
    await wait_until_async(lambda: isinstance(app.screen, CaseDetailScreen) and app.screen.snapshot is not None,
                           message="the case is shown")
    await pilot.pause()
    return app.screen


async def test_the_header_keeps_the_agents_state_at_80_columns(make_app, data):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert "available" in header_line(app)
        await pilot.press("b")  # take a break
        await wait_until_async(lambda: "·  break" in header_line(app), message="the header says break")
        assert len(header_line(app)) <= SMALL[0]
        assert "Anna Agent" in header_line(app)


async def test_with_the_editor_open_the_thread_keeps_half_the_height(make_app, data):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = await open_case(app, pilot, data.keys["anna_case"])
        await pilot.press("r")
        editor = screen.query_one(ReplyEditor)
        await wait_until_async(lambda: editor.is_open and editor.region.height > 0, message="the editor opens")
        await pilot.pause()
        thread = screen.query_one(ThreadView)
        assert thread.region.height * 2 >= SMALL[1]
        assert editor.text_area.region.height >= 3  # still room to write
        # The SLA stays in view while writing.
        compact = screen.query_one("#case-summary-compact", PackedText)
        assert compact.region.height > 0 and "SLA" in compact.content.plain
        await pilot.press("escape")
        await wait_until_async(lambda: not editor.is_open, message="the editor closes")
        await pilot.pause()
        assert screen.query_one("#case-summary", PackedText).region.height >= 4  # the full header is back


async def test_header_labels_wrap_with_their_values(make_app, data):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = await open_case(app, pilot, data.keys["anna_case"])
        summary = screen.query_one(CaseHeader).query_one("#case-summary", PackedText)
        rows = [row.plain.rstrip() for row in pack_units(summary._lines, summary.content_region.width)]
        assert len(rows) > 4  # the routing line did wrap at this width
        for row in rows:
            assert not row.endswith(ROUTING_LABELS), row
            assert len(row) <= summary.content_region.width
        shown = " ".join(rows)
        for label in ROUTING_LABELS:
            assert label in shown


def test_a_unit_that_does_not_fit_moves_whole_to_the_next_row():
    units = [Text("Priority urgent"), Text("Status open"), Text("Tier T1")]
    rows = [row.plain for row in pack_units([units], 30)]
    assert rows == ["Priority urgent  Status open", "Tier T1"]
    assert [row.plain for row in pack_units([[Text("x" * 12)]], 8)] == ["xxxxxxx…"]


async def test_toasts_never_cover_the_reply_editor(make_app, data):
    app = make_app()
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(pilot)
        screen = await open_case(app, pilot, data.keys["anna_case"])
        await pilot.press("r")
        editor = screen.query_one(ReplyEditor)
        await wait_until_async(lambda: editor.is_open and editor.region.height > 0, message="the editor opens")
        app.notify("A long notification that takes a few lines of the screen to say what it has to say.",
                   title="Notice")
        await wait_until_async(lambda: any(t.region.height for t in app.screen.query(Toast)),
                               message="the toast is shown")
        await pilot.pause()
        for toast in app.screen.query(Toast):
            assert not toast.region.overlaps(editor.region)


def test_case_while_writing_80x24_snapshot(snap_compare, make_app, data):
    async def run_before(pilot) -> None:
        app = pilot.app
        await wait_until_async(lambda: app.screen.query("#queue-table")
                               and app.screen.query_one("#queue-table").row_count == 7, message="the queue is shown")
        screen = await open_case(app, pilot, data.keys["anna_case"])
        await pilot.press("r")
        editor = screen.query_one(ReplyEditor)
        await wait_until_async(lambda: editor.is_open and editor.text_area.has_focus, message="the editor opens")
        await pilot.press(*"Danke!")
        await wait_until_async(lambda: editor.text_area.text == "Danke!", message="the reply is typed")
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SMALL, run_before=run_before)
