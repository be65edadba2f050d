"""Whole cases through ``export cases`` (JSON/JSONL) and ``import cases``: a demo store exported and imported into an
empty store gives the same rows, table by table; bad nested data is refused with line and field, writing nothing."""

from __future__ import annotations

import json
import sqlite3

import pytest

from agent_console.admin.seed import seed_demo
from tests.cli.test_import_export import store_digest

#: Table -> (columns compared, how a row is keyed). Foreign keys are compared through the uid/login they point to.
COMPARED = {
    "customers": "SELECT uid, name, email, phone, language, vip, created_at, version FROM customers "
                 "WHERE id IN (SELECT customer_id FROM cases)",
    "cases": "SELECT c.uid, c.key, c.external_id, c.subject, cu.uid, c.channel, c.queue, c.priority, c.status, "
             "c.is_open, c.tier, a.login, c.language, c.tags, c.contact_count, c.created_at, c.updated_at, "
             "c.first_response_at, c.last_inbound_at, c.resolved_at, c.closed_at, c.reopened_count, "
             "c.last_reopened_at, c.first_response_due, c.next_update_due, c.resolution_due, c.sla_due_at, "
             "c.sla_paused_at, c.sla_paused_seconds, c.sla_breached, c.escalation_level, c.wrap_up_code, c.version "
             "FROM cases c JOIN customers cu ON cu.id = c.customer_id LEFT JOIN agents a ON a.id = c.assignee_id",
    "messages": "SELECT m.uid, c.uid, m.direction, m.channel, a.login, m.author_name, m.body, m.is_internal, "
                "m.created_at FROM messages m JOIN cases c ON c.id = m.case_id "
                "LEFT JOIN agents a ON a.id = m.author_agent_id",
    "escalations": "SELECT e.uid, c.uid, e.kind, e.from_tier, e.to_tier, e.from_queue, e.to_queue, fa.login, "
                   "ta.login, e.reason, cb.login, e.created_at FROM escalations e JOIN cases c ON c.id = e.case_id "
                   "LEFT JOIN agents fa ON fa.id = e.from_agent_id LEFT JOIN agents ta ON ta.id = e.to_agent_id "
                   "LEFT JOIN agents cb ON cb.id = e.created_by_id",
    "follow_ups": "SELECT f.uid, c.uid, a.login, e.uid, f.due_at, f.done_at, f.note, f.created_at "
                  "FROM follow_ups f JOIN cases c ON c.id = f.case_id JOIN agents a ON a.id = f.agent_id "
                  "LEFT JOIN escalations e ON e.id = f.escalation_id",
    "handling_segments": "SELECT h.uid, c.uid, a.login, h.kind, h.started_at, h.ended_at, h.heartbeat_at, "
                         "h.end_reason, h.wrap_up_code FROM handling_segments h JOIN cases c ON c.id = h.case_id "
                         "JOIN agents a ON a.id = h.agent_id",
    "handling_corrections": "SELECT h.uid, c.uid, a.login, h.kind, h.delta_seconds, h.reason, cb.login, "
                            "h.created_at FROM handling_corrections h JOIN cases c ON c.id = h.case_id "
                            "LEFT JOIN agents a ON a.id = h.agent_id JOIN agents cb ON cb.id = h.corrected_by_id",
    "sla_events": "SELECT s.uid, c.uid, s.target, s.event, s.at, s.due_at, s.detail FROM sla_events s "
                  "JOIN cases c ON c.id = s.case_id",
    "surveys": "SELECT s.uid, c.uid, s.csat, s.nps, s.ces, s.created_at FROM surveys s "
               "JOIN cases c ON c.id = s.case_id",
}


def table_rows(path, sql):
    con = sqlite3.connect(path)
    try:
        return sorted(con.execute(sql).fetchall(), key=repr)
    finally:
        con.close()


