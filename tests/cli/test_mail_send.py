"""Replies on e-mail cases go out as mail: queued with the message, sent by ``mail send`` to a real SMTP server
(aiosmtpd on 127.0.0.1), retried, failed and resent as the outbox promises."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from agent_console.domain.cases import CaseService
from agent_console.mail.gateway import MailSender, SendReport
from agent_console.mail.smtp import smtp_target
from agent_console.store.models import MailOutbox, Message, SyncState
from tests.helpers import wait_until
from tests.smtp_sink import SmtpSink, free_port, self_signed_tls, sink_running, start_sink

MAIL_FROM = "Support <support@example.com>"
CUSTOMER_MAIL_ID = "<CAF+karl.1@mail.example.de>"


@pytest.fixture
def sink():
    with sink_running(SmtpSink()) as running:
        yield running


@pytest.fixture
def mail_env(monkeypatch, sink):
    monkeypatch.setenv("AGENT_CONSOLE_MAIL_FROM", MAIL_FROM)
    monkeypatch.setenv("AGENT_CONSOLE_SMTP_URL", f"smtp://127.0.0.1:{sink.port}")


def email_case(store, clock, agent, *, channel="email", subject="Rechnung doppelt") -> str:
    service = CaseService(store, clock, agent)
    case = service.create_case(customer="karl@example.de", channel=channel, queue="Billing", subject=subject,
                               body="Zweimal belastet", customer_name="Karl Kunde")
    with store.transaction() as session:  # as the intake records the customer's mail
        first = session.exec(select(Message).where(Message.case_id == case.id)).one()
        first.mail_message_id = CUSTOMER_MAIL_ID
    return case.key


def outbox(store) -> list[MailOutbox]:
    with store.session() as session:
        return list(session.exec(select(MailOutbox).order_by(MailOutbox.id)).all())


def test_a_reply_from_the_cli_is_mailed_threaded_under_the_customers_mail(cli, store, clock, agents, sink, mail_env):
    key = email_case(store, clock, agents["anna"])
    assert cli("--agent", "anna", "case", "reply", key, "Wir haben das geprüft.\n\nGrüße, Anna").exit_code == 0
    [row] = outbox(store)
    assert row.state == "queued" and row.recipient == "karl@example.de"
    assert row.mail_message_id.startswith("<ac.") and row.mail_message_id.endswith("@example.com>")

    result = cli("mail", "send")
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    [mail] = sink.messages()
    assert mail["Message-ID"] == row.mail_message_id
    assert mail["In-Reply-To"] == CUSTOMER_MAIL_ID
    assert mail["References"] == CUSTOMER_MAIL_ID
    assert mail["Subject"] == f"Re: Rechnung doppelt [{key}]"
    assert mail["From"].addresses[0].addr_spec == "support@example.com" and mail["Date"]
    assert mail["To"].addresses[0].addr_spec == "karl@example.de"
    assert "Wir haben das geprüft." in mail.get_body(("plain",)).get_content()
    assert "<p>Wir haben das geprüft.</p>" in mail.get_body(("html",)).get_content()
    [row] = outbox(store)
    assert row.state == "sent" and row.sent_at is not None and row.attempts == 1
    with store.session() as session:
        reply = session.get(Message, row.message_id)
    assert reply.mail_message_id == row.mail_message_id  # the customer's answer threads back to the case

    assert cli("mail", "send").output.strip().startswith("0 sent")
    assert len(sink.messages()) == 1


def test_internal_notes_and_other_channels_never_leave(cli, store, clock, agents, sink, mail_env):
    key = email_case(store, clock, agents["anna"])
    phone = email_case(store, clock, agents["anna"], channel="phone")
    assert cli("--agent", "anna", "case", "note", key, "intern: Buchung 4711").exit_code == 0
    assert cli("--agent", "anna", "case", "reply", phone, "Rückruf erledigt").exit_code == 0
    assert outbox(store) == []
    cli("mail", "send")
    assert sink.messages() == []


def test_a_reply_on_a_web_case_from_the_help_center_is_mailed_too(cli, store, clock, agents, sink, mail_env):
    key = email_case(store, clock, agents["anna"], channel="web", subject="Paket beschädigt")
    assert cli("--agent", "anna", "case", "reply", key, "Wir schicken Ersatz.").exit_code == 0
    [row] = outbox(store)
    assert row.recipient == "karl@example.de"
    assert "1 sent" in cli("mail", "send").output
    [mail] = sink.messages()
    assert mail["Subject"] == f"Re: Paket beschädigt [{key}]"


def test_a_console_that_syncs_to_a_server_queues_nothing(cli, store, clock, agents, mail_env):
    key = email_case(store, clock, agents["anna"])
    with store.transaction() as session:
        session.add(SyncState(key="cursor", value="17"))
    assert cli("--agent", "anna", "case", "reply", key, "Antwort").exit_code == 0
    assert outbox(store) == []  # the team server queues it when it applies the reply


def test_without_mail_from_nothing_is_queued_and_mail_send_says_why(cli, store, clock, agents, monkeypatch):
    key = email_case(store, clock, agents["anna"])
    assert cli("--agent", "anna", "case", "reply", key, "Antwort").exit_code == 0
    assert outbox(store) == []
    result = cli("mail", "send")
    assert result.exit_code == 1 and "mail_from is not set" in result.output
    assert "Traceback" not in result.output


def sender(store, clock, port, **target) -> MailSender:
    return MailSender(store=store, clock=clock, target=smtp_target(f"smtp://127.0.0.1:{port}", **target),
                      mail_from=MAIL_FROM)


def queued_reply(store, clock, agent, body="Antwort") -> str:
    key = email_case(store, clock, agent)
    CaseService(store, clock, agent, mail_from=MAIL_FROM).reply(key, body)
    return key


def test_a_temporary_refusal_is_retried_after_a_back_off_with_the_same_message_id(store, clock, agents):
    sink = SmtpSink(replies=["451 4.3.0 Greylisted, try later"])
    controller, port = start_sink(sink)
    try:
        queued_reply(store, clock, agents["anna"])
        mail_sender = sender(store, clock, port)
        report = mail_sender.send_due()
        assert (report.sent, report.retried) == (0, 1)
        [row] = outbox(store)
        assert row.state == "queued" and row.attempts == 1 and row.last_error.startswith("451 4.3.0 Greylisted")
        assert row.next_attempt_at.replace(tzinfo=clock.now().tzinfo) == clock.now() + timedelta(seconds=30)
        assert mail_sender.send_due().attempts == 0  # not due yet
        clock.advance(30)
        assert mail_sender.send_due().sent == 1
        [row] = outbox(store)
        assert row.state == "sent" and row.attempts == 2 and row.last_error is None
        [mail] = sink.messages()
        assert mail["Message-ID"] == row.mail_message_id and sink.attempts == 2
    finally:
        controller.stop()


def test_a_permanent_refusal_fails_the_mail_with_the_servers_reply(store, clock, agents):
    sink = SmtpSink(replies=["550 5.1.1 <karl@example.de>: Recipient address rejected"])
    controller, port = start_sink(sink)
    try:
        queued_reply(store, clock, agents["anna"])
        assert sender(store, clock, port).send_due().failed == 1
        [row] = outbox(store)
        assert row.state == "failed" and row.last_error.startswith("550 5.1.1")
        clock.advance(hours=2)
        assert sender(store, clock, port).send_due().attempts == 0  # never again
    finally:
        controller.stop()


def test_an_smtp_server_that_is_down_then_up_gets_the_mail(store, clock, agents):
    port = free_port()
    queued_reply(store, clock, agents["anna"])
    mail_sender = sender(store, clock, port)
    assert mail_sender.send_due().retried == 1
    [row] = outbox(store)
    assert row.state == "queued" and "127.0.0.1" in row.last_error
    sink = SmtpSink()
    controller, _ = start_sink(sink, port=port)
    try:
        clock.advance(30)
        assert mail_sender.send_due().sent == 1
        assert len(sink.messages()) == 1
    finally:
        controller.stop()


def test_a_mail_left_sending_by_a_killed_gateway_goes_again_once_with_its_message_id(store, clock, agents, sink):
    queued_reply(store, clock, agents["anna"])
    with store.transaction() as session:  # as a gateway killed during the attempt leaves it
        row = session.exec(select(MailOutbox)).one()
        row.state, row.attempts = "sending", 1
    mail_sender = sender(store, clock, sink.port)
    report = SendReport(recovered=mail_sender.recover_interrupted())
    mail_sender.send_due(report)
    assert (report.recovered, report.sent) == (1, 1)
    mail_sender.recover_interrupted()
    assert mail_sender.send_due().attempts == 0
    [mail] = sink.messages()
    assert mail["Message-ID"] == outbox(store)[0].mail_message_id


def test_login_over_starttls_with_the_password_from_the_environment(store, clock, agents, tmp_path):
    import ssl

    from aiosmtpd.smtp import AuthResult

    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"support" and auth_data.password == b"s3cret")

    server_tls, cert = self_signed_tls(tmp_path)
    sink = SmtpSink()
    controller, port = start_sink(sink, tls_context=server_tls, require_starttls=True, authenticator=authenticator,
                                  auth_require_tls=True)
    try:
        queued_reply(store, clock, agents["anna"])
        client_tls = ssl.create_default_context(cafile=str(cert))
        target = smtp_target(f"smtp://support@127.0.0.1:{port}?starttls=required",
                             environ={"AGENT_CONSOLE_SMTP_PASSWORD": "s3cret"})
        mail_sender = MailSender(store=store, clock=clock, target=target, mail_from=MAIL_FROM, tls_context=client_tls)
        assert mail_sender.send_due().sent == 1
        assert logins == [(b"support", b"s3cret")] and len(sink.messages()) == 1
    finally:
        controller.stop()


def test_a_header_injection_in_the_subject_adds_no_header(store, clock, agents, sink):
    key = email_case(store, clock, agents["anna"], subject="Hallo\r\nBcc: victim@example.org\r\nX-Evil: 1")
    CaseService(store, clock, agents["anna"], mail_from=MAIL_FROM).reply(
        key, "Text\r\nBcc: other@example.org\n\n<script>alert(1)</script> [bold]x[/bold] \x1b[31mrot")
    assert sender(store, clock, sink.port).send_due().sent == 1
    [(_sender, recipients, mail, raw)] = sink.received
    assert recipients == ["karl@example.de"]
    assert mail["Bcc"] is None and mail["X-Evil"] is None
    assert "\n" not in mail["Subject"] and key in mail["Subject"]
    html = mail.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert b"\nBcc:" not in raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"\n")


def test_case_show_gives_each_replys_mail_state_with_the_smtp_reply(cli, store, clock, agents):
    import json

    sink = SmtpSink(replies=["550 5.1.1 <karl@example.de>: Recipient address rejected"])
    controller, port = start_sink(sink)
    try:
        key = queued_reply(store, clock, agents["anna"], body="Erste Antwort")
        CaseService(store, clock, agents["anna"], mail_from=MAIL_FROM).note(key, "intern")
        shown = json.loads(cli("case", "show", key, "--json").output)
        assert [m["mail"] and m["mail"]["state"] for m in shown["messages"]] == [None, "queued", None]
        sender(store, clock, port).send_due()
    finally:
        controller.stop()
    shown = json.loads(cli("case", "show", key, "--json").output)
    mail = shown["messages"][1]["mail"]
    assert mail["state"] == "failed" and mail["last_error"].startswith("550 5.1.1") and mail["attempts"] == 1
    assert mail["message_id"] == outbox(store)[0].mail_message_id
    text = cli("case", "show", key).output
    assert "mail failed: 550 5.1.1 <karl@example.de>: Recipient address rejected" in text


def test_mail_run_hosts_registered_workers_and_stops_them_with_the_send_loop(store, clock, agents, sink):
    import threading

    from agent_console.mail.gateway import Gateway

    started, stopped = threading.Event(), threading.Event()

    def fetcher(stop: threading.Event) -> None:  # as the IMAP fetcher plugs in
        started.set()
        stop.wait()
        stopped.set()

    gateway = Gateway(sender(store, clock, sink.port))
    gateway.add_worker("imap", fetcher)
    runner = threading.Thread(target=gateway.run)
    runner.start()
    try:
        assert started.wait(10)
        queued_reply(store, clock, agents["anna"])  # the loop picks up what is queued while it runs
        wait_until(lambda: len(sink.messages()) == 1)
    finally:
        gateway.stop()
        runner.join(10)
    assert stopped.is_set() and not runner.is_alive()
    assert outbox(store)[0].state == "sent"


def test_mail_run_starts_the_registered_workers_on_its_store(cli, store, store_path, clock, agents, sink, mail_env,
                                                           monkeypatch):
    import signal

    from agent_console.cli import mail_gateway

    seen = []

    def failing_fetcher(obj, gateway_store):
        seen.append(str(gateway_store.path))

        def worker(stop):
            raise RuntimeError("the mailbox is gone")

        return worker

    monkeypatch.setattr(mail_gateway, "RUN_WORKERS", [])
    mail_gateway.register_run_worker(failing_fetcher)
    mail_gateway.register_run_worker(failing_fetcher)  # registering twice runs it once
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        result = cli("mail", "run")  # a worker that fails stops the gateway (systemd restarts it)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    assert result.exit_code == 1, result.output
    assert seen == [str(store_path)] and "0 sent" in result.output
    assert "a worker failed: failing_fetcher: RuntimeError: the mailbox is gone" in result.output
