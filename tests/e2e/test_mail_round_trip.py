"""The e-mail channel end to end, as issue #19's "done when" tries it: a real Dovecot mailbox, a real SMTP server and
``agent-console mail run`` as a real process. A German customer's HTML mail becomes a case with readable text, the
customer gets the acknowledgement with the case key, the agent's answer goes out in the customer's thread, and the
customer's reply to it lands on the same case — and a gateway killed between fetching a mail and storing it loses
and duplicates nothing (killed between the SMTP server's acceptance and recording it: test_mail_gateway_kill.py)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlmodel import select

from agent_console.domain.cases import CaseService
from agent_console.store.models import Case, MailOutbox, Message
from tests.helpers import require_component, wait_until
from tests.server import dovecot
from tests.smtp_sink import SmtpSink, sink_running

MAIL_FROM = "Support <support@shop.example>"
PASSWORD = "mailbox pass"
CORPUS = Path(__file__).resolve().parent.parent / "data" / "mail"


@pytest.fixture
def mailbox():
    try:
        server = dovecot.start_dovecot({"support": PASSWORD})
    except dovecot.DovecotUnavailable as exc:
        require_component("Dovecot", str(exc))
    yield server
    server.stop()


@pytest.fixture
def sink():
    with sink_running(SmtpSink()) as running:
        yield running


def gateway(store_path, mailbox, sink, log_path) -> subprocess.Popen:
    env = {**os.environ, "AGENT_CONSOLE_MAIL_FROM": MAIL_FROM,
           "AGENT_CONSOLE_SMTP_URL": f"smtp://127.0.0.1:{sink.port}",
           "AGENT_CONSOLE_IMAP_URL": mailbox.url("support"), "AGENT_CONSOLE_IMAP_PASSWORD": PASSWORD,
           "SSL_CERT_FILE": str(mailbox.certificate)}
    return subprocess.Popen([sys.executable, "-m", "agent_console", "--db", str(store_path), "mail", "run"],
                            env=env, stdout=subprocess.PIPE, stderr=open(log_path, "ab"), text=True)


def email_cases(store) -> list[Case]:
    with store.session() as session:
        return session.exec(select(Case).where(Case.channel == "email").order_by(Case.id)).all()


def thread(store, case_id: int) -> list[Message]:
    with store.session() as session:
        return session.exec(select(Message).where(Message.case_id == case_id).order_by(Message.id)).all()


def test_a_customer_mail_becomes_a_case_is_acknowledged_answered_and_the_reply_threads_back(
        store, store_path, clock, agents, mailbox, sink, tmp_path):
    log = tmp_path / "gateway.log"
    mailbox.append("support", (CORPUS / "outlook_html_only.eml").read_bytes())
    process = gateway(store_path, mailbox, sink, log)
    try:
        wait_until(lambda: email_cases(store) and sink.messages(), 30,
                   message=lambda: f"no case or no acknowledgement; gateway log:\n{log.read_text(errors='replace')}")
        [case] = email_cases(store)
        first = thread(store, case.id)[0]
        assert first.direction == "in" and "<" not in first.body and "doppelt" in first.body  # HTML became text

        [ack] = sink.messages()
        assert ack["To"].addresses[0].addr_spec == "petra.schneider@firma-beispiel.de"
        assert f"[{case.key}]" in ack["Subject"]
        assert case.key in ack.get_body(("plain",)).get_content()
        customer_mail_id = first.mail_message_id
        assert ack["In-Reply-To"] == customer_mail_id

        CaseService(store, clock, agents["anna"], mail_from=MAIL_FROM).reply(
            case.key, "Guten Tag Frau Schneider, wir erstatten den doppelt abgebuchten Betrag.")
        wait_until(lambda: len(sink.messages()) == 2, 30,
                   message=lambda: f"the answer was not sent; gateway log:\n{log.read_text(errors='replace')}")
        answer = sink.messages()[1]
        assert answer["In-Reply-To"] == customer_mail_id
        assert customer_mail_id in answer["References"] and f"[{case.key}]" in answer["Subject"]
        assert "erstatten" in answer.get_body(("plain",)).get_content()

        reply = message_from_bytes(
            b"From: Petra Schneider <petra.schneider@firma-beispiel.de>\r\n"
            b"To: support@shop.example\r\n"
            b"Subject: AW: " + answer["Subject"].encode() + b"\r\n"
            b"Message-ID: <reply-1@firma-beispiel.de>\r\n"
            b"In-Reply-To: " + answer["Message-ID"].encode() + b"\r\n"
            b"References: " + customer_mail_id.encode() + b" " + answer["Message-ID"].encode() + b"\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
            b"Danke, das Geld ist angekommen.\r\n", policy=policy.SMTP)
        mailbox.append("support", reply.as_bytes())
        wait_until(lambda: any("angekommen" in m.body for m in thread(store, case.id)), 30,
                   message=lambda: f"the reply did not land on {case.key}; log:\n{log.read_text(errors='replace')}")
        assert len(email_cases(store)) == 1  # no new case
        assert len(sink.messages()) == 2  # a reply gets no acknowledgement
        wait_until(lambda: mailbox.message_ids("support") == [], 30, message="fetched mail was not moved")
        assert len(mailbox.message_ids("support", "Processed")) == 2
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert process.returncode == 0, log.read_text(errors="replace")


def outbox_states(store) -> list[str]:
    with store.session() as session:
        return [row.state for row in session.exec(select(MailOutbox).order_by(MailOutbox.id)).all()]


def test_a_gateway_killed_between_fetching_a_mail_and_storing_it_loses_and_duplicates_nothing(
        store, store_path, mailbox, sink, tmp_path):
    log = tmp_path / "gateway.log"
    mailbox.append("support", (CORPUS / "outlook_html_only.eml").read_bytes())
    first = gateway(store_path, mailbox, sink, log)
    try:
        wait_until(lambda: email_cases(store) and outbox_states(store) == ["sent"], 30,
                   message=lambda: f"the first mail was not taken in; gateway log:\n{log.read_text(errors='replace')}")
        # Another program holds the store's write lock: the gateway fetches the next mail but cannot store it …
        holder = sqlite3.connect(store_path)
        holder.execute("BEGIN IMMEDIATE")
        try:
            mailbox.append("support", (CORPUS / "gmail_multipart.eml").read_bytes())
            wait_until(lambda: "mail left in the mailbox" in log.read_text(errors="replace"), 60,
                       message=lambda: f"the gateway did not try to store the mail; log:\n{log.read_text()}")
            # … and is killed while it holds the fetched mail, unstored.
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            holder.rollback()
            holder.close()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)
    assert len(email_cases(store)) == 1 and len(mailbox.message_ids("support")) == 1  # not stored, not lost

    second = gateway(store_path, mailbox, sink, log)
    try:
        wait_until(lambda: len(email_cases(store)) == 2 and outbox_states(store) == ["sent", "sent"], 30,
                   message=lambda: f"the mail was lost; gateway log:\n{log.read_text(errors='replace')}")
        wait_until(lambda: mailbox.message_ids("support") == [], 30, message="fetched mail was not moved")
    finally:
        second.send_signal(signal.SIGTERM)
        second.communicate(timeout=30)
    assert second.returncode == 0, log.read_text(errors="replace")
    subjects = sorted(case.subject for case in email_cases(store))
    assert len(subjects) == 2 and "Damaged screen on order #88231" in subjects  # each mail one case
    assert len(sink.messages()) == 2  # one acknowledgement each
    assert len(mailbox.message_ids("support", "Processed")) == 2
