"""A new case is the same whichever way it comes in: the case service, a file import and the demo seeder all take
its key, defaults, due times and starting SLA events from ``domain/case_rules.py``."""

import sqlite3
from datetime import timedelta

from agent_console.admin.importer import import_file
from agent_console.domain import case_rules
from agent_console.domain.cases import CaseService
from agent_console.domain.sla import default_policy_rows

#: Columns that name a row rather than describe the case.
IDENTITY = {"id", "uid", "key", "external_id", "customer_id"}


def _policy(channel: str, priority: str):
    from agent_console.store.models import SlaPolicy

    rows = {(p["channel"], p["priority"]): p for p in default_policy_rows()}
    row = rows.get((channel, priority)) or rows[(channel, None)]
    return SlaPolicy(**row)


def _rows(path, sql):
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql)]
    finally:
        con.close()


def test_new_case_values_start_the_clocks_from_creation(clock):
    now = clock.now()
    created = now - timedelta(minutes=10)
    values = case_rules.new_case_values(
        number=42, uid="u", subject="s", customer_id=1, channel="email", queue="Billing", priority="normal",
        language="en", created_at=created, now=now, policy=_policy("email", "normal"))
    assert values["key"] == "AC-000042" and values["status"] == "new" and values["is_open"]
    assert values["contact_count"] == 1 and values["last_inbound_at"] == created and values["assignee_id"] is None
    assert created < values["first_response_due"] < values["resolution_due"]
    assert values["sla_due_at"] == values["first_response_due"]
    events = case_rules.started_sla_events(values)
    assert [(e["target"], e["event"], e["at"], e["due_at"]) for e in events] == [
        ("first_response", "started", created, values["first_response_due"]),
        ("resolution", "started", created, values["resolution_due"])]


def test_a_pending_case_pauses_its_resolution_clock_and_a_done_one_runs_none(clock):
    now = clock.now()
    common = dict(number=1, uid="u", subject="s", customer_id=1, channel="email", queue="Billing",
                  priority="normal", language="en", created_at=now - timedelta(hours=1), now=now,
                  policy=_policy("email", "normal"))
    pending = case_rules.new_case_values(status="pending", **common)
    assert pending["sla_paused_at"] == now and pending["sla_due_at"] == pending["first_response_due"]
    closed = case_rules.new_case_values(status="closed", resolved_at=now, **common)
    assert not closed["is_open"] and closed["sla_due_at"] is None
    assert closed["resolved_at"] == closed["closed_at"] == now


def test_the_service_and_the_importer_create_the_same_case(store, store_path, agents, clock, tmp_path):
    created = clock.now() - timedelta(minutes=30)
    CaseService(store, clock, agents["anna"]).create_case(
        customer="kunde@example.de", channel="email", queue="Billing", subject="Rechnung doppelt",
        body="Ich wurde zweimal belastet", customer_name="Karl Kunde", language="de", priority="high",
        created_at=created)
    source = tmp_path / "cases.csv"
    source.write_text("external_id,subject,customer_email,customer_name,channel,queue,priority,language,"
                      "created_at,body\n"
                      f"T-1,Rechnung doppelt,kunde2@example.de,Kara Kundin,email,Billing,high,de,"
                      f"{created.isoformat()},Ich wurde zweimal belastet\n", encoding="utf-8")
    import_file(store, clock, "cases", source)

    by_service, by_import = _rows(store_path, "SELECT * FROM cases ORDER BY id")
    assert by_import["key"] == "AC-000002"
    assert {k: v for k, v in by_service.items() if k not in IDENTITY} == \
        {k: v for k, v in by_import.items() if k not in IDENTITY}
    events = _rows(store_path, "SELECT case_id, target, event, at, due_at FROM sla_events ORDER BY id")
    assert [(e["target"], e["event"], e["at"], e["due_at"]) for e in events if e["case_id"] == by_service["id"]] \
        == [(e["target"], e["event"], e["at"], e["due_at"]) for e in events if e["case_id"] == by_import["id"]]
    messages = _rows(store_path, "SELECT case_id, direction, channel, body, is_internal, created_at FROM messages")
    assert [m[k] for m in messages for k in ("direction", "channel", "body", "is_internal", "created_at")] == \
        ["in", "email", "Ich wurde zweimal belastet", 0, by_service["created_at"]] * 2
