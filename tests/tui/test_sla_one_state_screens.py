"""The weekend case of issue #16 on every screen: an e-mail case created Friday 14:05 under business hours
(Mon-Fri 08:00-18:00, 4 h first response, due Monday 08:05) reads "at risk" on Saturday noon in the agent's queue
row, the case header, the monitor's tile and its drill-down list — the same state ``sla.case_countdown`` gives."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import select

from agent_console.config import Settings
from agent_console.domain import sla
from agent_console.domain.cases import CaseService
from agent_console.domain.clock import FrozenClock, SystemClock
from agent_console.domain.monitor import Drill
from agent_console.screens.monitor import MonitorApp, MonitorCasesScreen
from agent_console.store import queries
from agent_console.store.models import Case, SlaPolicy
from agent_console.widgets.case_table import CaseTable
from agent_console.widgets.monitor_tiles import MonitorTile
from tui_support import settle

UTC = timezone.utc
OFFICE = '{"tz": "UTC", "days": [0,1,2,3,4], "open": "08:00", "close": "18:00"}'
FRIDAY_1405 = datetime(2026, 11, 27, 14, 5, tzinfo=UTC)
SATURDAY_NOON = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def weekend_case(store, agents) -> Case:
    """The only e-mail policy: business hours Mon-Fri 08:00-18:00 (UTC), 4 h first response."""
    with store.transaction() as session:
        for policy in session.scalars(select(SlaPolicy).where(SlaPolicy.channel == "email")).all():
            session.delete(policy)
        session.add(SlaPolicy(channel="email", first_response_s=4 * 3600, next_update_s=8 * 3600,
                              resolution_s=16 * 3600, business_hours=OFFICE))
    return CaseService(store, FrozenClock(FRIDAY_1405), agents["anna"]).create_case(
        customer="kim@example.com", channel="email", queue="Billing", subject="Invoice address", body="Please")


def function_says(store, case_id, now) -> sla.Countdown:
    with store.session() as session:
        case = session.get(Case, case_id)
        return sla.case_countdown(case, queries.policy_for(session, case.channel, case.priority), now)


async def test_the_queue_row_and_the_case_header_say_at_risk(store, agents):
    from agent_console.app import AgentConsoleApp
    from agent_console.screens.case_detail import CaseDetailScreen

    case = weekend_case(store, agents)
    assert function_says(store, case.id, SATURDAY_NOON).state == sla.SlaState.at_risk
    app = AgentConsoleApp(store=store, agent=agents["anna"], clock=FrozenClock(SATURDAY_NOON),
                          settings=Settings(timezone="UTC"), sla_sweep_s=None)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        await pilot.press("o")  # all open cases
        await settle(pilot)
        table = app.screen.query_one("#queue-table", CaseTable)
        line = next(table.plain_line(i) for i in range(10) if case.key in table.plain_line(i))
        assert "▲ 1d20h" in line  # at risk, with 44 h 05 of wall-clock time left
        await app.push_screen(CaseDetailScreen(case.id))
        await settle(pilot)
        header = str(app.screen.query_one("#case-summary").content)
        assert "▲ first response due Mon 30 Nov 08:05 (1d20h, at risk)" in header
        # The customer's next case lists this one among their cases, with the same state.
        second = CaseService(store, FrozenClock(SATURDAY_NOON), agents["anna"]).create_case(
            customer="kim@example.com", channel="email", queue="Billing", subject="Another thing", body="And")
        await app.push_screen(CaseDetailScreen(second.id))
        await settle(pilot)
        others = app.screen.query_one("#other-cases")
        listed = [str(others.get_option_at_index(i).prompt) for i in range(others.option_count)]
        assert [line.split("\n")[0] for line in listed] == [f"{case.key}  email · new  ▲"]


async def test_the_monitor_tile_and_its_drill_down_say_at_risk(store, agents):
    case = weekend_case(store, agents)
    app = MonitorApp(store=store, clock=FrozenClock(SATURDAY_NOON), supervisor=agents["sue"],
                     settings=Settings(timezone="UTC"), backfill=None, refresh_on_timer=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert app.snapshot.floor.at_risk == 1 and app.snapshot.floor.breached == 0
        billing = next(t for t in app.screen.query(MonitorTile) if t.group_name == "Billing")
        assert "at risk 1" in str(billing.content)
        await app.push_screen(MonitorCasesScreen(Drill("at_risk")))
        await settle(pilot)
        rows = app.screen.query_one("#cases")
        assert [str(rows.get_row_at(i)[0]) for i in range(rows.row_count)] == [case.key]
        assert str(rows.get_row_at(0)[1]) == "▲ 1d20h"


def test_case_show_and_case_list_say_at_risk(store, agents, cli, monkeypatch):
    case = weekend_case(store, agents)
    monkeypatch.setattr(SystemClock, "now", lambda self: SATURDAY_NOON)
    shown = json.loads(cli("case", "show", case.key, "--json").stdout)["sla"]
    assert shown["state"] == "at_risk" and shown["targets"][0] == {
        "target": "first_response", "due_at": "2026-11-30T08:05:00+00:00", "state": "at_risk"}
    listed = json.loads(cli("case", "list", "--view", "all", "--json").stdout)
    assert [(c["key"], c["sla_state"]) for c in listed] == [(case.key, "at_risk")]
