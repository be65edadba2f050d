"""The store's schema versions: an old store upgrades in place with its data; foreign or newer files are refused and
left byte-for-byte as they were."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from agent_console.store.db import StoreError, head_revision, open_store, sqlite_url, store_status, upgrade


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_store_at_first_revision_upgrades_to_head_keeping_its_data(tmp_path):
    path = tmp_path / "old.db"
    url = sqlite_url(path)
    status = upgrade(url, "0001")
    assert status.current == "0001" and status.state == "behind"
    con = sqlite3.connect(path)
    with con:
        con.execute("INSERT INTO agents (uid, login, name, role, tier, queues, skills, state, active, version) "
                    "VALUES ('a-1', 'lena', 'Lena Hoffmann', 'agent', 1, '', '', 'offline', 1, 1)")
        con.execute("INSERT INTO customers (uid, name, email, language, vip, version) "
                    "VALUES ('c-1', 'Jörg Müller', 'joerg@example.de', 'de', 0, 1)")
        con.execute("INSERT INTO cases (uid, key, subject, customer_id, channel, queue, priority, status, is_open, "
                    "tier, language, tags, contact_count, created_at, reopened_count, sla_paused_seconds, "
                    "sla_breached, escalation_level, version) VALUES ('k-1', 'AC-000001', 'Rechnung falsch', 1, "
                    "'email', 'Billing', 'normal', 'new', 1, 1, 'de', '', 1, '2026-11-23 08:00:00.000000', 0, 0, 0, "
                    "0, 1)")
        con.execute("INSERT INTO messages (uid, case_id, direction, channel, author_name, body, is_internal, "
                    "created_at) VALUES ('m-1', 1, 'in', 'email', 'Jörg Müller', 'Die Rechnung stimmt nicht.', 0, "
                    "'2026-11-23 08:00:00.000000')")
    con.close()

    store = open_store(path)  # upgrades to head
    try:
        assert store_status(url).current == head_revision()
        with store.session() as session:
            from agent_console.store import queries

            case = queries.case_by_key(session, "AC-000001")
            assert case.subject == "Rechnung falsch"
            assert [m.body for m in queries.thread(session, case.id)] == ["Die Rechnung stimmt nicht."]
            assert queries.agent_by_login(session, "lena").name == "Lena Hoffmann"
    finally:
        store.dispose()


def test_foreign_sqlite_database_is_refused_and_unchanged(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    with con:
        con.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
        con.execute("INSERT INTO recipes (name) VALUES ('Apfelstrudel')")
    con.close()
    before = digest(path)
    with pytest.raises(StoreError, match="another application"):
        open_store(path)
    with pytest.raises(StoreError, match="another application"):
        upgrade(sqlite_url(path))
    assert digest(path) == before


def test_non_sqlite_file_is_refused_and_unchanged(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 20)
    before = digest(path)
    with pytest.raises(StoreError, match="not an SQLite database"):
        open_store(path)
    assert digest(path) == before


def test_store_newer_than_the_code_is_refused_and_unchanged(tmp_path):
    path = tmp_path / "newer.db"
    upgrade(sqlite_url(path))
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    before = digest(path)
    with pytest.raises(StoreError, match="newer than this version"):
        open_store(path)
    with pytest.raises(StoreError, match="9999_from_the_future"):
        upgrade(sqlite_url(path))
    assert digest(path) == before


def test_db_status_reports_revision_and_counts(cli, store_path):
    result = cli("db", "status", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["exists"] is False and data["state"] == "empty"

    assert cli("db", "init").exit_code == 0
    assert cli("agents", "add", "lena", "--name", "Lena Hoffmann").exit_code == 0
    data = json.loads(cli("db", "status", "--json").stdout)
    assert data["state"] == "current"
    assert data["revision"] == data["head"] == head_revision()
    assert data["counts"]["agents"] == 1

    text = cli("db", "status").stdout
    assert "store" in text and "current" in text and "agents" in text


def test_db_status_of_a_foreign_file_fails_clearly(cli, tmp_path):
    path = tmp_path / "foreign.db"
    path.write_bytes(b"PK\x03\x04 a zip file, not a store")
    result = cli("db", "status", db=path)
    assert result.exit_code == 1
    assert "not an Agent Console store" in result.stderr


def test_schema_head_constant_matches_the_migration_scripts():
    from agent_console.store.db import SCHEMA_HEAD, head_revision

    assert SCHEMA_HEAD == head_revision(), "update SCHEMA_HEAD in store/db.py when adding a migration"


def test_opening_a_current_store_does_not_import_alembic(store_path):
    import subprocess
    import sys

    from agent_console.store.db import open_store

    open_store(store_path).dispose()
    code = ("import sys; from agent_console.store.db import open_store; open_store(sys.argv[1]).dispose(); "
            "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(store_path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_migration_0011_keys_applied_ops_by_author_and_downgrades(tmp_path):
    import sqlite3

    from alembic import command

    from agent_console.store.db import alembic_config, sqlite_url, upgrade

    path = tmp_path / "server.db"
    url = sqlite_url(path)
    upgrade(url, "0010")
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("INSERT INTO agents (uid, login, name, role, tier, queues, skills, state, active, version) "
                    "VALUES ('a-1', 'ben', 'Ben', 'agent', 1, '', '', 'offline', 1, 1)")
        raw.execute("INSERT INTO applied_ops (op_id, agent_id, kind, result, applied_at) "
                    "VALUES ('op-1', 1, 'case.claim', '{\"status\": \"applied\"}', '2026-11-23 08:00:00.000000')")
        raw.execute("INSERT INTO applied_ops (op_id, agent_id, kind, result, applied_at) "
                    "VALUES ('op-2', NULL, 'case.claim', '{}', '2026-11-23 08:00:00.000000')")
    raw.close()
    upgrade(url)
    raw = sqlite3.connect(path)
    with raw:
        assert raw.execute("SELECT agent_id, op_id, fingerprint FROM applied_ops").fetchall() == [(1, "op-1", None)]
        # The same op id from another author is a row of its own now.
        raw.execute("INSERT INTO agents (uid, login, name, role, tier, queues, skills, state, active, version) "
                    "VALUES ('a-2', 'anna', 'Anna', 'agent', 1, '', '', 'offline', 1, 1)")
        raw.execute("INSERT INTO applied_ops (op_id, agent_id, kind, result, applied_at) "
                    "VALUES ('op-1', 2, 'case.claim', '{}', '2026-11-23 09:00:00.000000')")
        raw.execute("INSERT INTO kb_helpful_votes (article_id, agent_id, created_at) "
                    "VALUES (1, 1, '2026-11-23 09:00:00.000000')")
    raw.close()
    command.downgrade(alembic_config(url), "0010")
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("SELECT op_id, agent_id FROM applied_ops").fetchall() == [("op-1", 1)]  # the first
        names = {name for (name,) in raw.execute("SELECT name FROM sqlite_master")}
        assert "kb_helpful_votes" not in names
    finally:
        raw.close()
