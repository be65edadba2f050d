"""Every failure of the store has a message: a full disk, a read-only store or folder and a damaged store end in one
line and exit status 1 — no traceback, and never the SQL parameters (customer rows) SQLAlchemy's text carries."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess

import pytest

from agent_console.admin.seed import seed_demo
from agent_console.store import db as store_db
from agent_console.store.db import open_store

from tests.helpers import require_component

SECRET = "Secret Customer"


def customers_csv(path, n: int = 3000):
    lines = ["name,email,phone,language"] + [f"{SECRET} {i},secret{i}@example.com,,en" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assert_one_line_failure(result, *expected: str) -> str:
    """Exit 1, one `error:` line naming what went wrong, no traceback and no customer data."""
    assert result.exit_code == 1, result.output
    text = result.output
    assert "Traceback" not in text and "[SQL" not in text and "parameters" not in text, text
    assert SECRET not in text and "secret0@" not in text, text
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), text
    for part in expected:
        assert part in lines[0], text
    return lines[0]


def table_count(path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


# --- a full disk --------------------------------------------------------------------------------------------------


@pytest.fixture
def disk_nearly_full(store_path):
    """Every connection to the store may grow the file by a few pages only: SQLite then fails with SQLITE_FULL
    ("database or disk is full"), exactly as on a full disk."""
    store = open_store(store_path)
    store.dispose()
    con = sqlite3.connect(store_path)
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()

    def limit(con) -> None:
        con.execute(f"PRAGMA max_page_count = {pages + 5}")

    store_db.on_sqlite_connect(limit)
    yield
    store_db._connection_hooks.remove(limit)


def test_import_on_a_full_disk_says_so_without_customer_rows(cli, store_path, tmp_path, disk_nearly_full):
    result = cli("import", "customers", str(customers_csv(tmp_path / "customers.csv")))
    assert_one_line_failure(result, "is full", "nothing was saved")
    assert table_count(store_path, "customers") == 0


def test_engine_exceptions_carry_no_parameters(store_path, disk_nearly_full):
    """Even where an error is not turned into a message (logs, a bug's traceback), the SQL parameters are hidden."""
    from sqlalchemy import insert
    from sqlalchemy.exc import OperationalError

    from agent_console.store.models import Customer

    store = open_store(store_path)
    rows = [{"uid": f"u{i}", "name": f"{SECRET} {i}", "email": f"secret{i}@example.com", "language": "en",
             "vip": False, "version": 1} for i in range(3000)]
    with pytest.raises(OperationalError) as caught:
        with store.transaction() as session:
            session.connection().execute(insert(Customer.__table__), rows)
    store.dispose()
    assert SECRET not in str(caught.value) and "secret0@" not in str(caught.value)


# --- read-only store and folder -------------------------------------------------------------------------------------


def _run(*args: str) -> bool:
    tool = shutil.which(args[0])
    return bool(tool) and subprocess.run([tool, *args[1:]], capture_output=True).returncode == 0


@contextlib.contextmanager
def read_only(path):
    """Make a file or folder really read-only, also for root (tests run as root in CI, and root ignores modes): the
    immutable attribute where the file system has it, else a read-only bind mount over it; file modes for others."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if _run("chattr", "+i", str(path)):
        try:
            yield
        finally:
            assert _run("chattr", "-i", str(path))
        return
    if _run("mount", "--bind", str(path), str(path)):
        try:
            if not _run("mount", "-o", "remount,bind,ro", str(path), str(path)):
                pytest.fail(f"cannot remount the bind mount of {path} read-only")
            yield
        finally:
            assert _run("umount", str(path))
        return
    message = f"cannot make {path} read-only as root (neither chattr +i nor a read-only bind mount works here)"
    require_component("a read-only store file", message)


def test_read_only_store_refuses_writes_with_a_message_and_still_reads(cli, store_path, tmp_path):
    assert cli("agents", "add", "anna", "--name", "Anna").exit_code == 0
    before = table_count(store_path, "customers")
    with read_only(store_path):
        result = cli("import", "customers", str(customers_csv(tmp_path / "customers.csv", 5)))
        assert_one_line_failure(result, "read-only", "nothing was saved")
        listed = cli("agents", "list")
        assert listed.exit_code == 0 and "anna" in listed.stdout
    assert table_count(store_path, "customers") == before


def test_read_only_folder_says_the_folder_must_be_writable(cli, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "store.db"
    assert cli("db", "init", db=db).exit_code == 0
    assert not (folder / "store.db-wal").exists()
    with read_only(folder):
        result = cli("import", "customers", str(customers_csv(tmp_path / "customers.csv", 5)), db=db)
        assert_one_line_failure(result, "store.db", "folder")


# --- a damaged store ----------------------------------------------------------------------------------------------


@pytest.fixture
def demo_store(store_path, clock):
    store = open_store(store_path)
    seed_demo(store, clock, customers=40, cases=200, kb=10, seed=3)
    store.dispose()
    return store_path


def truncated(source, target):
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 3])
    return target


def garbled(source, target):
    data = bytearray(source.read_bytes())
    page = 4096
    data[page * 2: page * 12] = b"\xde\xad\xbe\xef" * (page * 10 // 4)
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("damage", [truncated, garbled])
def test_every_command_on_a_damaged_store_says_run_db_check(cli, demo_store, tmp_path, damage):
    damaged = damage(demo_store, tmp_path / "damaged.db")
    out = tmp_path / "cases.csv"
    for args in (("agents", "list"), ("case", "list"), ("export", "cases", "--out", str(out)),
                 ("import", "customers", str(customers_csv(tmp_path / "customers.csv", 5)))):
        result = cli(*args, db=damaged)
        line = assert_one_line_failure(result, "damaged.db is damaged", "agent-console db check")
        assert "malformed" in line, args
    assert not out.exists() and not list(tmp_path.glob("*.part"))  # no half-written export left behind

    check = cli("db", "check", db=damaged)
    assert check.exit_code == 1, check.output
    assert "damaged.db is damaged" in check.stdout
    assert "agent-console db restore FILE" in check.stderr


def test_db_check_of_an_intact_store(cli, demo_store):
    result = cli("db", "check")
    assert result.exit_code == 0, result.output
    assert "no damage found" in result.stdout
    assert cli("db", "check", "--quick").exit_code == 0


def test_db_check_reports_a_damaged_index(cli, demo_store):
    """Damage SQLite can still walk: the check lists what it found (an index entry that lost its row)."""
    con = sqlite3.connect(demo_store)
    con.execute("PRAGMA writable_schema = ON")
    root, = con.execute("SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers' "
                        "LIMIT 1").fetchone()
    con.close()
    data = bytearray(demo_store.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    start = (root - 1) * page_size
    data[start + 200: start + page_size - 200] = b"\x00" * (page_size - 400)
    demo_store.write_bytes(bytes(data))
    result = cli("db", "check")
    assert result.exit_code == 1, result.output
    assert "is damaged" in result.stdout and "db restore" in result.stderr
