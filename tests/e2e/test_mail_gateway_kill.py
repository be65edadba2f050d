"""``mail run`` as a real process, killed at the worst moments: the mail is never lost and sent twice only when the
gateway died before it could record the SMTP server's acceptance — then exactly once more, with the same
Message-ID (the receiver can drop the copy). SIGTERM stops it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from sqlmodel import select

from agent_console.domain.cases import CaseService
from agent_console.store.models import MailOutbox
from tests.helpers import wait_until
from tests.smtp_sink import SmtpSink, sink_running

MAIL_FROM = "Support <support@example.com>"


class KillingSink(SmtpSink):
    """Kills the gateway once, after it took the mail and before the gateway reads the 250."""

    victim: subprocess.Popen | None = None

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if self.victim is not None:
            victim, self.victim = self.victim, None
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
        return reply


def gateway(store_path, port, log_path) -> subprocess.Popen:
    env = {**os.environ, "AGENT_CONSOLE_MAIL_FROM": MAIL_FROM, "AGENT_CONSOLE_SMTP_URL": f"smtp://127.0.0.1:{port}"}
    return subprocess.Popen([sys.executable, "-m", "agent_console", "--db", str(store_path), "mail", "run"],
                            env=env, stdout=subprocess.PIPE, stderr=open(log_path, "ab"), text=True)


def states(store) -> list[str]:
    with store.session() as session:
        return [row.state for row in session.exec(select(MailOutbox).order_by(MailOutbox.id)).all()]


def reply_on_new_case(store, clock, agent, body: str) -> str:
    service = CaseService(store, clock, agent, mail_from=MAIL_FROM)
    case = service.create_case(customer="karl@example.de", channel="email", queue="Billing", subject="Rechnung",
                               body="Zweimal belastet")
    service.reply(case.key, body)
    return case.key


@pytest.fixture
def sink():
    with sink_running(KillingSink()) as running:
        yield running


def stop_cleanly(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=20)
    assert process.returncode == 0, out
    return out


def test_killed_after_the_server_accepted_but_before_recording_it_resends_once_with_the_same_id(
        store, store_path, clock, agents, sink, tmp_path):
    reply_on_new_case(store, clock, agents["anna"], "Erste Antwort")
    first = gateway(store_path, sink.port, tmp_path / "gateway.log")
    sink.victim = first
    wait_until(lambda: first.poll() is not None, 20, message="the sink did not kill the gateway")
    assert states(store) == ["sending"] and len(sink.messages()) == 1

    second = gateway(store_path, sink.port, tmp_path / "gateway.log")
    wait_until(lambda: states(store) == ["sent"], 20)
    reply_on_new_case(store, clock, agents["anna"], "Zweite Antwort")  # proves the gateway's passes went on
    wait_until(lambda: len(sink.messages()) == 3, 20)
    out = stop_cleanly(second)
    first_id = [mail["Message-ID"] for mail in sink.messages()]
    assert first_id[0] == first_id[1] != first_id[2]  # the one resend, same Message-ID; the next reply once
    assert states(store) == ["sent", "sent"] and "2 sent" in out


def test_killed_after_recording_the_send_nothing_goes_twice(store, store_path, clock, agents, sink, tmp_path):
    reply_on_new_case(store, clock, agents["anna"], "Erste Antwort")
    first = gateway(store_path, sink.port, tmp_path / "gateway.log")
    wait_until(lambda: states(store) == ["sent"], 20)
    first.send_signal(signal.SIGKILL)
    first.wait(10)

    second = gateway(store_path, sink.port, tmp_path / "gateway.log")
    reply_on_new_case(store, clock, agents["anna"], "Zweite Antwort")
    wait_until(lambda: states(store) == ["sent", "sent"], 20)
    stop_cleanly(second)
    ids = [mail["Message-ID"] for mail in sink.messages()]
    assert len(ids) == 2 and ids[0] != ids[1]
