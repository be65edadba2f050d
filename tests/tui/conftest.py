"""Fixtures for the screen tests: fixed data at the frozen clock and a console factory."""

from __future__ import annotations

import pytest

from agent_console.config import Settings
from tui_support import Data, build_cases


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


