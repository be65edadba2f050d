"""``mail fetch`` / the IMAP watcher against a real Dovecot (tests/server/dovecot.py), delivering into a real SQLite
table that, like the intake, knows a mail it has seen (by the sha256 of its raw bytes) and accepts it again without
storing it twice."""

from __future__ import annotations

import hashlib
import sqlite3
import ssl
import threading
import uuid
from pathlib import Path

import pytest

from agent_console.config import Settings
from agent_console.mail.imap_client import ImapLoginRefused, ImapUnavailable, parse_imap_url
from agent_console.mail.imap_fetch import (Delivery, ImapSettings, WatchTiming, fetch_once, watch,
                                            watch_mailbox)
from tests.helpers import require_component, wait_until
from tests.server import dovecot

PASSWORD = "s3cret pass"
#: One mailbox user per test that asks for one (an empty INBOX each).
LOGINS = [f"support{n}" for n in range(40)]


def start(capability: str = "") -> dovecot.DovecotServer:
    try:
        return dovecot.start_dovecot({login: PASSWORD for login in LOGINS}, capability=capability)
    except dovecot.DovecotUnavailable as exc:
        require_component("Dovecot", str(exc))


@pytest.fixture(scope="module")
def imap_server():
    server = start()
    server.unused_logins = iter(LOGINS)
    yield server
    server.stop()


@pytest.fixture
def mailbox(imap_server):
    return next(imap_server.unused_logins)


class RawMailSink:
    """A real intake stand-in: each mail into a SQLite table, once (the sha256 of the raw mail is its key)."""

    def __init__(self, path: Path):
        self.path = path
        self.deliveries = 0
        with sqlite3.connect(path) as con:
            con.execute("CREATE TABLE IF NOT EXISTS raw_mail (sha256 TEXT PRIMARY KEY, raw BLOB NOT NULL)")

    def __call__(self, raw: bytes) -> Delivery:
        self.deliveries += 1
        with sqlite3.connect(self.path) as con:
            con.execute("INSERT OR IGNORE INTO raw_mail (sha256, raw) VALUES (?, ?)",
                        (hashlib.sha256(raw).hexdigest(), raw))
        return Delivery.ACCEPTED

    def stored(self) -> list[bytes]:
        with sqlite3.connect(self.path) as con:
            return [row[0] for row in con.execute("SELECT raw FROM raw_mail ORDER BY raw")]


@pytest.fixture
def sink(tmp_path) -> RawMailSink:
    return RawMailSink(tmp_path / "intake.db")


def mail(number: int, subject: str = "Rechnung doppelt") -> bytes:
    return (f"From: Kundin <kundin{number}@example.com>\r\nTo: support@example.com\r\n"
            f"Message-ID: <mail{number}.{uuid.uuid4().hex}@example.com>\r\nSubject: {subject} {number}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag, bitte pr\xfcfen.\r\n").encode("utf-8")


def settings_for(server: dovecot.DovecotServer, login: str, scheme: str = "imaps") -> ImapSettings:
    return ImapSettings(parse_imap_url(server.url(login, scheme=scheme)), PASSWORD, "Processed", "Failed")


def trust(server: dovecot.DovecotServer) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(server.certificate))


def message_ids(raw_mails: list[bytes]) -> list[str]:
    return sorted(line.split(b":", 1)[1].strip().decode() for raw in raw_mails for line in raw.split(b"\r\n")
                  if line.startswith(b"Message-ID:"))


def test_fetch_delivers_every_message_and_moves_it_to_the_done_folder(imap_server, mailbox, sink):
    sent = [mail(n) for n in range(3)]
    for raw in sent:
        imap_server.append(mailbox, raw)

    report = fetch_once(settings_for(imap_server, mailbox), sink, trust(imap_server))

    assert report.accepted == 3 and report.refused == 0 and report.deferred == 0
    assert sorted(sink.stored()) == sorted(sent)  # byte for byte, as the sender wrote them
    assert imap_server.message_ids(mailbox) == []
    assert sorted(imap_server.message_ids(mailbox, "Processed")) == message_ids(sent)


def test_a_second_round_takes_nothing_again(imap_server, mailbox, sink):
    imap_server.append(mailbox, mail(1))
    config = settings_for(imap_server, mailbox)
    fetch_once(config, sink, trust(imap_server))

    again = fetch_once(config, sink, trust(imap_server))

    assert again.accepted == 0 and sink.deliveries == 1


