"""The monitor's keys come from the key registry: a supervisor can rebind them like the console's."""

from __future__ import annotations

from agent_console.config import Settings
from agent_console import keys
from agent_console.screens.monitor import MonitorApp
from agent_console.screens.monitor_drill import MonitorCaseScreen, MonitorCasesScreen
from agent_console.screens.monitor_floor import MonitorScreen
from agent_console.screens.monitor_wallboard import WallboardScreen
from tui_support import settle


def test_every_monitor_binding_is_a_registry_entry():
    registered = {a.name for a in keys.ACTIONS}
    for screen in (MonitorApp, MonitorScreen, WallboardScreen, MonitorCasesScreen, MonitorCaseScreen):
        ids = [binding.id for binding in screen.BINDINGS]
        assert ids and all(binding_id in registered for binding_id in ids), screen.__name__


async def test_a_rebound_monitor_key_works(store, clock, agents):
    app = MonitorApp(store=store, clock=clock, supervisor=agents["sue"], backfill=None, refresh_on_timer=False,
                     settings=Settings(timezone="UTC", keys={"monitor_wallboard": "b"}))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, MonitorScreen)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, WallboardScreen)


async def test_leaving_a_wallboard_opened_first_shows_the_floor(store, clock, agents):
    app = MonitorApp(store=store, clock=clock, supervisor=agents["sue"], backfill=None, refresh_on_timer=False,
                     settings=Settings(timezone="UTC"), wallboard=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WallboardScreen)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, MonitorScreen)
