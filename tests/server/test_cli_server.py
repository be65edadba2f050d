"""The `agent-console server` group: db upgrade, users, tokens, and refusing what cannot work."""

from __future__ import annotations

import json
import uuid

from agent_console.store.db import head_revision


def test_db_upgrade_users_and_tokens(cli, tmp_path):
    db = str(tmp_path / "team.db")
    upgraded = cli("server", "db", "upgrade", "--db", db)
    assert upgraded.exit_code == 0, upgraded.output
    assert head_revision() in upgraded.stdout
    added = cli("server", "users", "add", "maria", "--name", "Maria M", "--role", "supervisor", "--tier", "2",
                "--queues", "Billing,Delivery", "--db", db, input="a long password\n")
    assert added.exit_code == 0, added.output
    listed = cli("server", "users", "list", "--json", "--db", db)
    maria = next(row for row in json.loads(listed.stdout) if row["login"] == "maria")
    assert maria == {"login": "maria", "name": "Maria M", "role": "supervisor", "tier": 2,
                     "queues": ["Billing", "Delivery"], "active": True, "password": True}
    token = cli("server", "tokens", "create", "maria", "--name", "web form", "--db", db)
    assert token.exit_code == 0
    assert token.stdout.strip().startswith("acs_")
    assert cli("server", "tokens", "revoke", "1", "--db", db).exit_code == 0
    again = cli("server", "tokens", "revoke", "1", "--db", db)
    assert again.exit_code == 1 and "no such unrevoked token" in again.output


def test_users_add_refuses_short_passwords_and_bad_roles(cli, tmp_path):
    db = str(tmp_path / "team.db")
    cli("server", "db", "upgrade", "--db", db)
    short = cli("server", "users", "add", "x", "--name", "X", "--db", db, input="short\n")
    assert short.exit_code == 1 and "at least 10" in short.output
    role = cli("server", "users", "add", "x", "--name", "X", "--role", "boss", "--db", db, input="long enough\n")
    assert role.exit_code == 1 and "unknown role" in role.output


def test_the_server_refuses_an_unmigrated_database_and_workers_on_sqlite(cli, tmp_path):
    db = str(tmp_path / "empty.db")
    missing = cli("server", "--db", db, "--port", "1")
    assert missing.exit_code == 1 and "server db upgrade" in missing.output
    cli("server", "db", "upgrade", "--db", db)
    workers = cli("server", "--db", db, "--workers", "2")
    assert workers.exit_code == 1 and "PostgreSQL" in workers.output
    tokens = cli("server", "tokens", "create", "nobody", "--name", "n", "--db", db)
    assert tokens.exit_code == 1 and "no account" in tokens.output


def test_feed_publish_puts_data_written_outside_the_server_into_the_feed(cli, tmp_path, clock):
    from sqlalchemy import select

    from agent_console.domain.cases import CaseService
    from agent_console.server.db import open_server_store
    from agent_console.store.db import open_store
    from agent_console.store.models import ChangeLogEntry

    db = tmp_path / "team.db"
    assert cli("server", "db", "upgrade", "--db", str(db)).exit_code == 0
    plain = open_store(db)  # e.g. an import run with --db <server database>: no feed rows
    try:
        case = CaseService(plain, clock).create_case(customer="x@example.com", channel="email", queue="General",
                                                     subject="Imported", body="from the old system")
    finally:
        plain.dispose()
    published = cli("server", "feed", "publish", "--db", str(db))
    assert published.exit_code == 0, published.output
    assert "1 case" in published.stdout and "1 customer" in published.stdout
    assert "already has everything" in cli("server", "feed", "publish", "--db", str(db)).stdout
    store = open_server_store(str(db))
    try:
        with store.session() as session:
            uids = set(session.scalars(select(ChangeLogEntry.uid)))
    finally:
        store.dispose()
    assert case.uid in uids


def test_users_add_checks_passwords_refuses_overwriting_and_keeps_the_last_admin(cli, tmp_path):
    db = str(tmp_path / "team.db")
    cli("server", "db", "upgrade", "--db", db)
    common = cli("server", "users", "add", "maria", "--name", "Maria", "--db", db, input="qwertyuiop\n")
    assert common.exit_code == 1 and "common password" in common.output
    with_login = cli("server", "users", "add", "maria", "--name", "Maria", "--db", db, input="maria-in-here-1\n")
    assert with_login.exit_code == 1 and "login name" in with_login.output
    assert cli("server", "users", "add", "maria", "--name", "Maria", "--role", "admin", "--db", db,
               input="a long password\n").exit_code == 0
    token = cli("server", "tokens", "create", "maria", "--name", "web form", "--db", db)
    assert token.exit_code == 0
    again = cli("server", "users", "add", "maria", "--name", "Someone Else", "--db", db, input="another password\n")
    assert again.exit_code == 1 and "--update" in again.output
    demoted = cli("server", "users", "add", "maria", "--name", "Maria", "--role", "agent", "--update", "--db", db,
                  input="another password\n")
    assert demoted.exit_code == 1 and "last admin" in demoted.output
    changed = cli("server", "users", "add", "maria", "--name", "Maria M", "--role", "admin", "--update", "--db", db,
                  input="another password\n")
    assert changed.exit_code == 0, changed.output
    # The changed password logged the account out everywhere: its token is revoked.
    assert cli("server", "tokens", "revoke", "1", "--db", db).exit_code == 1


