"""``agent-console report …`` end to end: real store, the tracker writes the time, the CLI reads it back."""

from __future__ import annotations

import csv
import io
import json

import pytest

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


def test_report_fcr_by_default_shows_the_figure_the_monitor_shows(cli, store, agents):
    from datetime import timedelta, timezone

    from agent_console.domain.clock import FrozenClock, SystemClock
    from agent_console.domain.monitor import compute_snapshot

    # Work done minutes ago (the report reads the real clock): inside any reopen window.
    clock = FrozenClock(SystemClock().now() - timedelta(minutes=10))
    svc = CaseService(store, clock, agents["anna"])

    def case(subject: str):
        return svc.create_case(customer=f"{subject}@example.com", channel="email", queue="Billing",
                               subject=subject, body="Help")

    def then(action, *args):
        clock.advance(30)
        action(*args)

    first_time = case("solved")
    then(svc.reply, first_time.id, "Done.")
    then(svc.resolve, first_time.id)
    came_back = case("twice")
    then(svc.add_inbound, came_back.id, "Any news?")
    then(svc.resolve, came_back.id)
    reopened = case("reopened")
    then(svc.resolve, reopened.id)
    then(svc.reopen, reopened.id)
    then(svc.resolve, reopened.id)
    clock.advance(60)

    monitor = compute_snapshot(store, clock, tz=timezone.utc).floor
    assert (monitor.resolved_today, monitor.fcr) == (3, 1 / 3)
    report = json.loads(cli("report", "fcr", "--format", "json").output)
    assert report["window_days"] is None
    assert [(r["decided"], r["resolved_first_contact"]) for r in report["rows"]] == [(3, 1)]
    assert report["rows"][0]["value"] == pytest.approx(100 * monitor.fcr)
    assert "provisional, as the monitor shows it" in cli("report", "fcr").output

    # The settled figure waits for the reopen window to close.
    settled = json.loads(cli("report", "fcr", "--settled", "--format", "json").output)
    assert settled["window_days"] == 7 and settled["rows"][0]["undecided"] == 3
    assert settled["rows"][0]["value"] is None


def test_no_report_repeats_a_column_name_and_each_help_lists_its_own_options(cli, store, agents, clock):
    handle_one_case(store, clock, agents["anna"])
    svc = CaseService(store, clock, agents["anna"])
    complaint = svc.create_case(customer="karl@example.com", channel="email", queue="Complaints",
                                subject="Broken again", body="…")
    svc.reply(complaint.id, "Sorry!")
    tables = set()
    for name in ("aht", "fcr", "sla", "asa", "escalations", "csat", "nps", "ces", "complaints"):
        header = next(csv.reader(io.StringIO(cli("report", name, *DAY, "--format", "csv").output)))
        assert len(header) == len({h.lower() for h in header}), (name, header)
        table = cli("report", name, *DAY, "--by", "queue")
        if "no data" in table.output:
            continue
        tables.add(name)
        header_line = next(line for line in table.output.splitlines() if "queue" in line)
        titles = [cell.strip().lower() for cell in header_line.strip("┃│ ").split("┃") if cell.strip()]
        assert len(titles) == len(set(titles)), (name, titles)
        help_text = cli("report", name, "--help").output
        assert ("--window-days" in help_text) == (name == "fcr"), name
        assert ("--settled" in help_text) == (name == "fcr"), name
    assert {"asa", "complaints", "sla"} <= tables


def test_tables_keep_their_headers_whole_at_80_columns(cli, store, agents, clock, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    svc = CaseService(store, clock, agents["anna"])
    case = svc.create_case(customer="jeanne.serrano@example.com", channel="messenger", queue="Complaints",
                           customer_name="Jeanne Serrano-Villeneuve",
                           subject="Password reset doesn't work after the latest update", body="…")
    svc.claim(case.id)
    svc.set_status(case.id, "escalated")
    handle_one_case(store, clock, agents["ben"])
    outputs = {"case list": cli("case", "list").output, "agents list": cli("agents", "list").output,
               "report sla": cli("report", "sla", *DAY, "--by", "queue").output,
               "report fcr": cli("report", "fcr", *DAY, "--by", "agent").output}
    for what, output in outputs.items():
        assert max(len(line) for line in output.splitlines()) <= 80, (what, output)
    case_header = outputs["case list"].splitlines()[0].split()
    assert case_header == ["key", "prio", "channel", "queue", "customer", "subject", "status", "assignee", "SLA"]
