"""Customer text is shown literally: Rich markup is not interpreted, terminal escapes never reach the terminal."""

from __future__ import annotations

from tui_support import HOSTILE_NAME, screen_segments, screen_text, settle

from agent_console.store import queries
from agent_console.widgets.case_table import CaseTable


def hostile_segments(app, needle: str):
    return [s for s in screen_segments(app) if needle in s.text]


def assert_no_escapes(app) -> None:
    for segment in screen_segments(app):
        assert "\x1b" not in segment.text and "\x07" not in segment.text and "\x9b" not in segment.text


async def test_queue_shows_markup_literally(make_app, data):
    app = make_app()
    async with app.run_test(size=(170, 20)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert HOSTILE_NAME in text
        assert "Refund [link=http://evil]click[/link] now" in text
        assert_no_escapes(app)
        # Where the literal text is drawn, no style from the markup applied: not red, not bold, not a link.
        for segment in hostile_segments(app, "[bold red]x[/]") + hostile_segments(app, "[link=http://evil]"):
            style = segment.style
            assert style is None or not (style.link or style.bold or (style.color and style.color.name == "red"))
        assert not any(s.style is not None and s.style.link for s in screen_segments(app))


async def test_case_screen_shows_markup_and_escapes_literally_or_stripped(make_app, data):
    app = make_app()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#queue-table", CaseTable)
        table.move_cursor(table.case_ids.index(_case_id(app, data.keys["hostile"])))
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Customer [bold red]x[/]" in text
        assert "[link=http://evil]click[/link]" in text
        # The message's ANSI colour and OSC sequences (hyperlink, window title) were stripped, the words kept.
        assert "hello RED link  [b]bold?[/b] end" in text
        assert "pwned title" not in text
        assert_no_escapes(app)
        assert not any(s.style is not None and s.style.link for s in screen_segments(app))
        for segment in hostile_segments(app, "[b]bold?[/b]"):
            assert segment.style is None or not segment.style.bold


async def test_export_screenshot_has_the_literal_text(make_app, data):
    app = make_app()
    # 160 columns: at 140 the subject's third of the width leaves the customer column too narrow for the whole name.
    async with app.run_test(size=(160, 20)) as pilot:
        await settle(pilot)
        svg = app.export_screenshot()
        assert "[bold&#160;red]x[/]" in svg or "[bold red]x[/]" in svg
        assert "http://evil" in svg and "<a " not in svg


def _case_id(app, key: str) -> int:
    with app.store.session() as session:
        return queries.case_by_key(session, key).id
