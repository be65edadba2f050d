"""``agent-console mail fetch`` end to end against a real Dovecot: settings from the environment and the settings
file, the intake's exit status deciding where each mail goes, and a clear line with the right exit status when the
server or the log-in fails."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from agent_console.cli import mail_ingest
from tests.helpers import require_component
from tests.server import dovecot

PASSWORD = "pa55 word"
LOGINS = [f"desk{n}" for n in range(20)]


@pytest.fixture(scope="module")
def imap_server():
    try:
        server = dovecot.start_dovecot({login: PASSWORD for login in LOGINS})
    except dovecot.DovecotUnavailable as exc:
        require_component("Dovecot", str(exc))
    server.unused_logins = iter(LOGINS)
    yield server
    server.stop()


@pytest.fixture
def mailbox(imap_server, monkeypatch):
    """An empty mailbox of its own, named by the environment as a console would read it."""
    login = next(imap_server.unused_logins)
    monkeypatch.setenv("AGENT_CONSOLE_IMAP_URL", imap_server.url(login))
    monkeypatch.setenv("AGENT_CONSOLE_IMAP_PASSWORD", PASSWORD)
    monkeypatch.setenv("SSL_CERT_FILE", str(imap_server.certificate))  # trust the test server's own certificate
    return login


class Intake:
    """Stands in for ``mail ingest``'s function: stores each mail once in a SQLite table and answers with an exit
    status (0 accepted, 65 refused, 75 try later), as the real intake does."""

    def __init__(self, path, status: int = 0):
        self.path = path
        self.status = status
        self.calls: list[dict] = []
        with sqlite3.connect(path) as con:
            con.execute("CREATE TABLE IF NOT EXISTS raw_mail (sha256 TEXT PRIMARY KEY, raw BLOB NOT NULL)")

    def __call__(self, obj, raw: bytes, *, server, token) -> int:
        self.calls.append({"server": server, "token": token})
        if self.status == 0:
            with sqlite3.connect(self.path) as con:
                con.execute("INSERT OR IGNORE INTO raw_mail VALUES (?, ?)", (hashlib.sha256(raw).hexdigest(), raw))
        return self.status

    def stored(self) -> int:
        with sqlite3.connect(self.path) as con:
            return con.execute("SELECT count(*) FROM raw_mail").fetchone()[0]


@pytest.fixture
def intake(tmp_path, monkeypatch) -> Intake:
    found = Intake(tmp_path / "intake.db")
    monkeypatch.setattr(mail_ingest, "ingest_raw_mail", found)
    return found


def mail(number: int) -> bytes:
    return (f"From: kunde{number}@example.com\r\nMessage-ID: <cli{number}@example.com>\r\n"
            f"Subject: Frage {number}\r\n\r\nHallo\r\n").encode()


def test_fetch_takes_the_mail_in_and_says_so(cli, imap_server, mailbox, intake):
    imap_server.append(mailbox, mail(1))
    imap_server.append(mailbox, mail(2))

    result = cli("mail", "fetch")

    assert result.exit_code == 0, result.output
    assert "2 taken in (moved to Processed), 0 refused (moved to Failed), 0 left in INBOX" in result.output
    assert intake.stored() == 2
    assert sorted(imap_server.message_ids(mailbox, "Processed")) == ["<cli1@example.com>", "<cli2@example.com>"]


def test_the_password_file_and_folders_come_from_the_settings_file(cli, imap_server, mailbox, intake, tmp_path,
                                                                   monkeypatch):
    monkeypatch.delenv("AGENT_CONSOLE_IMAP_PASSWORD")
    secret = tmp_path / "imap-password"
    secret.write_text(PASSWORD + "\n")
    config = tmp_path / "config.toml"
    config.write_text(f'imap_password_file = "{secret}"\nimap_done_folder = "Erledigt"\n')
    monkeypatch.setenv("AGENT_CONSOLE_CONFIG", str(config))
    imap_server.append(mailbox, mail(3))

    result = cli("mail", "fetch", "--server", "http://10.0.0.5:8765", "--token", "T0KEN")

    assert result.exit_code == 0, result.output
    assert imap_server.message_ids(mailbox, "Erledigt") == ["<cli3@example.com>"]
    assert intake.calls == [{"server": "http://10.0.0.5:8765", "token": "T0KEN"}]


def test_a_temporary_intake_failure_exits_75_and_leaves_the_mail(cli, imap_server, mailbox, intake):
    intake.status = 75
    imap_server.append(mailbox, mail(4))

    result = cli("mail", "fetch")

    assert result.exit_code == 75
    assert "0 taken in (moved to Processed), 0 refused (moved to Failed), 1 left in INBOX" in result.output
    assert "stays in INBOX for the next run" in result.output
    assert imap_server.message_ids(mailbox) == ["<cli4@example.com>"]


def test_mail_the_intake_refuses_goes_to_the_failed_folder(cli, imap_server, mailbox, intake):
    intake.status = 65
    imap_server.append(mailbox, mail(5))

    result = cli("mail", "fetch")

    assert result.exit_code == 0, result.output
    assert imap_server.message_ids(mailbox, "Failed") == ["<cli5@example.com>"]
    assert imap_server.message_ids(mailbox) == []


def test_a_wrong_password_is_one_clear_line(cli, imap_server, mailbox, intake, monkeypatch):
    monkeypatch.setenv("AGENT_CONSOLE_IMAP_PASSWORD", "wrong")
    imap_server.append(mailbox, mail(6))

    result = cli("mail", "fetch")

    assert result.exit_code == 1
    assert "refused the log-in of" in result.output and "Traceback" not in result.output
    assert imap_server.message_ids(mailbox) == ["<cli6@example.com>"]


def test_a_server_that_is_down_exits_75(cli, intake, monkeypatch):
    monkeypatch.setenv("AGENT_CONSOLE_IMAP_URL", f"imaps://desk@127.0.0.1:{dovecot.free_port()}/INBOX")
    monkeypatch.setenv("AGENT_CONSOLE_IMAP_PASSWORD", PASSWORD)

    result = cli("mail", "fetch")

    assert result.exit_code == 75
    assert "cannot connect to the IMAP server 127.0.0.1" in result.output and "try again later" in result.output


@pytest.mark.parametrize(("url", "message"), [
    ("", "imap_url is not set"),
    ("pop3://desk@mail.example.com/INBOX", "must start with imaps:// or imap://"),
    ("imaps://desk:secret@mail.example.com/INBOX", "must not contain the password"),
    ("imaps://mail.example.com/INBOX", "names no user"),
])
def test_bad_imap_settings_are_refused_before_connecting(cli, intake, monkeypatch, url, message):
    monkeypatch.setenv("AGENT_CONSOLE_IMAP_URL", url)
    monkeypatch.setenv("AGENT_CONSOLE_IMAP_PASSWORD", PASSWORD)

    result = cli("mail", "fetch")

    assert result.exit_code == 1
    assert message in result.output
    assert "secret" not in result.output


def test_no_password_anywhere_is_refused(cli, intake, monkeypatch):
    monkeypatch.setenv("AGENT_CONSOLE_IMAP_URL", "imaps://desk@mail.example.com/INBOX")

    result = cli("mail", "fetch")

    assert result.exit_code == 1
    assert "no IMAP password: set imap_password_file or AGENT_CONSOLE_IMAP_PASSWORD" in result.output
