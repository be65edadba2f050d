"""``agent-console report …`` end to end: real store, the tracker writes the time, the CLI reads it back."""

from __future__ import annotations

import csv
import io
import json

from agent_console.domain.cases import CaseService
from agent_console.domain.handling import HandlingTracker

DAY = ["--since", "2026-11-23", "--until", "2026-11-23"]


def handle_one_case(store, clock, agent):
    """A minute of work with an idle pause in the middle, resolved, wrap-up code after 15 s: AHT 75 s."""
    svc = CaseService(store, clock, agent)
    case = svc.create_case(customer="+49 40 1234", channel="phone", queue="Billing", subject="Rechnung", body="…")
    tracker = HandlingTracker(store, clock, agent, idle_timeout_s=30, wrap_up_codes=["resolved", "forwarded"])
    tracker.case_opened(case.id)
    clock.advance(40)
    tracker.activity()
    clock.advance(60)  # away from the keyboard: idle after 30 s, the segment ends at the last key (40 s)
    tracker.tick()
    tracker.activity()
    clock.advance(20)
    svc.claim(case.id)
    svc.resolve(case.id)
    tracker.resolved(case.id)
    clock.advance(15)
    tracker.wrap_up_done("resolved")
    return case


def test_report_aht_as_table_json_and_csv(cli, store, agents, clock):
    handle_one_case(store, clock, agents["anna"])

    table = cli("report", "aht", *DAY)
    assert table.exit_code == 0, table.output
    assert "Average handling time, 2026-11-23 to 2026-11-23" in table.output
    assert "1m15s" in table.output  # 40 + 20 handle + 15 wrap-up

    data = json.loads(cli("report", "aht", *DAY, "--by", "agent", "--format", "json").output)
    assert data["rows"] == [{"agent": "anna", "cases": 1, "value": 75.0, "handle_s": 60.0, "wrap_up_s": 15.0,
                             "corrections_s": 0.0, "total_s": 75.0}]

    rows = list(csv.reader(io.StringIO(cli("report", "aht", *DAY, "--by", "queue", "--format", "csv").output)))
    assert rows[0] == ["queue", "cases", "value", "corrections_s", "handle_s", "total_s", "wrap_up_s"]
    assert rows[1][:3] == ["Billing", "1", "75.0"]


def test_report_outside_the_range_says_so(cli, store, agents, clock):
    handle_one_case(store, clock, agents["anna"])
    result = cli("report", "aht", "--since", "2026-11-24", "--until", "2026-11-30")
    assert result.exit_code == 0
    assert "no data from 2026-11-24 to 2026-11-30" in result.output


def test_every_report_runs(cli, store, agents, clock):
    handle_one_case(store, clock, agents["anna"])
    for name in ("aht", "fcr", "sla", "asa", "escalations", "csat", "nps", "ces", "complaints"):
        result = cli("report", name, *DAY, "--format", "json")
        assert result.exit_code == 0, (name, result.output)
        assert json.loads(result.output)["report"] == name
    escalations = json.loads(cli("report", "escalations", *DAY, "--format", "json").output)
    assert escalations["rows"] == [{"group": "all", "cases": 1, "value": 0.0, "escalated": 0, "automatic": 0}]


def test_bad_options_are_clear_errors(cli, store):
    bad_date = cli("report", "aht", "--since", "2026-13-01")
    assert bad_date.exit_code == 1
    assert "--since: '2026-13-01' is not a date; use YYYY-MM-DD" in bad_date.output
    reversed_range = cli("report", "aht", "--since", "2026-11-30", "--until", "2026-11-01")
    assert reversed_range.exit_code == 1 and "is after --until" in reversed_range.output
    assert "unknown grouping 'week'" in cli("report", "csat", "--by", "week").output
    assert "unknown format 'xml'" in cli("report", "nps", "--format", "xml").output