def test_killed_between_delivering_and_moving_the_mail_is_delivered_again_but_stored_once(imap_server, mailbox,
                                                                                         sink):
    first, second = mail(1), mail(2)
    imap_server.append(mailbox, first)
    imap_server.append(mailbox, second)

    class Killed(BaseException):
        pass

    def stored_then_killed(raw: bytes) -> Delivery:
        sink(raw)
        raise Killed  # the process dies after the intake committed, before the message was moved

    config = settings_for(imap_server, mailbox)
    with pytest.raises(Killed):
        fetch_once(config, stored_then_killed, trust(imap_server))
    assert len(imap_server.message_ids(mailbox)) == 2  # nothing moved: the next run sees it again

    report = fetch_once(config, sink, trust(imap_server))

    assert report.accepted == 2
    assert sink.deliveries == 3  # the first mail was handed over twice …
    assert sorted(sink.stored()) == sorted([first, second])  # … and stored once
    assert imap_server.message_ids(mailbox) == []
    assert len(imap_server.message_ids(mailbox, "Processed")) == 2


def test_a_temporary_failure_leaves_the_mail_for_the_next_round(imap_server, mailbox, sink):
    sent = [mail(1), mail(2)]
    for raw in sent:
        imap_server.append(mailbox, raw)
    config = settings_for(imap_server, mailbox)

    report = fetch_once(config, lambda raw: Delivery.TEMPORARY, trust(imap_server))

    assert report.deferred == 2 and report.accepted == 0 and report.temporary_failure
    assert sorted(imap_server.message_ids(mailbox)) == message_ids(sent)
    assert imap_server.message_ids(mailbox, "Processed") == []
    assert fetch_once(config, sink, trust(imap_server)).accepted == 2


def test_refused_mail_goes_to_the_failed_folder(imap_server, mailbox, sink):
    good, bad = mail(1), mail(2, subject="refuse me")
    imap_server.append(mailbox, good)
    imap_server.append(mailbox, bad)

    def intake(raw: bytes) -> Delivery:
        return Delivery.REFUSED if b"refuse me" in raw else sink(raw)

    report = fetch_once(settings_for(imap_server, mailbox), intake, trust(imap_server))

    assert (report.accepted, report.refused) == (1, 1)
    assert imap_server.message_ids(mailbox, "Failed") == message_ids([bad])
    assert imap_server.message_ids(mailbox, "Processed") == message_ids([good])
    assert imap_server.message_ids(mailbox) == []


@pytest.mark.parametrize("capability", [
    "IMAP4rev1 LITERAL+ SASL-IR IDLE UIDPLUS",  # no MOVE: COPY, \Deleted, UID EXPUNGE
    "IMAP4rev1 LITERAL+ SASL-IR IDLE",  # neither MOVE nor UIDPLUS: COPY, \Deleted, EXPUNGE
])
def test_a_server_without_move_gets_copy_and_expunge_over_starttls(capability, sink):
    server = start(capability)
    try:
        sent = [mail(1), mail(2)]
        for raw in sent:
            server.append("support0", raw)

        report = fetch_once(settings_for(server, "support0", scheme="imap"), sink, trust(server))

        assert report.accepted == 2
        assert server.message_ids("support0") == []  # expunged, not only flagged
        assert sorted(server.message_ids("support0", "Processed")) == message_ids(sent)
    finally:
        server.stop()


def test_imap_without_starttls_is_refused_before_the_password_is_sent(sink):
    try:
        server = dovecot.start_dovecot({login: PASSWORD for login in LOGINS}, tls=False)
    except dovecot.DovecotUnavailable as exc:
        require_component("Dovecot", str(exc))
    try:
        server.append("support0", mail(1))
        with pytest.raises(ImapUnavailable, match="offers no STARTTLS"):
            fetch_once(settings_for(server, "support0", scheme="imap"), sink, trust(server))
        assert server.log.count("Login: user=<support0>") == 1  # the test's own APPEND; the fetcher sent nothing
        assert sink.deliveries == 0
    finally:
        server.stop()


