"""``agent-console mail ingest`` as an MTA runs it: the mail on standard input (or a file), the answer in the exit
status — 0 accepted, 65 never acceptable (reason on stderr), 75 try again later (store unwritable or unreachable)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from agent_console.store.db import open_store
from tests.cli.test_store_failures import read_only

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def mail_from(monkeypatch):
    monkeypatch.setenv("AGENT_CONSOLE_MAIL_FROM", "Support <support@shop.example>")


def ingest(store_path: Path, mail: bytes, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The way Postfix's pipe runs it: a separate process, the mail on standard input."""
    return subprocess.run([sys.executable, "-m", "agent_console", "--db", str(store_path), "mail", "ingest", *args],
                          input=mail, capture_output=True, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=120)


def count(store_path: Path, table: str) -> int:
    with sqlite3.connect(store_path) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_mail_on_standard_input_is_accepted_with_exit_0(store_path):
    done = ingest(store_path, (CORPUS / "outlook_html_only.eml").read_bytes())
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip() == "accepted: new case AC-000001, acknowledgement queued"
    again = ingest(store_path, (CORPUS / "outlook_html_only.eml").read_bytes())
    assert again.returncode == 0 and b"taken before (AC-000001)" in again.stdout
    assert count(store_path, "cases") == 1


def test_a_mail_file_is_read_and_the_outcome_printed_as_json(cli, store_path, monkeypatch):
    result = cli("mail", "ingest", str(CORPUS / "gmail_multipart.eml"), "--json")
    assert result.exit_code == 0, result.output
    assert '"outcome": "new_case"' in result.stdout and '"case_key": "AC-000001"' in result.stdout


@pytest.mark.parametrize("mail, reason", [
    (b"", "the input is empty"),
    (b"Subject: hi\r\n\r\nno sender", "no sender address"),
    (b"From: Support <support@shop.example>\r\nSubject: loop\r\n\r\nx", "our own address support@shop.example"),
])
def test_a_mail_never_acceptable_exits_65_with_the_reason_on_stderr(store_path, mail, reason):
    done = ingest(store_path, mail)
    assert done.returncode == 65
    stderr = done.stderr.decode()
    assert reason in stderr and "Traceback" not in stderr and stderr.count("\n") == 1


def test_an_unwritable_store_exits_75_and_the_mail_is_not_lost(store_path):
    open_store(store_path).dispose()
    with read_only(store_path):
        done = ingest(store_path, (CORPUS / "gmail_multipart.eml").read_bytes())
    assert done.returncode == 75, done.stderr
    assert b"read-only" in done.stderr and b"Traceback" not in done.stderr
    assert count(store_path, "cases") == 0
    assert ingest(store_path, (CORPUS / "gmail_multipart.eml").read_bytes()).returncode == 0


def test_without_mail_from_the_gateway_is_not_set_up_and_exits_75(store_path):
    done = ingest(store_path, (CORPUS / "gmail_multipart.eml").read_bytes(), env={"AGENT_CONSOLE_MAIL_FROM": ""})
    assert done.returncode == 75 and b"mail_from" in done.stderr


def test_an_unreachable_server_exits_75(store_path):
    from tests.server import pg

    port = pg.free_port()
    done = ingest(store_path, (CORPUS / "gmail_multipart.eml").read_bytes(),
                  "--server", f"http://127.0.0.1:{port}", "--token", "acs_nothing")
    assert done.returncode == 75 and b"cannot reach" in done.stderr and b"Traceback" not in done.stderr


def test_an_unreadable_mail_file_exits_66(cli, tmp_path):
    result = cli("mail", "ingest", str(tmp_path / "missing.eml"))
    assert result.exit_code == 66 and "cannot read the mail" in result.stderr


def test_a_token_file_that_cannot_be_read_exits_75(cli, tmp_path):
    result = cli("mail", "ingest", str(CORPUS / "gmail_multipart.eml"), "--server", "http://127.0.0.1:9",
                 "--token-file", str(tmp_path / "no-token"))
    assert result.exit_code == 75 and "cannot read the token" in result.stderr


def test_mail_fetch_hands_each_mail_to_the_same_intake_and_gets_the_exit_status(store_path, capsys):
    from agent_console.cli.common import Context
    from agent_console.cli.mail_ingest import ingest_raw_mail

    context = Context(db_option=str(store_path))
    assert ingest_raw_mail(context, (CORPUS / "gmail_multipart.eml").read_bytes()) == 0
    assert ingest_raw_mail(context, (CORPUS / "gmail_multipart.eml").read_bytes()) == 0
    assert ingest_raw_mail(context, b"Subject: x\r\n\r\nno sender") == 65
    assert "no sender address" in capsys.readouterr().err
    assert count(store_path, "cases") == 1
