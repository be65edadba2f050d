"""The team server takes mail in (``POST /api/v1/mail/inbound``) with the same intake code as a local store:
``mail ingest --server URL --token T`` against a real server process on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import prepare_database, start_server

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def mail_server(request, databases, tmp_path_factory):
    url = databases.new(request.param)
    tokens = prepare_database(url)
    home = tmp_path_factory.mktemp("mail-server-home")
    server = start_server(request.param, url, tmp_path_factory.mktemp("server-logs"),
                          env_extra={"AGENT_CONSOLE_MAIL_FROM": "Support <support@shop.example>",
                                     "AGENT_CONSOLE_CONFIG": str(home / "config.toml")})
    server.tokens.update(tokens)
    yield server
    server.stop()


def ingest(server, mail: bytes, login: str = "root") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent_console", "mail", "ingest", "--server", server.base_url,
                           "--token", server.token(login), "--json"],
                          input=mail, capture_output=True, cwd=ROOT, env=dict(os.environ), timeout=120)


def test_a_mail_through_the_server_becomes_a_case_there_once(mail_server):
    raw = (CORPUS / "german_qp_umlauts.eml").read_bytes()
    done = ingest(mail_server, raw)
    assert done.returncode == 0, done.stderr
    assert b'"outcome": "new_case"' in done.stdout and b'"acknowledged": true' in done.stdout
    again = ingest(mail_server, raw)
    assert again.returncode == 0 and b'"duplicate": true' in again.stdout
    with mail_server.client("root") as client:
        cases = client.get("/api/v1/cases", params={"channel": "email", "limit": 500}).json()["cases"]
        mine = [c for c in cases if c["subject"] == "Kündigung meines Abos"]
        assert len(mine) == 1
        detail = client.get(f"/api/v1/cases/{mine[0]['key']}").json()
    bodies = [m["body"] for m in detail["messages"]]
    assert "hiermit kündige ich mein Abonnement" in bodies[0] and mine[0]["key"] in bodies[1]
    reply = (CORPUS / "reply_key_in_subject.eml").read_bytes().replace(b"AC-000001", mine[0]["key"].encode())
    answered = ingest(mail_server, reply)
    assert answered.returncode == 0 and b'"outcome": "reply"' in answered.stdout


def test_a_mail_the_server_refuses_exits_65_with_its_reason(mail_server):
    done = ingest(mail_server, b"From: support@shop.example\r\nSubject: loop\r\n\r\nx")
    assert done.returncode == 65 and b"our own address" in done.stderr and b"Traceback" not in done.stderr


def test_a_token_whose_account_may_not_use_the_mail_queue_exits_75(mail_server):
    done = ingest(mail_server, (CORPUS / "gmail_multipart.eml").read_bytes(), login="anna")
    assert done.returncode == 75 and b"General" in done.stderr


def test_the_route_needs_a_token_and_valid_base64(mail_server):
    assert httpx.post(f"{mail_server.base_url}/api/v1/mail/inbound", json={"raw_base64": ""}).status_code == 401
    with mail_server.client("root") as client:
        bad = client.post("/api/v1/mail/inbound", json={"raw_base64": "***"})
    assert bad.status_code == 422 and "base64" in bad.json()["detail"]


def test_the_same_mail_handed_over_concurrently_is_stored_once(mail_server):
    import base64
    import threading

    raw = (CORPUS / "attachment.eml").read_bytes().replace(b"<att-1@", b"<concurrent-1@")
    body = {"raw_base64": base64.b64encode(raw).decode()}
    answers, start = [], threading.Barrier(6)

    def hand_over():
        with mail_server.client("root") as client:
            start.wait()
            answers.append(client.post("/api/v1/mail/inbound", json=body))

    threads = [threading.Thread(target=hand_over) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
    assert sorted(a.json()["duplicate"] for a in answers) == [False] + [True] * 5
    assert len({a.json()["case_key"] for a in answers}) == 1
