"""``agent-console queues …``: queues are records, and once a store has them a typo no longer makes a new queue —
not through `agents add`, `case create`, `case queue`, an escalation or `import cases`."""

from __future__ import annotations

import json
import sqlite3

from agent_console.domain.cases import CaseService


def queues_json(cli) -> dict[str, dict]:
    result = cli("queues", "list", "--json")
    assert result.exit_code == 0, result.output
    return {row["name"]: row for row in json.loads(result.output)}


def new_case(store, clock, agent, queue: str, subject: str = "Invoice twice"):
    return CaseService(store, clock, agent).create_case(customer="carla@example.com", channel="email", queue=queue,
                                                        subject=subject, body="I was charged twice.")


def test_add_list_rename_and_remove_a_queue(cli, store, clock, agents):
    assert cli("queues", "add", "Billing", "--description", "Invoices and refunds").exit_code == 0
    assert cli("queues", "add", "Returns").exit_code == 0
    twice = cli("queues", "add", "billing")
    assert twice.exit_code == 1 and "the queue 'Billing' already exists" in twice.output
    assert cli("agents", "add", "lena", "--name", "Lena", "--queues", "Billing,Returns").exit_code == 0
    case = new_case(store, clock, agents["anna"], "Billing")

    listed = queues_json(cli)
    # anna, ben and sue work every queue (no queue list); lena works both.
    assert listed["Billing"] == {"name": "Billing", "description": "Invoices and refunds", "open_cases": 1,
                                 "agents": 4}

    renamed = cli("queues", "rename", "Billing", "Invoices")
    assert renamed.exit_code == 0 and "(1 case)" in renamed.output
    assert set(queues_json(cli)) == {"Invoices", "Returns"}
    shown = json.loads(cli("case", "show", case.key, "--json").output)
    assert shown["queue"] == "Invoices"
    lena = next(a for a in json.loads(cli("agents", "list", "--json").output) if a["login"] == "lena")
    assert lena["queues"] == ["Invoices", "Returns"]

    busy = cli("queues", "remove", "Invoices")
    assert busy.exit_code == 1 and "still has 1 open case" in busy.output
    removed = cli("queues", "remove", "Returns")
    assert removed.exit_code == 0, removed.output
    lena = next(a for a in json.loads(cli("agents", "list", "--json").output) if a["login"] == "lena")
    assert lena["queues"] == ["Invoices"]
    only = cli("queues", "remove", "Invoices")
    assert only.exit_code == 1 and "still has 1 open case" in only.output
    assert cli("queues", "remove", "Nowhere").output.count("no queue 'Nowhere'") == 1


def test_a_queue_an_agent_works_alone_is_not_removed(cli, store, clock, agents):
    cli("queues", "add", "Billing")
    cli("queues", "add", "Returns")
    cli("agents", "add", "lena", "--name", "Lena", "--queues", "Returns")
    refused = cli("queues", "remove", "Returns")
    assert refused.exit_code == 1 and "lena works only the queue 'Returns'" in refused.output
    assert "Returns" in queues_json(cli)


def test_typos_are_refused_once_the_store_has_queues(cli, store, clock, agents):
    # A store without queue records takes any name, as before queues were records.
    assert cli("agents", "add", "tom", "--name", "Tom", "--queues", "Anything").exit_code == 0
    cli("queues", "add", "Billing")
    cli("queues", "add", "General")

    typo = cli("agents", "add", "lena", "--name", "Lena", "--queues", "Bilingg")
    assert typo.exit_code == 1
    assert "unknown queue 'Bilingg'; the queues are: Billing, General" in typo.output
    assert "lena" not in {a["login"] for a in json.loads(cli("agents", "list", "--json").output)}

    created = cli("--agent", "anna", "case", "create", "--customer", "carla@example.com", "--channel", "email",
                  "--queue", "Bilingg", "--subject", "Invoice twice", "--body", "Charged twice.")
    assert created.exit_code == 1 and "unknown queue 'Bilingg'" in created.output
    case = new_case(store, clock, agents["anna"], "Billing")
    moved = cli("--agent", "anna", "case", "queue", case.key, "Generall")
    assert moved.exit_code == 1 and "unknown queue 'Generall'" in moved.output
    escalated = cli("--agent", "anna", "case", "escalate", case.key, "--queue", "Tehcnical", "--reason", "x")
    assert escalated.exit_code == 1 and "unknown queue 'Tehcnical'" in escalated.output
    assert cli("--agent", "anna", "case", "queue", case.key, "General").exit_code == 0


def test_import_cases_refuses_an_unknown_queue_unless_new_queues(cli, store, store_path, tmp_path):
    cli("queues", "add", "Billing")
    source = tmp_path / "cases.csv"
    source.write_text(
        "external_id,customer_email,channel,queue,priority,subject,body,created_at\n"
        "X1,a@example.com,email,Billing,normal,Invoice,Twice,2026-11-20T10:00:00Z\n"
        "X2,b@example.com,email,Bilingg,urgent,Invoice,Twice,2026-11-20T10:00:00Z\n", encoding="utf-8")
    refused = cli("import", "cases", str(source))
    assert refused.exit_code == 1
    assert f"{source}, line 3: queue: unknown queue 'Bilingg'" in refused.output
    assert "--new-queues" in refused.output
    con = sqlite3.connect(store_path)
    try:
        assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    finally:
        con.close()

    accepted = cli("import", "cases", str(source), "--new-queues")
    assert accepted.exit_code == 0, accepted.output
    assert "1 new queues" in accepted.output
    assert {name: row["open_cases"] for name, row in queues_json(cli).items()} == {"Billing": 1, "Bilingg": 1}


def test_upgrading_an_old_store_makes_records_of_the_queues_in_use(store, store_path, clock, agents):
    from alembic import command

    from agent_console.domain.agents import upsert_agent
    from agent_console.store.db import alembic_config, open_store, sqlite_url

    new_case(store, clock, agents["anna"], "Billing")
    new_case(store, clock, agents["anna"], "Returns", subject="Parcel back")
    upsert_agent(store, clock, login="lena", name="Lena", queues="Delivery, Billing")
    url = sqlite_url(store_path)
    store.dispose()
    config = alembic_config(url)
    command.downgrade(config, "0010")
    reopened = open_store(store_path)  # upgrades to head
    try:
        con = sqlite3.connect(store_path)
        try:
            names = [row[0] for row in con.execute("SELECT name FROM queues ORDER BY name")]
        finally:
            con.close()
    finally:
        reopened.dispose()
    assert names == ["Billing", "Delivery", "Returns"]
