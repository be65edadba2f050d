"""Fixtures for the screen tests: fixed data at the frozen clock and a console factory."""

from __future__ import annotations

import inspect

import pytest

from agent_console.config import Settings
from tui_support import Data, build_cases, steady_picture


@pytest.fixture
def data(store, clock, agents) -> Data:
    return build_cases(store, clock, agents)


@pytest.fixture
def make_app(store, clock, agents):
    """``make_app(login="anna", **settings)`` -> a console acting as that agent, at the frozen clock."""
    from agent_console.app import AgentConsoleApp

    def make(login: str = "anna", **settings):
        settings.setdefault("timezone", "UTC")
        # SLA sweeps (which raise priorities of breached cases) run only when a test calls app.sweep_sla(), so
        # screens do not change under a test after a few seconds of wall time; the same for the looks for ringing
        # calls (app.check_calls(), once at the start).
        return AgentConsoleApp(store=store, agent=agents[login], clock=clock, settings=Settings(**settings),
                               sla_sweep_s=None, phone_check_s=None)

    return make




@pytest.fixture
def snap_compare(snap_compare):
    """pytest-textual-snapshot's ``snap_compare``, taking its picture only once the screen stopped changing, with
    the text cursors drawn steadily (a blink caught mid-cycle, or a worker's result drawn a frame late on a loaded
    machine, would otherwise fail a screenshot that is right)."""

    def compare(app, *args, run_before=None, **kwargs):
        async def before_the_picture(pilot) -> None:
            if run_before is not None:
                result = run_before(pilot)
                if inspect.isawaitable(result):
                    await result
            await steady_picture(pilot)

        return snap_compare(app, *args, run_before=before_the_picture, **kwargs)

    return compare
