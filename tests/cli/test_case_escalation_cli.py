"""``case escalate / deescalate / follow-ups / follow-up-done / correct-time / history / sla-sweep`` and ``state``.

The commands are registered onto a ``case`` group by ``register_case_commands``; the test mounts them on a small app
with the same root options, so it does not depend on how ``cli/case.py`` wires them in.
"""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from agent_console.cli.case_escalation import register_case_commands
from agent_console.cli.common import Context
from agent_console.domain.cases import CaseService
from agent_console.domain.handling import HandlingTracker
from agent_console.store import queries
from agent_console.store.models import Case


@pytest.fixture
def run(store_path, store):
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context, agent: str = typer.Option(None, "--agent")) -> None:
        ctx.obj = Context(db_option=str(store_path), agent_option=agent)

    group = typer.Typer()
    register_case_commands(group)
    app.add_typer(group, name="case")
    from agent_console.cli import agent_state

    agent_state.register(app)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def case(store, agents, clock):
    svc = CaseService(store, clock, agents["anna"])
    case = svc.create_case(customer="k@example.de", channel="email", queue="Technical", subject="VPN", body="…")
    svc.claim(case.id)
    return case


def test_escalate_follow_up_and_history(run, store, agents, case):
    missing_reason = run("--agent", "anna", "case", "escalate", case.key, "--tier", "2", "--reason", " ")
    assert missing_reason.exit_code == 1 and "needs a reason" in missing_reason.output

    result = run("--agent", "anna", "case", "escalate", case.key, "--tier", "2", "--reason", "VPN config")
    assert result.exit_code == 0, result.output
    assert f"{case.key} escalated to tier 2; follow-up due in 24 h" in result.output
    with store.session() as session:
        assert session.get(Case, case.id).assignee_id is None

    listed = json.loads(run("--agent", "anna", "case", "follow-ups", "--json").output)
    assert [(f["case_key"], f["is_due"]) for f in listed] == [(case.key, False)]
    assert "no follow-ups due" in run("--agent", "anna", "case", "follow-ups", "--due").output

    done = run("--agent", "anna", "case", "follow-up-done", str(listed[0]["id"]), "--note", "works now")
    assert done.exit_code == 0 and "done" in done.output

    back = run("--agent", "ben", "case", "deescalate", case.key, "--reason", "tier 1 can close it")
    assert back.exit_code == 0, back.output
    history = json.loads(run("--agent", "anna", "case", "history", case.key, "--json").output)
    assert [(e["kind"], e["to_tier"], e["reason"]) for e in history["escalations"]] == [
        ("manual", 2, "VPN config"), ("deescalation", 1, "tier 1 can close it")]
    assert history["follow_ups"][0]["note"] == "works now"
    assert ("first_response", "started") in [(e["target"], e["event"]) for e in history["sla_events"]]
    text = run("--agent", "anna", "case", "history", case.key).output
    assert "manual: tier 1→2 by anna — VPN config" in text


def test_correct_time_is_for_supervisors(run, store, agents, clock, case):
    tracker = HandlingTracker(store, clock, agents["anna"])
    tracker.case_opened(case.id)
    clock.advance(90)
    tracker.case_left()
    refused = run("--agent", "anna", "case", "correct-time", case.key, "--seconds", "60", "--reason", "x")
    assert refused.exit_code == 1 and "only supervisors" in refused.output
    ok = run("--agent", "sue", "case", "correct-time", case.key, "--seconds", "-30", "--reason", "double counted",
             "--for", "anna")
    assert ok.exit_code == 0, ok.output
    assert "-30 s recorded; handling time now 60 s" in ok.output


def test_sla_sweep_reports_breaches(run, store, agents):
    # The CLI runs on the system clock: a case created an hour ago by the same clock is long past 90 s.
    from datetime import timedelta

    from agent_console.domain.clock import FrozenClock, SystemClock

    past = FrozenClock(SystemClock().now() - timedelta(hours=1))
    phone = CaseService(store, past, agents["anna"]).create_case(customer="+49 30 1234567", channel="phone", queue="Billing",
                                                                 subject="Anruf", body="…")
    result = run("case", "sla-sweep")
    assert f"{phone.key} first response breached" in result.output and "escalated" in result.output
    assert "no new breaches" in run("case", "sla-sweep").output
    with store.session() as session:
        assert queries.case_by_key(session, phone.key).priority == "high"


def test_state_set_and_show(run, store, agents, clock, case):
    tracker = HandlingTracker(store, clock, agents["anna"])
    tracker.case_opened(case.id)
    assert run("--agent", "anna", "state", "handling").exit_code == 1
    result = run("--agent", "anna", "state", "break", "--reason", "lunch")
    assert result.exit_code == 0 and "anna is break" in result.output
    shown = json.loads(run("--agent", "anna", "state", "--json").output)
    assert shown["state"] == "break" and shown["today"][-1]["reason"] == "lunch"
    with store.session() as session:
        from sqlalchemy import select

        from agent_console.store.models import HandlingSegment

        [segment] = session.scalars(select(HandlingSegment)).all()
        assert segment.end_reason == "break"  # the break ended the running segment
    refused = run("--agent", "anna", "state", "offline", "--for", "ben")
    assert refused.exit_code == 1 and "only supervisors" in refused.output
    assert run("--agent", "sue", "state", "offline", "--for", "ben").exit_code == 0


def test_the_real_case_group_has_the_commands(cli, store, agents, case):
    result = cli("--agent", "anna", "case", "escalate", case.key, "--tier", "3", "--queue", "Complaints",
                 "--reason", "formal complaint about the technician")
    assert result.exit_code == 0, result.output
    assert "escalated to tier 3 and queue Complaints" in result.output
    assert "AC-000001" in cli("--agent", "anna", "case", "follow-ups").output
