"""The team server with ``AGENT_CONSOLE_MAIL_FROM`` queues the mail of a reply op it applies, and ``mail send --db
URL`` beside it delivers the mail from the server's database (SQLite and PostgreSQL) to a real SMTP server."""

from __future__ import annotations

import uuid

import orjson
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from agent_console.cli.app import build_app
from agent_console.server.db import open_server_store
from agent_console.store.models import ChangeLogEntry, MailOutbox
from tests.server.conftest import new_case_op, prepare_database, start_server
from tests.smtp_sink import SmtpSink, start_sink

MAIL_FROM = "Support <support@example.com>"


@pytest.fixture(params=["sqlite", "postgresql"])
def mailing_server(request, databases, tmp_path_factory):
    url = databases.new(request.param)
    tokens = prepare_database(url)
    server = start_server(request.param, url, tmp_path_factory.mktemp("server-logs"),
                          env_extra={"AGENT_CONSOLE_MAIL_FROM": MAIL_FROM})
    server.tokens.update(tokens)
    yield server
    server.stop()


def test_a_reply_applied_by_the_server_is_mailed_by_mail_send_on_its_database(mailing_server, monkeypatch):
    created = new_case_op("General", subject="Invoice twice")
    assert mailing_server.ops("sue", created).json()["results"][0]["status"] == "applied"
    case_uid = created["payload"]["case"]["uid"]
    reply = {"op_id": str(uuid.uuid4()), "kind": "message.add", "payload": {"message": {
        "uid": str(uuid.uuid4()), "case_uid": case_uid, "direction": "out", "body": "We refunded it.",
        "is_internal": False}}}
    assert mailing_server.ops("sue", reply).json()["results"][0]["status"] == "applied"

    sink = SmtpSink()
    controller, port = start_sink(sink)
    try:
        monkeypatch.setenv("AGENT_CONSOLE_MAIL_FROM", MAIL_FROM)
        monkeypatch.setenv("AGENT_CONSOLE_SMTP_URL", f"smtp://127.0.0.1:{port}")
        result = CliRunner().invoke(build_app(), ["mail", "send", "--db", mailing_server.db_url],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert result.output.strip().startswith("1 sent")
    finally:
        controller.stop()
    [mail] = sink.messages()
    assert mail["Message-ID"] == f"<ac.{reply['payload']['message']['uid']}@example.com>"
    assert mail["To"].addresses[0].addr_spec == created["payload"]["customer"]["email"]
    assert "We refunded it." in mail.get_body(("plain",)).get_content()
    store = open_server_store(mailing_server.db_url)
    try:
        with store.engine.connect() as conn:
            assert conn.execute(select(MailOutbox.state)).scalars().all() == ["sent"]
            # Every state the gateway wrote is in the change feed, the way synced consoles learn of it.
            feed = conn.execute(select(ChangeLogEntry.data).where(ChangeLogEntry.entity == "mail_delivery")
                                .order_by(ChangeLogEntry.seq)).scalars().all()
    finally:
        store.dispose()
    states = [orjson.loads(data)["state"] for data in feed]
    assert states == ["queued", "sending", "sent"]
    assert orjson.loads(feed[-1])["message_uid"] == reply["payload"]["message"]["uid"]
