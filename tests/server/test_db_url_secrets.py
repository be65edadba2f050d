"""The server's database password stays out of `ps` and out of everything the commands print."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server.conftest import prepare_database, start_server

SECRET = "Sup3rSecretPw"


def _with_password(url: str) -> str:
    return url.replace("postgresql+psycopg://postgres@", f"postgresql+psycopg://postgres:{SECRET}@")


def _agent_console(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENT_CONSOLE_")}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "agent_console", *args], capture_output=True, text=True, env=env,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])


@pytest.mark.parametrize("how", ["--db-file", "env"])
def test_the_server_takes_its_database_url_from_a_file_or_the_environment(databases, tmp_path, how):
    url = _with_password(databases.new("postgresql"))  # the test cluster trusts local log-ins: any password works
    tokens = prepare_database(url)
    if how == "--db-file":
        url_file = tmp_path / "db-url"
        url_file.write_text(url + "\n")
        url_file.chmod(0o600)
        server = start_server("postgresql", url, tmp_path, db_args=("--db-file", str(url_file)))
    else:
        server = start_server("postgresql", url, tmp_path, db_args=(), env_extra={"AGENT_CONSOLE_DB_URL": url})
    server.tokens.update(tokens)
    try:
        command_line = Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
        assert b"postgresql" not in command_line and SECRET.encode() not in command_line
        with server.client("root") as client:
            assert client.get("/api/v1/auth/me").status_code == 200
    finally:
        server.stop()
    assert SECRET not in server.log.read_text(errors="replace")


def test_db_upgrade_prints_the_url_with_the_password_masked(databases):
    url = _with_password(databases.new("postgresql"))
    upgraded = _agent_console("server", "db", "upgrade", env_extra={"AGENT_CONSOLE_DB_URL": url})
    assert upgraded.returncode == 0, upgraded.stderr
    assert "postgresql+psycopg://postgres:***@127.0.0.1" in upgraded.stdout
    assert SECRET not in upgraded.stdout + upgraded.stderr
    listed = _agent_console("server", "users", "list", "--db", url)
    assert listed.returncode == 0 and SECRET not in listed.stdout + listed.stderr