def test_wrong_password_is_a_refused_login(imap_server, mailbox, sink):
    config = settings_for(imap_server, mailbox)
    wrong = ImapSettings(config.location, "not the password", config.done_folder, config.failed_folder)
    with pytest.raises(ImapLoginRefused, match="refused the log-in"):
        fetch_once(wrong, sink, trust(imap_server))


def test_an_untrusted_certificate_is_refused(imap_server, mailbox, sink):
    with pytest.raises(ImapUnavailable, match="not trusted"):
        fetch_once(settings_for(imap_server, mailbox), sink, ssl.create_default_context())
    assert sink.deliveries == 0


def test_watch_wakes_up_on_new_mail_through_idle(imap_server, mailbox, sink, monkeypatch):
    rounds = []
    stop = threading.Event()
    monkeypatch.setenv("AGENT_CONSOLE_IMAP_PASSWORD", PASSWORD)
    settings = Settings(imap_url=imap_server.url(mailbox))  # what `mail run` hands over
    # Neither polling nor renewing the IDLE within the test's wait: only the server's IDLE notice can wake it.
    timing = WatchTiming(idle_renew_s=600, poll_s=600)
    watcher = threading.Thread(target=watch, args=(settings, sink, stop),
                               kwargs={"timing": timing, "ssl_context": trust(imap_server),
                                       "on_round": rounds.append})
    watcher.start()
    try:
        wait_until(lambda: rounds, message="the first round")
        raw = mail(7)
        imap_server.append(mailbox, raw)
        wait_until(lambda: sink.stored() == [raw], message="the appended mail taken in while idling")
        wait_until(lambda: imap_server.message_ids(mailbox) == [], message="the mail moved")
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()


def test_watch_polls_a_server_without_idle_and_reconnects_after_a_restart(sink):
    server = start("IMAP4rev1 LITERAL+ SASL-IR UIDPLUS MOVE")
    stop = threading.Event()
    reports: list[str] = []
    watcher = None
    try:
        timing = WatchTiming(idle_renew_s=600, poll_s=0.2, backoff_first_s=0.1, backoff_max_s=0.5)
        watcher = threading.Thread(target=watch_mailbox, args=(settings_for(server, "support0"), sink, stop),
                                   kwargs={"timing": timing, "ssl_context": trust(server),
                                           "report": reports.append})
        watcher.start()
        first = mail(1)
        server.append("support0", first)
        wait_until(lambda: sink.stored() == [first], message="the mail taken in by polling")

        server.restart()
        second = mail(2)
        server.append("support0", second)
        wait_until(lambda: sorted(sink.stored()) == sorted([first, second]), timeout=30,
                   message="the mail taken in after the reconnect")
        assert any("broke off" in line or "cannot connect" in line for line in reports)
    finally:
        stop.set()
        if watcher is not None:
            watcher.join(timeout=10)
        server.stop()
    assert not watcher.is_alive()


def test_watch_reports_a_refused_login_and_uses_the_corrected_password_file(imap_server, mailbox, sink, tmp_path):
    password_file = tmp_path / "imap-password"
    password_file.write_text("an old password\n")
    settings = Settings(imap_url=imap_server.url(mailbox), imap_password_file=str(password_file))
    raw = mail(9)
    imap_server.append(mailbox, raw)
    reports: list[str] = []
    stop = threading.Event()
    timing = WatchTiming(backoff_first_s=0.1, backoff_max_s=0.3)
    watcher = threading.Thread(target=watch, args=(settings, sink, stop),
                               kwargs={"timing": timing, "ssl_context": trust(imap_server),
                                       "report": reports.append})
    watcher.start()
    try:
        wait_until(lambda: any("refused the log-in" in line for line in reports), message="the refusal reported")
        assert sink.stored() == []
        password_file.write_text(PASSWORD + "\n")
        wait_until(lambda: sink.stored() == [raw], timeout=30, message="the mail taken in with the new password")
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()


def test_a_20_mb_mail_arrives_whole(imap_server, mailbox, sink):
    attachment = (b"QUJDRA==" * 10 + b"\r\n") * 250_000  # ~20 MB of base64 lines
    raw = mail(10).replace(b"\r\n\r\n", b"\r\nX-Big: yes\r\n\r\n", 1) + attachment
    imap_server.append(mailbox, raw)

    report = fetch_once(settings_for(imap_server, mailbox), sink, trust(imap_server))

    assert report.accepted == 1
    assert sink.stored() == [raw]