def scalar(path, sql):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_export_then_import_into_an_empty_store_restores_every_row(cli, store, store_path, tmp_path, clock, fmt):
    seed_demo(store, clock, customers=60, cases=200, kb=3, seed=5)
    for table in ("messages", "escalations", "follow_ups", "handling_segments", "sla_events", "surveys"):
        assert scalar(store_path, f"SELECT count(*) FROM {table}") > 0, table
    agents, cases = tmp_path / f"agents.{fmt}", tmp_path / f"cases.{fmt}"
    assert cli("export", "agents", "--out", str(agents)).exit_code == 0
    assert cli("export", "cases", "--out", str(cases)).exit_code == 0

    fresh = tmp_path / "fresh.db"
    assert cli("import", "agents", str(agents), db=fresh).exit_code == 0
    result = cli("import", "cases", str(cases), db=fresh)
    assert result.exit_code == 0, result.output
    assert "200 created" in result.stdout
    for table, sql in COMPARED.items():
        original, restored = table_rows(store_path, sql), table_rows(fresh, sql)
        assert restored == original, table
    assert scalar(fresh, "SELECT count(*) FROM messages") == scalar(store_path, "SELECT count(*) FROM messages")
    # The replies are searchable ("Answered before") as in the original store.
    replies = "SELECT count(*) FROM reply_fts"
    assert scalar(fresh, replies) == scalar(store_path, replies) > 0

    # Importing the archive again changes nothing; exporting the restored store gives the same archive.
    again = cli("import", "cases", str(cases), db=fresh)
    assert again.exit_code == 0 and "0 created, 0 updated, 200 unchanged" in again.stdout
    assert cli("export", "cases", "--format", fmt, db=fresh).stdout_bytes == cases.read_bytes()
    for table, sql in COMPARED.items():
        assert table_rows(fresh, sql) == table_rows(store_path, sql), table


def _archive(cli, store, clock, tmp_path, cases=5):
    seed_demo(store, clock, customers=5, cases=cases, kb=0, seed=3)
    agents, archive = tmp_path / "agents.jsonl", tmp_path / "cases.jsonl"
    cli("export", "agents", "--out", str(agents))
    cli("export", "cases", "--out", str(archive))
    records = [json.loads(line) for line in archive.read_text().splitlines()]
    return agents, archive, records


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_bad_nested_values_name_line_and_field_and_nothing_is_written(cli, store, tmp_path, clock):
    agents, archive, records = _archive(cli, store, clock, tmp_path)
    with_messages = [i for i, r in enumerate(records) if len(r["messages"]) >= 2]
    first, second = with_messages[0], with_messages[1]
    records[first]["messages"][1]["body"] = "   "
    records[second]["messages"][0]["direction"] = "sideways"
    records[second]["sla_events"] = [{**records[second]["sla_events"][0], "at": "yesterday"}] \
        if records[second]["sla_events"] else [{"uid": "x", "target": "resolution", "event": "met", "at": "yesterday"}]
    bad = _write(tmp_path / "bad.jsonl", records)
    fresh = tmp_path / "fresh.db"
    assert cli("import", "agents", str(agents), db=fresh).exit_code == 0
    before = store_digest(fresh)
    result = cli("import", "cases", str(bad), db=fresh)
    assert result.exit_code == 1
    assert f"{bad}, line {first + 1}: messages[2].body: empty; a value is required" in result.stderr
    assert f"{bad}, line {second + 1}: messages[1].direction: unknown value 'sideways'" in result.stderr
    assert "nothing was written" in result.stderr and "Traceback" not in result.output
    assert store_digest(fresh) == before


def test_unknown_agents_and_a_taken_key_are_refused(cli, store, tmp_path, clock):
    _agents, archive, records = _archive(cli, store, clock, tmp_path)
    fresh = tmp_path / "fresh.db"
    # Without the agents imported first, the agents' logins cannot be resolved.
    with_author = next(i for i, r in enumerate(records)
                       if any(m["author_login"] for m in r["messages"]) or r["handling_segments"])
    result = cli("import", "cases", str(archive), db=fresh)
    assert result.exit_code == 1
    assert f"{archive}, line {with_author + 1}: " in result.stderr
    assert "in the store; import the agents first" in result.stderr
    assert scalar(fresh, "SELECT count(*) FROM cases") == 0 and scalar(fresh, "SELECT count(*) FROM customers") == 0

    # The same key on a different case (another store's AC-000001) is refused, not merged.
    other = dict(records[0])
    other["case"] = {**records[0]["case"], "uid": "00000000-0000-0000-0000-000000000001"}
    other["messages"] = []
    other["sla_events"], other["escalations"], other["follow_ups"] = [], [], []
    other["handling_segments"], other["handling_corrections"], other["survey"] = [], [], None
    clash = _write(tmp_path / "clash.jsonl", [other])
    result = cli("import", "cases", str(clash))
    assert result.exit_code == 1
    assert f"case.key: the store already has a different case {records[0]['case']['key']}" in result.stderr


def test_csv_export_of_cases_stays_flat(cli, store, tmp_path, clock):
    seed_demo(store, clock, customers=3, cases=4, kb=0)
    header = cli("export", "cases").stdout.splitlines()[0]
    assert "messages" not in header and header.startswith("external_id,customer_email")
