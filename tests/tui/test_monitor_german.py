"""The monitor in German: the palette switches the language of a running monitor (no restart), and the monitor and
wallboard look as recorded in German at 80×24 (frozen clock, fixed data; the same floor as test_monitor_screen)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from agent_console import i18n
from agent_console.domain.monitor import backfill_points
from test_monitor_screen import (  # noqa: F401  (floor and help_center_today are fixtures)
    DEFLECTION_THRESHOLDS, floor, help_center_today, make_monitor, settle)


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")


def footer_labels(app) -> set[str]:
    return {active.binding.description for active in app.screen.active_bindings.values() if active.binding.show}


async def choose_in_palette(pilot, words: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.press(*words)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def test_the_palette_switches_a_running_monitor_to_german_and_back(store, clock, agents, floor):  # noqa: F811
    app = make_monitor(store, clock, agents)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert "Refresh" in footer_labels(app)
        assert str(app.screen.query_one("#monitor-status", Static).content).startswith("Live monitor")
        channel_rows = app.screen.query_one("#channels", DataTable).row_count
        assert channel_rows

        await choose_in_palette(pilot, "Deutsch")
        await settle(pilot)
        assert i18n.current_language() == "de"
        assert {"Aktualisieren", "Kanäle", "Wallboard"} <= footer_labels(app)
        assert str(app.screen.query_one("#monitor-status", Static).content).startswith("Live-Monitor")
        channels = app.screen.query_one("#channels", DataTable)
        assert [str(column.label) for column in channels.columns.values()][:3] == ["Kanal", "wart.", "längste"]
        assert channels.row_count == channel_rows  # the rows stay across the switch
        assert app.title == "Agent Console — Live-Monitor"

        await choose_in_palette(pilot, "English")
        await settle(pilot)
        assert i18n.current_language() == "en"
        assert "Refresh" in footer_labels(app)
        assert [str(column.label) for column in channels.columns.values()][:3] == ["channel", "wait", "longest"]


def test_snapshot_of_the_monitor_in_german_at_80x24(snap_compare, store, clock, agents, floor):  # noqa: F811
    i18n.set_language("de")
    app = make_monitor(store, clock, agents, backfill=backfill_points)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_snapshot_of_the_wallboard_in_german_at_80x24(snap_compare, store, clock, agents, floor,  # noqa: F811
                                                      help_center_today):  # noqa: F811
    i18n.set_language("de")
    app = make_monitor(store, clock, agents, wallboard=True, backfill=backfill_points,
                       settings=DEFLECTION_THRESHOLDS)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_snapshot_of_the_monitor_in_german_at_160x45(snap_compare, store, clock, agents, floor):  # noqa: F811
    i18n.set_language("de")
    app = make_monitor(store, clock, agents, backfill=backfill_points)
    assert snap_compare(app, terminal_size=(160, 45), run_before=settle)


def test_snapshot_of_the_wallboard_in_german_at_160x45(snap_compare, store, clock, agents, floor,  # noqa: F811
                                                       help_center_today):  # noqa: F811
    i18n.set_language("de")
    app = make_monitor(store, clock, agents, wallboard=True, backfill=backfill_points,
                       settings=DEFLECTION_THRESHOLDS)
    assert snap_compare(app, terminal_size=(160, 45), run_before=settle)
