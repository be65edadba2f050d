"""Trust boundaries of the database options: URLs are not taken for store files, passwords are never printed, and
store files are private to their owner."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from typer.testing import CliRunner

from tests.server import pg

SECRET = "Sup3rSecretPw"


def _run(*args: str, env: dict | None = None):
    from agent_console.cli.app import build_app

    return CliRunner().invoke(build_app(), list(args), env=env, catch_exceptions=False)


def _closed_port_url() -> str:
    return f"postgresql+psycopg://agent:{SECRET}@127.0.0.1:{pg.free_port()}/agentconsole"


@pytest.mark.parametrize("command", [("seed", "demo", "--cases", "5"), ("agents", "list"), ("db", "init"),
                                     ("kb", "search", "invoice")])
def test_a_database_url_as_the_global_store_is_refused_and_creates_nothing(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    result = _run("--db", _closed_port_url(), *command)
    assert result.exit_code == 1, result.output
    assert "not a database URL" in result.output and "agent-console server" in result.output
    assert SECRET not in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # no ./postgresql+psycopg:/… store


def test_a_database_url_in_agent_console_db_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run("agents", "list", env={"AGENT_CONSOLE_DB": _closed_port_url()})
    assert result.exit_code == 1
    assert "AGENT_CONSOLE_DB" in result.output and SECRET not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("how", ["--db", "--db-file", "env"])
def test_server_commands_never_print_the_password_of_an_unreachable_database(tmp_path, how):
    url = _closed_port_url()
    url_file = tmp_path / "db-url"
    url_file.write_text(url + "\n")
    if how == "--db":
        results = [_run("server", "db", "upgrade", "--db", url), _run("server", "users", "list", "--db", url),
                   _run("server", "--db", url, "--port", "1")]
    elif how == "--db-file":
        results = [_run("server", "--db-file", str(url_file), "db", "upgrade"),
                   _run("server", "--db-file", str(url_file), "users", "list"),
                   _run("server", "--db-file", str(url_file), "--port", "1")]
    else:
        env = {"AGENT_CONSOLE_DB_URL": url}
        results = [_run("server", "db", "upgrade", env=env), _run("server", "tokens", "list", env=env)]
    for result in results:
        assert result.exit_code == 1, result.output
        assert "cannot use the database postgresql+psycopg://agent:***@127.0.0.1" in result.output, result.output
        assert SECRET not in result.output
        assert "Traceback" not in result.output


def test_db_file_must_hold_a_url(tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("\n")
    result = _run("server", "--db-file", str(empty), "db", "upgrade")
    assert result.exit_code == 1 and "line 1: empty" in result.output
    missing = _run("server", "--db-file", str(tmp_path / "nope"), "db", "upgrade")
    assert missing.exit_code == 1 and "cannot read the database URL" in missing.output
    both = _run("server", "--db", str(tmp_path / "a.db"), "--db-file", str(empty), "db", "upgrade")
    assert both.exit_code == 1 and "not both" in both.output


def test_server_db_file_names_an_sqlite_store_too(tmp_path):
    url_file = tmp_path / "db-url"
    url_file.write_text(f"  sqlite:///{tmp_path / 'team.db'}  \nignored second line\n")
    result = _run("server", "--db-file", str(url_file), "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "team.db").exists()


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.parametrize("create", ["db init", "server db upgrade", "open_store"])
def test_store_files_and_their_wal_and_shm_are_private(tmp_path, open_umask, create):
    from agent_console.store.db import open_store

    path = tmp_path / "new.db"
    if create == "db init":
        assert _run("--db", str(path), "db", "init").exit_code == 0
    elif create == "server db upgrade":
        assert _run("server", "db", "upgrade", "--db", str(path)).exit_code == 0
    store = open_store(path)
    try:
        with store.engine.connect() as reader:  # an open connection keeps -wal and -shm on disk
            reader.exec_driver_sql("SELECT count(*) FROM agents").scalar()
            with store.transaction() as session:
                session.connection().exec_driver_sql("INSERT INTO sync_state (key, value) VALUES ('k', 'v')")
            assert _mode(path) == 0o600
            assert _mode(f"{path}-wal") == 0o600
            assert _mode(f"{path}-shm") == 0o600
    finally:
        store.dispose()


def test_create_private_file_ignores_a_permissive_umask(tmp_path):
    from agent_console.store.db import create_private_file

    previous = os.umask(0)
    try:
        created = create_private_file(tmp_path / "backup.db")
    finally:
        os.umask(previous)
    assert _mode(created) == 0o600
    with pytest.raises(FileExistsError):
        create_private_file(created)
    con = sqlite3.connect(created)  # an empty private file is a fine target for SQLite's backup API
    con.execute("CREATE TABLE t (x)")
    con.close()
    assert _mode(created) == 0o600
