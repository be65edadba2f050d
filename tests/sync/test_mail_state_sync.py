"""How a mailed reply stands travels in the change feed (#19): the team server queues and sends the mail, and a synced
console shows queued / sent / failed with the SMTP reply as a standalone one does — only to agents of the case's queue.
A console that worked alone and then logs in sends none of its mail again: what it mailed itself the server does not
queue a second time, and what it only queued the server sends, once."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from agent_console.cli.app import build_app
from agent_console.server.db import open_server_store
from agent_console.store import mail_outbox
from agent_console.store.models import Case, MailOutbox, Message
from tests.server.conftest import new_case_op, start_server
from tests.smtp_sink import SmtpSink, start_sink
from tests.sync.conftest import ACCOUNTS, Floor

MAIL_FROM = "Support <support@example.com>"


class MailingFloor(Floor):
    """A floor whose server queues the mail of replies on e-mail cases (``AGENT_CONSOLE_MAIL_FROM``)."""

    def start(self, port: int | None = None):
        server = start_server(self.backend, self.db_url, self.tmp_path, port=port,
                              env_extra={"AGENT_CONSOLE_MAIL_FROM": MAIL_FROM})
        server.tokens.update(self.tokens)
        return server


@pytest.fixture
def mailing_floor(tmp_path, templates):
    floor = MailingFloor(tmp_path, templates)
    yield floor
    floor.close()


@pytest.fixture
def smtp(monkeypatch):
    sink = SmtpSink()
    controller, port = start_sink(sink)
    monkeypatch.setenv("AGENT_CONSOLE_MAIL_FROM", MAIL_FROM)
    monkeypatch.setenv("AGENT_CONSOLE_SMTP_URL", f"smtp://127.0.0.1:{port}")
    yield sink
    controller.stop()


def run_cli(*args: str):
    return CliRunner().invoke(build_app(), list(args), catch_exceptions=False)


def mail_rows(store) -> dict[str, MailOutbox]:
    """message uid -> its mail row in this store."""
    with store.session() as session:
        rows = session.execute(select(Message.uid, MailOutbox).join(MailOutbox, MailOutbox.message_id == Message.id))
        return {uid: row for uid, row in rows}


def test_a_synced_console_shows_how_the_servers_mail_of_its_reply_stands(mailing_floor, smtp):
    created = new_case_op("General", subject="Invoice twice")
    assert mailing_floor.server.ops("sue", created).json()["results"][0]["status"] == "applied"
    case_uid = created["payload"]["case"]["uid"]
    ben, anna = mailing_floor.console("ben"), mailing_floor.console("anna")  # anna works the Billing queue only
    ben.sync()
    reply = ben.cases().reply(ben.case(case_uid).key, "We refunded it.")
    assert mail_rows(ben.store) == {}  # a synced console queues no mail of its own
    ben.sync()
    [row] = mail_rows(ben.store).values()
    assert row.state == "queued"

    smtp.replies.append("550 5.1.1 <customer>: [red]no such user[/red]")
    result = run_cli("mail", "send", "--db", mailing_floor.server.db_url)
    assert result.exit_code == 0 and "1 failed" in result.output, result.output
    report = ben.sync()
    assert case_uid in report.pulled.case_uids  # the open thread refreshes
    rows = mail_rows(ben.store)
    assert rows[reply.uid].state == "failed"
    assert rows[reply.uid].last_error == "550 5.1.1 <customer>: [red]no such user[/red]"
    with ben.store.session() as session:  # what the failure notification of the console reads
        [(_id, key, error)] = mail_outbox.failed_mails(session)
    assert key == ben.case(case_uid).key and error.startswith("550 5.1.1")

    shown = run_cli("--db", str(ben.path), "case", "show", key)
    assert shown.exit_code == 0, shown.output
    assert "mail failed: 550 5.1.1 <customer>: [red]no such user[/red]" in shown.output
    as_json = json.loads(run_cli("--db", str(ben.path), "case", "show", key, "--json").output)
    [mailed] = [m for m in as_json["messages"] if m.get("mail")]
    assert mailed["body"] == "We refunded it." and mailed["mail"]["state"] == "failed" and mailed["mail"]["last_error"].startswith("550 5.1.1")

    anna.sync()
    assert mail_rows(anna.store) == {}  # the case's queue is not hers: neither is its mail

    refused = run_cli("--db", str(ben.path), "mail", "send")
    assert refused.exit_code != 0 and "syncs with a team server" in refused.output
    assert smtp.attempts == 1


def test_a_console_that_worked_alone_mails_nothing_twice_once_it_logs_in(mailing_floor, smtp, tmp_path):
    from agent_console.domain.agents import upsert_agent
    from agent_console.domain.cases import CaseService
    from agent_console.domain.clock import SystemClock
    from agent_console.store.db import open_store
    from agent_console.sync import credentials
    from agent_console.sync.client import SyncClient
    from agent_console.sync.engine import SyncEngine

    path = tmp_path / "alone.db"
    shutil.copy(mailing_floor.templates.console_db, path)
    store = open_store(path)
    name, role, tier, queues = ACCOUNTS["ben"]
    ben, _created = upsert_agent(store, SystemClock(), login="ben", name=name, role=role, tier=tier, queues=queues)
    alone = CaseService(store, SystemClock(), ben, mail_from=MAIL_FROM)
    case = alone.create_case(customer="karl@example.de", channel="email", queue="General", subject="Rechnung",
                             body="Zweimal belastet", customer_name="Karl Kunde")
    mailed = alone.reply(case.key, "Wir haben storniert.")
    assert run_cli("--db", str(path), "mail", "send").exit_code == 0
    only_queued = alone.reply(case.key, "Die Gutschrift ist unterwegs.")
    assert {uid: row.state for uid, row in mail_rows(store).items()} == {mailed.uid: "sent",
                                                                        only_queued.uid: "queued"}
    assert len(smtp.messages()) == 1

    token = mailing_floor.server.token("ben")
    credentials.save(path, credentials.Credentials(server=mailing_floor.server.base_url, login="ben", token=token,
                                                   name=name, role=role, tier=tier, queues=[]))
    refused = run_cli("--db", str(path), "mail", "send")
    assert refused.exit_code != 0 and "syncs with a team server" in refused.output
    engine = SyncEngine(store, SyncClient(mailing_floor.server.base_url, token), SystemClock(), login="ben")
    try:
        report = engine.sync_once()
        assert report.applied == 3  # the case and both replies
        server = open_server_store(mailing_floor.server.db_url)
        try:
            server_rows = mail_rows(server)
        finally:
            server.dispose()
        assert list(server_rows) == [only_queued.uid]
        local = mail_rows(store)
        assert server_rows[only_queued.uid].mail_message_id == local[only_queued.uid].mail_message_id
        assert {uid: row.state for uid, row in local.items()} == {mailed.uid: "sent", only_queued.uid: "queued"}

        assert run_cli("mail", "send", "--db", mailing_floor.server.db_url).exit_code == 0
        engine.sync_once()
    finally:
        engine.client.close()
    sent = smtp.messages()
    assert sorted(mail["Message-ID"] for mail in sent) == sorted(
        {local[mailed.uid].mail_message_id, local[only_queued.uid].mail_message_id})
    assert {uid: row.state for uid, row in mail_rows(store).items()} == {mailed.uid: "sent", only_queued.uid: "sent"}
    with store.session() as session:
        assert session.scalars(select(Case.key).where(Case.uid == case.uid)).one().startswith("AC-")
    store.dispose()
