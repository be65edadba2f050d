"""The `agent-console server` group: db upgrade, users, tokens, and refusing what cannot work."""

from __future__ import annotations

import json

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
