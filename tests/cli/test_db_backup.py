"""``agent-console db backup`` / ``db restore``: a consistent copy of a live store, and putting it back after checking
it — the current store kept aside, stale WAL files gone, an older schema upgraded, a bad file refused."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import threading

from agent_console.admin.seed import seed_demo
from agent_console.store.db import SCHEMA_HEAD, upgrade


def rows(path, sql):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_backup_of_a_store_being_written_is_consistent_and_private(cli, store, store_path, tmp_path, clock):
    seed_demo(store, clock, customers=20, cases=60, kb=5)
    stop = threading.Event()
    written = []

    def keep_writing():
        con = sqlite3.connect(store_path, timeout=30, isolation_level=None)
        try:
            n = 0
            while not stop.is_set():
                con.execute("BEGIN IMMEDIATE")
                con.execute("INSERT INTO audit_events (at, action, entity, detail) "
                            "VALUES ('2026-11-23 09:00:00.000000', 'test.write', 'test', ?)", (str(n),))
                con.execute("INSERT INTO audit_events (at, action, entity, detail) "
                            "VALUES ('2026-11-23 09:00:00.000000', 'test.pair', 'test', ?)", (str(n),))
                con.execute("COMMIT")
                n += 1
                written.append(n)
        finally:
            con.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 20:  # the writer is under way
            threading.Event().wait(0.01)
        target = tmp_path / "backup.db"
        result = cli("db", "backup", str(target))
        assert result.exit_code == 0, result.output
    finally:
        stop.set()
        writer.join()
    assert "backed up" in result.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not (tmp_path / "backup.db-wal").exists()
    assert rows(target, "PRAGMA integrity_check") == [("ok",)]
    # Each writer transaction wrote a pair: a consistent copy has whole pairs only.
    singles = rows(target, "SELECT count(*) FROM audit_events WHERE action = 'test.write'")[0][0]
    pairs = rows(target, "SELECT count(*) FROM audit_events WHERE action = 'test.pair'")[0][0]
    assert singles == pairs and singles >= 20
    assert rows(target, "SELECT count(*) FROM cases") == rows(store_path, "SELECT count(*) FROM cases")

    again = cli("db", "backup", str(target))
    assert again.exit_code == 1 and "already exists; pass --force" in again.stderr
    assert cli("db", "backup", str(target), "--force").exit_code == 0


def test_restore_puts_the_backup_back_and_keeps_the_replaced_store(cli, store, store_path, tmp_path, clock):
    seed_demo(store, clock, customers=10, cases=30, kb=3)
    target = tmp_path / "monday.db"
    assert cli("db", "backup", str(target)).exit_code == 0
    messages_then = rows(target, "SELECT uid, body FROM messages ORDER BY uid")

    # Later work, still partly in the store's -wal while the store is open.
    store.engine.dispose()
    con = sqlite3.connect(store_path)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("DELETE FROM messages WHERE id % 2 = 0")
    con.commit()
    assert (tmp_path / "store.db-wal").exists()
    remaining = rows(store_path, "SELECT count(*) FROM messages")[0][0]

    refused = cli("db", "restore", str(target), input="n\n")
    assert refused.exit_code == 1 and "Close every console" in refused.stderr
    assert rows(store_path, "SELECT count(*) FROM messages")[0][0] == remaining

    result = cli("db", "restore", str(target), "--yes")
    con.close()
    assert result.exit_code == 0, result.output
    assert "before-restore" in result.stdout
    assert rows(store_path, "SELECT uid, body FROM messages ORDER BY uid") == messages_then
    assert rows(store_path, "PRAGMA integrity_check") == [("ok",)]
    before = tmp_path / "store.db.before-restore"
    assert rows(before, "SELECT count(*) FROM messages")[0][0] == remaining
    # The store opens and works as usual.
    status = cli("db", "status", "--json")
    assert status.exit_code == 0 and f'"revision": "{SCHEMA_HEAD}"' in status.stdout


def test_restore_refuses_a_damaged_or_foreign_file_and_changes_nothing(cli, store, store_path, tmp_path, clock):
    seed_demo(store, clock, customers=5, cases=10, kb=0)
    before = rows(store_path, "SELECT uid FROM cases ORDER BY uid")
    target = tmp_path / "b.db"
    assert cli("db", "backup", str(target)).exit_code == 0
    data = bytearray(target.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for offset in range(page_size * 2, min(len(data), page_size * 6)):
        data[offset] = 0x5A
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(bytes(data))
    result = cli("db", "restore", str(damaged), "--yes")
    assert result.exit_code == 1 and "damaged" in result.stderr
    assert "Traceback" not in result.output

    foreign = tmp_path / "other.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    result = cli("db", "restore", str(foreign), "--yes")
    assert result.exit_code == 1 and "another application" in result.stderr

    result = cli("db", "restore", str(tmp_path / "missing.db"), "--yes")
    assert result.exit_code == 1 and "no such file" in result.stderr
    assert rows(store_path, "SELECT uid FROM cases ORDER BY uid") == before
    assert not (tmp_path / "store.db.before-restore").exists()


def test_restore_upgrades_a_backup_of_an_older_schema(cli, tmp_path):
    old = tmp_path / "old.db"
    upgrade(f"sqlite:///{old}", "0009")
    con = sqlite3.connect(old)
    con.execute("INSERT INTO customers (uid, name, language, vip, version) VALUES ('c-1', 'Old Customer', 'en', 0, 1)")
    con.commit()
    con.close()
    store_path = tmp_path / "fresh.db"
    result = cli("db", "restore", str(old), "--yes", db=store_path)
    assert result.exit_code == 0, result.output
    assert "upgraded from schema 0009" in result.stdout
    assert rows(store_path, "SELECT version_num FROM alembic_version") == [(SCHEMA_HEAD,)]
    assert rows(store_path, "SELECT name FROM customers") == [("Old Customer",)]
    assert rows(old, "SELECT version_num FROM alembic_version") == [("0009",)]  # the backup itself is untouched


def test_restore_refuses_while_another_program_has_the_store_open(cli, store, store_path, tmp_path, clock):
    seed_demo(store, clock, customers=3, cases=3, kb=0)
    target = tmp_path / "b.db"
    assert cli("db", "backup", str(target)).exit_code == 0
    store.dispose()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys\n"
                               f"con = sqlite3.connect({str(store_path)!r})\n"
                               "con.execute('SELECT count(*) FROM cases').fetchall()\n"
                               "print('open', flush=True)\n"
                               "sys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        result = cli("db", "restore", str(target), "--yes")
        assert result.exit_code == 1
        assert "is open in a console or another program" in result.stderr
        assert not (tmp_path / "store.db.before-restore").exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    result = cli("db", "restore", str(target), "--yes")
    assert result.exit_code == 0, result.output
