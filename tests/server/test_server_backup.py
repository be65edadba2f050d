"""``agent-console server db backup`` of a running server's database — pg_dump on PostgreSQL, the online backup on
SQLite — restored into a new database that a new server then serves, with the same cases, threads and tokens."""

from __future__ import annotations

import os
import stat
import subprocess
import uuid

from agent_console.server.backup import pg_dump_command
from tests.server import pg
from tests.server.conftest import new_case_op, start_server


def _case(server, token: str, key: str):
    with server.client(token=token) as client:
        return client.get(f"/api/v1/cases/{key}")


def test_backup_of_a_running_server_restores_into_a_new_database(live, cli, tmp_path, request):
    subject = f"Backup check {uuid.uuid4().hex[:8]}"
    op = new_case_op("General", subject=subject)
    result = live.ops("sue", op).json()["results"][0]
    assert result["status"] == "applied", result
    key = result["result"]["key"]
    live.ops("sue", {"op_id": str(uuid.uuid4()), "kind": "message.add",
                     "payload": {"message": {"uid": str(uuid.uuid4()), "case_uid": op["payload"]["case"]["uid"],
                                             "direction": "out", "channel": "email", "body": "We are on it.",
                                             "is_internal": False}}})

    target = tmp_path / f"server-{live.backend}.backup"
    extra = ["--pg-dump", str(pg.find_bindir() / "pg_dump")] if live.backend == "postgresql" else []
    made = cli("server", "db", "backup", str(target), "--db", live.db_url, *extra)
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    again = cli("server", "db", "backup", str(target), "--db", live.db_url, *extra)
    assert again.exit_code == 1 and "already exists; pass --force" in again.stderr

    if live.backend == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")
        restored_url = cluster.create_database(f"restored_{os.getpid()}_{uuid.uuid4().hex[:6]}")
        dsn = restored_url.replace("postgresql+psycopg://", "postgresql://")
        done = subprocess.run([str(pg.find_bindir() / "pg_restore"), "--no-owner", f"--dbname={dsn}", str(target)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    else:
        restored = tmp_path / "restored-server.db"
        put_back = cli("db", "restore", str(target), "--yes", db=restored)
        assert put_back.exit_code == 0, put_back.output
        restored_url = f"sqlite:///{restored}"

    server = start_server(live.backend, restored_url, tmp_path)
    try:
        answer = _case(server, live.token("sue"), key)  # the session token is in the backup too
        assert answer.status_code == 200, answer.text
        detail = answer.json()
        assert detail["case"]["subject"] == subject
        assert [m["body"] for m in detail["messages"]] == ["I was charged twice.", "We are on it."]
    finally:
        server.stop()


def test_without_pg_dump_the_exact_command_is_given(cli, tmp_path):
    url = "postgresql+psycopg://backup:s3cret@db.example.com:5433/agent_console"
    result = cli("server", "db", "backup", str(tmp_path / "x.dump"), "--db", url,
                 "--pg-dump", str(tmp_path / "no-such-pg_dump"))
    assert result.exit_code == 1
    assert "pg_dump was not found" in result.stderr
    assert ("PGPASSWORD=… pg_dump --format=custom --no-owner "
            f"--file={tmp_path / 'x.dump'} --dbname=postgresql://backup@db.example.com:5433/agent_console"
            ) in result.stderr
    assert "s3cret" not in result.output
    assert pg_dump_command(url, tmp_path / "y")[-1] == "--dbname=postgresql://backup@db.example.com:5433/agent_console"
    assert not (tmp_path / "x.dump").exists()
