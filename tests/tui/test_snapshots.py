"""Snapshots of the agent screens at fixed sizes, frozen clock and fixed data (``--snapshot-update`` to refresh)."""

from __future__ import annotations

from tests.helpers import wait_until_async
from tui_support import settle

from agent_console.store import queries


def _open(key: str):
    async def run_before(pilot) -> None:
        from agent_console.screens.case_detail import CaseDetailScreen

        app = pilot.app
        await settle(pilot)
        with app.store.session() as session:
            case_id = queries.case_by_key(session, key).id
        await app.push_screen(CaseDetailScreen(case_id))
        await wait_until_async(lambda: app.screen.snapshot is not None, message="the case to load")
        await settle(pilot)

    return run_before


def test_queue_120x36(snap_compare, make_app, data):
    assert snap_compare(make_app(), terminal_size=(120, 36), run_before=settle)


def test_queue_80x24(snap_compare, make_app, data):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=settle)


def test_case_detail_120x36(snap_compare, make_app, data):
    assert snap_compare(make_app(), terminal_size=(120, 36), run_before=_open(data.keys["anna_case"]))


def test_case_detail_80x24(snap_compare, make_app, data):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_open(data.keys["anna_case"]))
