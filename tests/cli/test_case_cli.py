"""``agent-console case …`` against a real store file: the same CaseService as the screens."""

from __future__ import annotations

import json

from sqlalchemy import select

from agent_console.store import queries
from agent_console.store.models import AuditEvent, Draft, OutboxOp


def create(cli, *extra: str) -> str:
    result = cli("case", "create", "--customer", "karl@example.de", "--channel", "email", "--queue", "Billing",
                 "--subject", "Rechnung doppelt", "--body", "Zweimal belastet", "--name", "Karl Kunde", *extra)
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_create_prints_key_and_list_shows_the_case(cli, agents):
    key = create(cli, "--priority", "high")
    assert key == "AC-000001"
    listed = cli("--agent", "anna", "case", "list", "--view", "unassigned", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [r["key"] for r in rows] == [key]
    assert rows[0]["priority"] == "high" and rows[0]["customer"] == "Karl Kunde"
    assert rows[0]["sla_state"] == "ok" and rows[0]["sla_target"] == "first_response"
    assert json.loads(cli("--agent", "anna", "case", "list", "--view", "mine", "--json").output) == []
    table = cli("case", "list")
    assert key in table.output and "Rechnung" in table.output


def test_full_workflow_records_audit_and_outbox(cli, agents, store):
    key = create(cli)
    assert cli("--agent", "anna", "case", "claim", key).output.strip() == f"{key} claimed"
    assert cli("--agent", "anna", "case", "reply", key, "Wir prüfen das.").exit_code == 0
    assert cli("--agent", "anna", "case", "note", key, "-", input="intern: Buchung 4711\n").exit_code == 0
    assert cli("--agent", "anna", "case", "priority", key, "urgent").output.strip() == f"{key} priority urgent"
    assert cli("--agent", "anna", "case", "queue", key, "Complaints").output.strip() == f"{key} queue Complaints"
    assert cli("--agent", "anna", "case", "status", key, "pending").output.strip() == f"{key} status pending"
    mine = json.loads(cli("--agent", "anna", "case", "list", "--view", "mine", "--json").output)
    assert [r["key"] for r in mine] == [key] and mine[0]["assignee"] == "anna"
    shown = json.loads(cli("case", "show", key, "--json").output)
    assert shown["assignee"] == "anna" and shown["status"] == "pending" and shown["queue"] == "Complaints"
    assert [(m["direction"], m["internal"]) for m in shown["messages"]] == [("in", False), ("out", False),
                                                                          ("out", True)]
    assert shown["messages"][2]["body"] == "intern: Buchung 4711"
    assert shown["customer"]["name"] == "Karl Kunde"
    assert cli("--agent", "anna", "case", "resolve", key).output.strip() == f"{key} resolved"
    assert json.loads(cli("case", "list", "--json").output) == []
    assert cli("--agent", "anna", "case", "reopen", key).output.strip() == f"{key} reopened"
    assert cli("--agent", "anna", "case", "release", key).output.strip() == f"{key} released"
    with store.session() as session:
        actions = [a.action for a in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
                   if a.action.startswith("case.")]
        ops = [o for o in session.scalars(select(OutboxOp)) if o.kind.startswith(("case.", "message."))]
        case = queries.case_by_key(session, key)
    assert actions == ["case.create", "case.claim", "case.reply", "case.note", "case.update", "case.update",
                       "case.status", "case.resolve", "case.reopen", "case.release"]
    assert len(ops) == len(actions)
    assert case.assignee_id is None and case.is_open


def test_show_text_output_is_literal(cli, agents):
    result = cli("case", "create", "--customer", "evil@example.com", "--channel", "chat", "--queue", "General",
                 "--subject", "[bold red]x[/] \x1b[31mred", "--body", "hi \x1b]0;title\x07 [link=http://e]c[/link]",
                 "--name", "[b]Eve[/b]")
    key = result.output.strip()
    shown = cli("case", "show", key)
    assert shown.exit_code == 0
    assert "[bold red]x[/]" in shown.output and "[b]Eve[/b]" in shown.output
    assert "[link=http://e]c[/link]" in shown.output
    assert "\x1b" not in shown.output


def test_errors_are_clear_and_exit_non_zero(cli, agents):
    key = create(cli)
    assert cli("--agent", "ben", "case", "claim", key).exit_code == 0
    taken = cli("--agent", "anna", "case", "claim", key)
    assert taken.exit_code == 1 and "already claimed by Ben Second" in taken.output
    unknown = cli("--agent", "anna", "case", "show", "AC-999999")
    assert unknown.exit_code == 1 and "no case 'AC-999999'" in unknown.output
    bad_status = cli("--agent", "anna", "case", "status", key, "sleeping")
    assert bad_status.exit_code == 1 and "unknown status 'sleeping'" in bad_status.output
    bad_channel = cli("case", "create", "--customer", "a@b.c", "--channel", "pigeon", "--queue", "Q",
                      "--subject", "S", "--body", "B")
    assert bad_channel.exit_code == 1 and "unknown channel 'pigeon'" in bad_channel.output
    nobody = cli("case", "reply", key, "hello")
    assert nobody.exit_code == 1 and "--agent" in nobody.output
    empty = cli("--agent", "anna", "case", "note", key, "   ")
    assert empty.exit_code == 1 and "empty" in empty.output
    assert cli("case", "list", "--view", "everything").exit_code == 1


def test_reply_clears_the_agents_draft(cli, agents, store, clock):
    from agent_console.domain.cases import CaseService

    key = create(cli)
    service = CaseService(store, clock, agents["anna"])
    service.save_draft(service.get(key), "half a reply")
    assert cli("--agent", "anna", "case", "reply", key, "full reply").exit_code == 0
    with store.session() as session:
        assert session.scalars(select(Draft)).all() == []
