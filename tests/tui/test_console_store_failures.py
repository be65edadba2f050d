"""The console when its store fails: a read-only store or a full disk is shown in a notification and in the header,
no SQL or customer data leaks into the message, and the console keeps running and reading."""

from __future__ import annotations

import contextlib

from agent_console.store import db as store_db
from tui_support import screen_text, settle

SIZE = (110, 32)


@contextlib.contextmanager
def store_condition(pragma: str):
    """Every new connection to the store runs ``pragma``: ``query_only`` makes SQLite refuse writes as for a
    read-only file (SQLITE_READONLY), a small ``max_page_count`` makes it fail as on a full disk (SQLITE_FULL)."""
    def hook(con) -> None:
        con.execute(pragma)

    store_db.on_sqlite_connect(hook)
    try:
        yield
    finally:
        store_db._connection_hooks.remove(hook)


async def open_case(app, pilot, key: str) -> None:
    from agent_console.screens.case_detail import CaseDetailScreen
    from agent_console.store import queries

    with app.store.session() as session:
        case_id = queries.case_by_key(session, key).id
    await app.push_screen(CaseDetailScreen(case_id))
    await settle(pilot)


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_a_read_only_store_is_reported_and_the_console_keeps_running(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["chat_ok"])
        with store_condition("PRAGMA query_only = ON"):
            await pilot.press("r", *"On its way.")
            await pilot.press("ctrl+s")  # the reply is written in a worker
            await settle(pilot)
            failures = [m for m in messages(app) if "read-only" in m]
            assert failures and "nothing was saved" in failures[0]
            assert not any("INSERT" in m or "UPDATE" in m or "[SQL" in m for m in messages(app)), messages(app)
            assert "⚠ store read-only" in screen_text(app)

            await pilot.press("escape", "escape")
            await pilot.press("b")  # a break is written on the UI thread
            await settle(pilot)
            assert app.is_running and app.return_code is None

            await open_case(app, pilot, data.keys["email_old"])  # reading still works
            assert "Rechnung doppelt belastet" in screen_text(app)


async def test_a_store_failure_in_the_timer_is_reported(make_app, data):
    """The heartbeat checkpoint (a worker every heartbeat_s) and the one-second tick (which ends an idle segment)
    write to the store: a failure there must not end the console."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["chat_ok"])  # a handling segment is running: heartbeats are due
        app.clock.advance(seconds=60)
        with store_condition("PRAGMA query_only = ON"):
            app._checkpoint()  # the heartbeat cannot be written
            await settle(pilot)
        assert any("read-only" in m for m in messages(app)), messages(app)
        reported = len(messages(app))
        app.clock.advance(seconds=600)
        with store_condition("PRAGMA query_only = ON"):
            app.tick()  # idle: the segment's end cannot be written
            await settle(pilot)
        assert any("read-only" in m for m in messages(app)[reported:]), messages(app)
        assert any("read-only" in m for m in messages(app)), messages(app)
        assert "⚠ store read-only" in screen_text(app)
        assert app.is_running and app.return_code is None


async def test_a_full_disk_while_sending_is_reported(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["chat_ok"])
        with store.session() as session:
            pages = session.connection().exec_driver_sql("PRAGMA page_count").scalar()
        await pilot.press("r", *"Long reply:")
        from agent_console.widgets.reply_editor import ReplyEditor

        app.screen.query_one(ReplyEditor).text_area.text = "A reply that needs new pages. " * 2000
        with store_condition(f"PRAGMA max_page_count = {pages}"):
            await pilot.press("ctrl+s")
            await settle(pilot)
        assert any("is full" in m and "nothing was saved" in m for m in messages(app)), messages(app)
        assert "⚠ disk full" in screen_text(app)
        assert app.is_running and app.return_code is None
