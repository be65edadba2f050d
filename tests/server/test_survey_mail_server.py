"""Done when (issue #22, point 3): a case resolved on a synced console — the reply with ``{survey_link}`` and the
resolve pushed as ops — is mailed by ``mail send`` beside the server with a survey link; the customer's answers
through that link become the case's survey in the change feed. SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from typer.testing import CliRunner

from agent_console.cli.app import build_app
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


def op(kind: str, **payload) -> dict:
    return {"op_id": str(uuid.uuid4()), "kind": kind, "payload": payload}


def test_a_reply_and_resolve_from_a_console_mails_a_survey_link_that_records_the_answers(mailing_server,
                                                                                        monkeypatch):
    server = mailing_server
    created = new_case_op("General", subject="Rechnung doppelt")
    created["payload"]["customer"]["language"] = "de"
    result = server.ops("sue", created).json()["results"][0]
    assert result["status"] == "applied", result
    case_uid, key = result["result"]["case_uid"], result["result"]["key"]
    reply = op("message.add", message={"uid": str(uuid.uuid4()), "case_uid": case_uid, "direction": "out",
                                       "body": "Erstattet.\n\nIhre Meinung: {survey_link}", "is_internal": False})
    replied = server.ops("sue", reply).json()["results"][0]
    assert replied["status"] == "applied", replied
    resolved = server.ops("sue", op("case.update", case_uid=case_uid, base_version=replied["result"]["version"],
                                    changes={"status": "resolved"})).json()["results"][0]
    assert resolved["status"] == "applied", resolved

    sink = SmtpSink()
    controller, port = start_sink(sink)
    try:
        monkeypatch.setenv("AGENT_CONSOLE_MAIL_FROM", MAIL_FROM)
        monkeypatch.setenv("AGENT_CONSOLE_SMTP_URL", f"smtp://127.0.0.1:{port}")
        monkeypatch.setenv("AGENT_CONSOLE_SURVEY_BASE_URL", server.base_url)
        sent = CliRunner().invoke(build_app(), ["mail", "send", "--db", server.db_url], catch_exceptions=False)
        assert sent.exit_code == 0, sent.output
    finally:
        controller.stop()
    [mail] = sink.messages()
    text = mail.get_body(("plain",)).get_content()
    link = re.search(re.escape(server.base_url) + r"/survey/[A-Za-z0-9_-]+", text).group(0)
    token = link.rsplit("/", 1)[1]

    with httpx.Client(timeout=30) as browser:
        page = browser.get(link)
        assert page.status_code == 200 and f"Ihre Meinung zum Fall {key}" in page.text
        form_value = re.search(r'name="form" value="([^"]+)"', page.text).group(1)
        done = browser.post(link, data={"form": form_value, "csat": "5", "nps": "10", "ces": "7"})
        assert done.status_code == 200 and "Vielen Dank!" in done.text

    with server.client("sue") as client:
        page = client.get("/api/v1/changes", params={"cursor": 0, "limit": 5000})
    changes = page.json()["changes"]
    surveys = [c["data"] for c in changes if c["entity"] == "survey"]
    assert [(s["case_uid"], s["csat"], s["nps"], s["ces"]) for s in surveys] == [(case_uid, 5, 10, 7)]
    assert token not in page.text