def test_an_admin_sets_up_the_floor_of_a_fresh_server_without_sql(cli, tmp_path):
    """Queues, business-hours SLAs with holidays and accounts on a new server database, all from the shell; then a
    real server applies them: an urgent e-mail gets the urgent target, a typo of a queue is refused, a deactivated
    account cannot log in."""
    from datetime import datetime, timedelta

    from sqlalchemy import select

    from agent_console.server.db import open_server_store
    from agent_console.store.models import ChangeLogEntry
    from tests.cli.test_sla_cli import BERLIN_ICS
    from tests.server.conftest import new_case_op, start_server

    db = str(tmp_path / "team.db")
    upgraded = cli("server", "db", "upgrade", "--db", db)
    assert upgraded.exit_code == 0 and "added 21 default SLA policies" in upgraded.output
    assert "default SLA policies" not in cli("server", "db", "upgrade", "--db", db).output
    listed = {(p["channel"], p["priority"]): p for p in json.loads(cli("server", "sla", "list", "--json", "--db",
                                                                       db).stdout)}
    assert listed[("email", "urgent")]["first_response_s"] == 2 * 3600

    for queue in ("Billing", "General"):
        assert cli("server", "queues", "add", queue, "--db", db).exit_code == 0
    ics = tmp_path / "berlin.ics"
    ics.write_text(BERLIN_ICS, encoding="utf-8")
    hours = cli("server", "sla", "set", "web", "--priority", "all", "--hours", "Mon-Fri 08:00-18:00 Europe/Berlin",
                "--holidays", str(ics), "--db", db)
    assert hours.exit_code == 0, hours.output
    typo = cli("server", "users", "add", "lena", "--name", "Lena", "--queues", "Bilingg", "--db", db,
               input="a long password\n")
    assert typo.exit_code == 1 and "unknown queue 'Bilingg'" in typo.output
    for login, role, queues in (("lena", "agent", "Billing"), ("root", "admin", "")):
        added = cli("server", "users", "add", login, "--name", login.title(), "--role", role, "--queues", queues,
                    "--db", db, input="a long password\n")
        assert added.exit_code == 0, added.output

    store = open_server_store(db)
    try:
        with store.session() as session:
            fed = {(row.entity, json.loads(row.data).get("channel")) for row in session.scalars(select(ChangeLogEntry))}
    finally:
        store.dispose()
    assert ("sla_policy", "web") in fed and ("sla_policy", "email") in fed  # consoles receive the policies

    server = start_server("sqlite", f"sqlite:///{db}", tmp_path)
    try:
        token = server.login("root", "a long password").json()["access_token"]
        urgent = new_case_op("Billing", channel="email", priority="urgent")
        with server.client(token=token) as client:
            answer = client.post("/api/v1/ops", json={"ops": [urgent]}).json()["results"][0]
            assert answer["status"] == "applied", answer
            key = answer["result"]["key"]
            detail = client.get(f"/api/v1/cases/{key}").json()["case"]
            created = datetime.fromisoformat(urgent["payload"]["case"]["created_at"])
            assert datetime.fromisoformat(detail["first_response_due"]) == created + timedelta(hours=2)

            wrong = client.post("/api/v1/ops", json={"ops": [new_case_op("Bilingg")]}).json()["results"][0]
            assert wrong["status"] == "rejected" and "unknown queue 'Bilingg'" in wrong["reason"], wrong
            moved = client.post("/api/v1/ops", json={"ops": [{
                "op_id": str(uuid.uuid4()), "kind": "case.update",
                "payload": {"case_uid": detail["uid"], "base_version": detail["version"],
                            "changes": {"queue": "Generall"}}}]}).json()["results"][0]
            assert moved["status"] == "rejected" and "unknown queue 'Generall'" in moved["reason"], moved

        assert server.login("lena", "a long password").status_code == 200
        assert cli("server", "users", "deactivate", "lena", "--db", db).exit_code == 0
        assert server.login("lena", "a long password").status_code == 401
    finally:
        server.stop()


def test_queues_and_policies_on_postgresql(cli, databases):
    """Migration 0013 on PostgreSQL makes records of the queues agents already work; the floor commands run there."""
    from sqlalchemy import create_engine, text

    from agent_console.store.db import upgrade

    url = databases.new("postgresql")
    upgrade(url, "0010")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO agents (uid, login, name, role, tier, queues, skills, state, active, "
                              "version) VALUES (:uid, 'lena', 'Lena', 'agent', 1, 'Billing, Returns', '', "
                              "'offline', true, 1)"), {"uid": str(uuid.uuid4())})
    finally:
        engine.dispose()
    upgraded = cli("server", "db", "upgrade", "--db", url)
    assert upgraded.exit_code == 0 and "added 21 default SLA policies" in upgraded.output
    names = [q["name"] for q in json.loads(cli("server", "queues", "list", "--json", "--db", url).stdout)]
    assert names == ["Billing", "Returns"]
    assert cli("server", "queues", "rename", "Returns", "Retouren", "--db", url).exit_code == 0
    users = json.loads(cli("server", "users", "list", "--json", "--db", url).stdout)
    assert users[0]["queues"] == ["Billing", "Retouren"]
    changed = cli("server", "sla", "set", "phone", "--first-response", "60s", "--hours",
                  "Mon-Sat 07:00-20:00 Europe/Berlin", "--db", url)
    assert changed.exit_code == 0, changed.output
    phone = next(p for p in json.loads(cli("server", "sla", "list", "--json", "--db", url).stdout)
                 if p["channel"] == "phone" and p["priority"] is None)
    assert (phone["first_response_s"], phone["business_hours"]) == (60, "Mon-Sat 07:00-20:00 Europe/Berlin")
    assert cli("server", "sla", "remove", "phone", "--priority", "urgent", "--db", url).exit_code == 0
