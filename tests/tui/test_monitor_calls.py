"""The monitor and the wallboard show callers in line and the phone's figures from the calls (#20 point 5), live."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Static

from agent_console.config import Settings
from agent_console.domain.calls import parse_event, record_event
from agent_console.domain.monitor import compute_snapshot
from agent_console.screens.monitor import MonitorApp
from agent_console.screens.monitor_wallboard import WallboardScreen
from agent_console.widgets.monitor_tiles import MonitorTile, WallboardPanel

SIZE = (160, 50)


def steady_compute(*args, **kwargs):
    return replace(compute_snapshot(*args, **kwargs), compute_ms=0.0)


def _event(store, clock, **values):
    with store.transaction() as session:
        record_event(session, clock, parse_event(values))


def _monitor(store, clock, agents, **kwargs) -> MonitorApp:
    return MonitorApp(store=store, clock=clock, supervisor=agents["sue"], settings=Settings(timezone="UTC"),
                      compute=steady_compute, backfill=None, refresh_on_timer=False, **kwargs)


async def _settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_queue_tile_counts_callers_in_line(store, clock, agents):
    _event(store, clock, event="newCall", callId="w1", direction="in", queue="Billing", **{"from": "030 1234567"})
    clock.advance(45)
    app = _monitor(store, clock, agents)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        billing = next(t for t in app.screen.query(MonitorTile) if t.group_name == "Billing")
        assert "callers 1" in str(billing.content) and "call 0:45" in str(billing.content)
        _event(store, clock, event="newCall", callId="w2", direction="in", queue="Billing",
               **{"from": "030 7654321"})
        await pilot.press("r")
        await _settle(pilot)
        assert "callers 2" in str(billing.content)


async def test_the_wallboard_shows_the_phone_figures(store, clock, agents):
    _event(store, clock, event="newCall", callId="a1", direction="in", queue="Billing", **{"from": "030 1234567"})
    clock.advance(30)
    _event(store, clock, event="answer", callId="a1", user=["anna"])
    _event(store, clock, event="newCall", callId="a2", direction="in", queue="Billing", **{"from": "030 7654321"})
    clock.advance(20)
    _event(store, clock, event="hangup", callId="a2", cause="cancel")
    app = _monitor(store, clock, agents, wallboard=True)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert isinstance(app.screen, WallboardScreen)
        status = str(app.screen.query_one("#wall-status", Static).content)
        assert "phone SL 50%" in status and "ASA 0:30" in status and "abandoned 50%" in status
        panel = next(p for p in app.screen.query(WallboardPanel) if p.group_name == "Billing")
        assert "phone SL 50%" in str(panel.query_one(".panel-detail").content)
