"""A mail's attachments and its bounce travel in the change feed (#19): a console synced with the team server lists the
files of a mail the server took in (name, type, size — the content stays on the server) and shows a reply whose mail
bounced as failed, in the thread and in ``case show``, exactly as the server's own store has them — and only to
agents of the case's queue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from agent_console.store import mail_outbox
from agent_console.store.db import Store, make_engine
from agent_console.store.mail_receipts import attachments_by_message
from agent_console.store.models import Case, Message, MessageAttachment
from agent_console.sync.client import BatchInvalid, SyncClient
from tests.server.conftest import start_server
from tests.smtp_sink import SmtpSink, start_sink
from tests.sync.test_mail_state_sync import MAIL_FROM, MailingFloor, mail_rows, run_cli

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"


@pytest.fixture
def floor(tmp_path, templates):
    floor = MailingFloor(tmp_path, templates)
    yield floor
    floor.close()


class SmallFilesFloor(MailingFloor):
    """A floor whose server keeps files of at most 130 bytes (``mail_max_attachment_bytes``)."""

    settings = {"AGENT_CONSOLE_MAIL_MAX_ATTACHMENT_BYTES": "130"}

    def start(self, port: int | None = None):
        server = start_server(self.backend, self.db_url, self.tmp_path, port=port,
                              env_extra={"AGENT_CONSOLE_MAIL_FROM": MAIL_FROM, **self.settings})
        server.tokens.update(self.tokens)
        return server


class BillingMailFloor(SmallFilesFloor):
    """A floor whose server puts new e-mail cases into the Billing queue (``mail_queue``)."""

    settings = {"AGENT_CONSOLE_MAIL_QUEUE": "Billing"}


@pytest.fixture
def sink(monkeypatch):
    sink = SmtpSink()
    controller, port = start_sink(sink)
    monkeypatch.setenv("AGENT_CONSOLE_MAIL_FROM", MAIL_FROM)
    monkeypatch.setenv("AGENT_CONSOLE_SMTP_URL", f"smtp://127.0.0.1:{port}")
    yield sink
    controller.stop()


def listed_files(store) -> dict[str, list[tuple]]:
    """message uid -> the files the thread lists under it (name, type, size, omitted reason)."""
    with store.session() as session:
        uids = dict(session.execute(select(Message.id, Message.uid)).all())
        return {uids[message_id]: files
                for message_id, files in attachments_by_message(session, list(uids)).items()}


def test_a_synced_console_lists_the_attachments_of_a_mail_the_server_took_in(floor):
    with SyncClient(floor.server.base_url, floor.server.token("root")) as client:
        taken = client.ingest_mail((CORPUS / "attachment.eml").read_bytes())
    assert taken["outcome"] == "new_case"
    ben, anna = floor.console("ben"), floor.console("anna")  # anna works the Billing queue only
    report = ben.sync()

    server = Store(floor.server.db_url, make_engine(floor.server.db_url))
    try:
        on_server = listed_files(server)
        with server.session() as session:
            case_uid = session.scalars(select(Case.uid).where(Case.key == taken["case_key"])).one()
    finally:
        server.dispose()
    assert list(on_server.values()) == [[("Kassenbon März.pdf", "application/pdf", 125, None)]]
    assert listed_files(ben.store) == on_server
    assert case_uid in report.pulled.case_uids  # the open thread refreshes
    with ben.store.session() as session:
        [content] = session.scalars(select(MessageAttachment.content)).all()
    assert content is None  # the content stays on the server

    shown = run_cli("--db", str(ben.path), "case", "show", taken["case_key"])
    assert shown.exit_code == 0, shown.output
    assert "Attachment: Kassenbon März.pdf (application/pdf, 1 KB)" in shown.output
    as_json = json.loads(run_cli("--db", str(ben.path), "case", "show", taken["case_key"], "--json").output)
    assert as_json["messages"][0]["attachments"] == [
        {"name": "Kassenbon März.pdf", "type": "application/pdf", "size": 125, "omitted_reason": None}]

    anna.sync()
    with floor.server.client("anna") as http:
        feed = http.get("/api/v1/changes", params={"cursor": 0, "limit": 5000}).json()
    assert not [c for c in feed["changes"] if c["entity"] == "message_attachment"]  # not her queue's case
    assert listed_files(anna.store) == {}


def test_a_synced_console_shows_a_reply_whose_mail_bounced_as_failed(floor, sink):
    with SyncClient(floor.server.base_url, floor.server.token("root")) as client:
        taken = client.ingest_mail((CORPUS / "gmail_multipart.eml").read_bytes())
    ben = floor.console("ben")
    ben.sync()
    reply = ben.cases().reply(taken["case_key"], "Wir schicken ein neues Display.")
    ben.sync()
    sent = run_cli("mail", "send", "--db", floor.server.db_url)
    assert sent.exit_code == 0 and "2 sent" in sent.output, sent.output  # the acknowledgement and the reply
    ben.sync()
    row = mail_rows(ben.store)[reply.uid]
    assert row.state == "sent"

    dsn = (CORPUS / "dsn_bounce.eml").read_bytes().replace(b"<ac.reply-0001@shop.example>",
                                                           f"<{row.mail_message_id.strip('<>')}>".encode())
    with SyncClient(floor.server.base_url, floor.server.token("root")) as client:
        bounced = client.ingest_mail(dsn)
    assert (bounced["outcome"], bounced["case_key"]) == ("bounce", taken["case_key"])
    report = ben.sync()
    with ben.store.session() as session:
        case_uid = session.scalars(select(Case.uid).where(Case.key == taken["case_key"])).one()
    assert case_uid in report.pulled.case_uids  # the open thread refreshes
    row = mail_rows(ben.store)[reply.uid]
    assert row.state == "failed" and row.last_error.startswith("bounced: ")
    with ben.store.session() as session:
        [(_id, key, error)] = mail_outbox.failed_mails(session)  # what the console's failure notice reads
        notes = session.scalars(select(Message.body).where(Message.is_internal.is_(True))).all()
    assert key == taken["case_key"] and error == row.last_error
    assert any(note.startswith("Delivery failed: ") for note in notes)

    shown = run_cli("--db", str(ben.path), "case", "show", key)
    assert shown.exit_code == 0, shown.output
    assert "mail failed: bounced: " in shown.output
    as_json = json.loads(run_cli("--db", str(ben.path), "case", "show", key, "--json").output)
    [mailed] = [m for m in as_json["messages"] if m["body"] == "Wir schicken ein neues Display."]
    assert mailed["mail"]["state"] == "failed" and mailed["mail"]["last_error"].startswith("bounced: ")


def test_an_agent_of_the_cases_queue_fetches_a_files_content_from_the_server(tmp_path, templates):
    from email.message import EmailMessage

    floor = SmallFilesFloor(tmp_path, templates)
    try:
        raw = (CORPUS / "attachment.eml").read_bytes()
        big = EmailMessage()
        big["From"], big["To"], big["Subject"] = "tom.becker@example.com", "support@shop.example", "Scan"
        big["Message-ID"] = "<big-scan-1@example.com>"
        big.set_content("The scan.")
        big.add_attachment(b"x" * 200, maintype="image", subtype="png", filename="scan.png")
        with SyncClient(floor.server.base_url, floor.server.token("root")) as client:
            client.ingest_mail(raw)
            client.ingest_mail(big.as_bytes())
        ben = floor.console("ben")
        ben.sync()
        with ben.store.session() as session:
            files = {row.filename: row for row in session.scalars(select(MessageAttachment))}
        assert files["scan.png"].omitted_reason and files["Kassenbon März.pdf"].omitted_reason is None

        with SyncClient(floor.server.base_url, floor.server.token("ben")) as client:
            content = client.attachment_content(files["Kassenbon März.pdf"].uid)
            with pytest.raises(BatchInvalid) as not_kept:
                client.attachment_content(files["scan.png"].uid)
            with pytest.raises(BatchInvalid) as unknown:
                client.attachment_content("no-such-file")
        assert content.startswith(b"%PDF-1.4") and len(content) == 125
        assert not_kept.value.status == 410 and "scan.png" in str(not_kept.value.detail)
        assert unknown.value.status == 404
        with SyncClient(floor.server.base_url, floor.server.token("anna")) as client:  # Billing only
            with pytest.raises(BatchInvalid) as hidden:
                client.attachment_content(files["Kassenbon März.pdf"].uid)
        assert hidden.value.status == 404
        with floor.server.client("ben") as http:
            response = http.get(f"/api/v1/mail/attachments/{files['Kassenbon März.pdf'].uid}")
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["x-attachment-type"] == "application/pdf"
        assert response.headers["content-disposition"] == "attachment; filename*=UTF-8''Kassenbon%20M%C3%A4rz.pdf"
    finally:
        floor.close()


def test_a_case_that_leaves_the_agents_queues_leaves_with_its_attachments(tmp_path, templates):
    floor = BillingMailFloor(tmp_path, templates)
    try:
        with SyncClient(floor.server.base_url, floor.server.token("root")) as client:
            taken = client.ingest_mail((CORPUS / "attachment.eml").read_bytes())
        anna, sue = floor.console("anna"), floor.console("sue")  # anna works the Billing queue only
        anna.sync()
        assert [files for files in listed_files(anna.store).values()] == [
            [("Kassenbon März.pdf", "application/pdf", 125, None)]]
        sue.sync()
        with sue.store.session() as session:
            case_id = session.scalars(select(Case.id).where(Case.key == taken["case_key"])).one()
        sue.cases().set_queue(case_id, "General")
        sue.sync()
        report = anna.sync()
        assert len(report.pulled.dropped_case_uids) == 1
        assert listed_files(anna.store) == {}
    finally:
        floor.close()
