"""A web case from the help center's contact form is acknowledged by mail like a mailed-in case: queued through the
mail outbox of a real server process with ``mail_from`` set, sent by ``mail send`` to a real SMTP server (the mail
tests' aiosmtpd sink), in the language of the customer's visit, with the case key and when the first answer is due.
Forms the server refuses (honeypot, rate limit, forged) queue nothing, a server without ``mail_from`` sends nothing,
and the agents' replies to a web case go out by mail, threaded under the acknowledgement, whose answer by mail lands
on the case."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid

import httpx
import pytest
from typer.testing import CliRunner

from agent_console.cli.app import build_app
from tests.server.help_site import start_contact_site
from tests.smtp_sink import SmtpSink, sink_running

MAIL_FROM = "Support <support@example.com>"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    server = start_contact_site(tmp_path_factory.mktemp("mailing-contact-site"), help_contact_limit_per_hour=1,
                                help_contact_client_limit_per_hour=1000, mail_from=MAIL_FROM)
    yield server
    server.stop()


@pytest.fixture
def sink():
    with sink_running(SmtpSink()) as running:
        yield running


def form_visit(page: httpx.Response) -> str:
    return re.search(r'name="visit" value="([^"]+)"', page.text).group(1)


def fields(visit: str, email: str, **changes: str) -> dict[str, str]:
    return {"visit": visit, "name": "Carla Kundin", "email": email, "subject": "Paket kam beschädigt an",
            "message": "Der Karton war nass.", "website": "", **changes}


def send_form(site, language: str, email: str, *, read: tuple[str, ...] = (), **changes: str) -> httpx.Response:
    with httpx.Client(base_url=site.base_url, headers={"Accept-Language": language}, timeout=30) as browser:
        for slug in read:
            assert browser.get(f"/help/articles/{slug}").status_code == 200
        form = browser.get("/help/contact")
        return browser.post("/help/contact", data=fields(form_visit(form), email, **changes))


def sent_key(page: httpx.Response) -> str:
    assert page.status_code == 200, page.text
    return re.search(r"AC-\d+", page.text.split('<main id="main">', 1)[1]).group(0)


def mail_send(site, sink, monkeypatch) -> str:
    monkeypatch.setenv("AGENT_CONSOLE_MAIL_FROM", MAIL_FROM)
    monkeypatch.setenv("AGENT_CONSOLE_SMTP_URL", f"smtp://127.0.0.1:{sink.port}")
    sent = CliRunner().invoke(build_app(), ["mail", "send", "--db", site.db_url], catch_exceptions=False)
    assert sent.exit_code == 0, sent.output
    return sent.output


def outbox_recipients(db_url: str) -> list[str]:
    from sqlalchemy import select

    from agent_console.server.db import open_server_store
    from agent_console.store.models import MailOutbox

    store = open_server_store(db_url)
    try:
        with store.session() as session:
            return list(session.scalars(select(MailOutbox.recipient).order_by(MailOutbox.id)))
    finally:
        store.dispose()


def plain(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def test_the_contact_forms_case_is_acknowledged_by_mail_in_the_visits_language(site, sink, monkeypatch):
    german = sent_key(send_form(site, "de", "carla@example.com", read=("ruecksendung",)))
    english = sent_key(send_form(site, "en", "dave@example.com", subject="Parcel arrived damaged"))
    assert outbox_recipients(site.db_url)[-2:] == ["carla@example.com", "dave@example.com"]

    assert "2 sent" in mail_send(site, sink, monkeypatch)
    by_recipient = {mail["To"].addresses[0].addr_spec: mail for mail in sink.messages()}
    assert set(by_recipient) == {"carla@example.com", "dave@example.com"}

    carla = by_recipient["carla@example.com"]
    assert carla["Subject"] == f"Ihre Anfrage ist bei uns eingegangen: Paket kam beschädigt an [{german}]"
    assert carla["From"].addresses[0].addr_spec == "support@example.com"
    text = plain(carla)
    assert "Guten Tag Carla Kundin," in text and f"unter der Vorgangsnummer {german} aufgenommen" in text
    # The expected response: when the first answer is due by the web channel's policy, in German.
    assert re.search(r"Sie erhalten unsere Antwort spätestens am .+, \d\d:\d\d Uhr \(UTC\)", text), text

    dave = by_recipient["dave@example.com"]
    assert dave["Subject"] == f"We have received your request: Parcel arrived damaged [{english}]"
    assert f"registered your request as case {english}" in plain(dave)
    assert re.search(r"You will receive our answer by .+, \d\d:\d\d \(UTC\)", plain(dave)), plain(dave)

    # The acknowledgement is on the case's thread for the agent, as a mailed-in case's is.
    with site.client("sue") as client:
        thread = client.get(f"/api/v1/cases/{german}").json()["messages"]
    assert sorted((m["direction"], m["author_name"]) for m in thread) == [("in", "Carla Kundin"),
                                                                          ("out", "Automatic acknowledgement")]


def test_forms_the_server_refuses_queue_no_acknowledgement(site):
    before = outbox_recipients(site.db_url)
    assert send_form(site, "de", "bot@example.com", website="http://spam.example").status_code == 400
    assert send_form(site, "de", "not-an-address").status_code == 422
    cross = httpx.post(site.base_url + "/help/contact", data=fields("B" * 22, "eve@example.com"))
    assert cross.status_code == 403
    sent_key(send_form(site, "de", "erik@example.com"))
    assert send_form(site, "de", "erik@example.com", subject="Noch einmal").status_code == 429  # one an hour
    assert outbox_recipients(site.db_url) == [*before, "erik@example.com"]


def test_an_agents_reply_to_a_web_case_goes_out_by_mail_under_the_acknowledgement(site, sink, monkeypatch):
    key = sent_key(send_form(site, "de", "frida@example.com", subject="Falsche Größe"))
    mail_send(site, sink, monkeypatch)
    [ack] = [mail for mail in sink.messages() if mail["To"].addresses[0].addr_spec == "frida@example.com"]
    with site.client("sue") as client:
        case_uid = client.get(f"/api/v1/cases/{key}").json()["case"]["uid"]
    reply = {"op_id": str(uuid.uuid4()), "kind": "message.add",
             "payload": {"message": {"uid": str(uuid.uuid4()), "case_uid": case_uid, "direction": "out",
                                     "body": "Wir tauschen den Artikel gern um.", "is_internal": False}}}
    result = site.ops("sue", reply).json()["results"][0]
    assert result["status"] == "applied", result

    assert "1 sent" in mail_send(site, sink, monkeypatch)
    [answer] = [mail for mail in sink.messages()
                if mail["To"].addresses[0].addr_spec == "frida@example.com" and mail is not ack]
    assert answer["Subject"] == f"Re: Falsche Größe [{key}]"
    assert answer["References"] == ack["Message-ID"]
    assert "Wir tauschen den Artikel gern um." in plain(answer)

    # The customer answers the acknowledgement (no case key in the subject): threaded to the web case by its mail.
    raw = (f"From: Frida <frida@example.com>\r\nTo: support@example.com\r\nSubject: Re: Ihre Anfrage\r\n"
           f"Message-ID: <frida.2@mail.example>\r\nIn-Reply-To: {ack['Message-ID']}\r\n"
           f"Date: Thu, 03 Dec 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           f"Danke, das passt.\r\n").encode()
    ingested = subprocess.run([sys.executable, "-m", "agent_console", "mail", "ingest", "--server", site.base_url,
                               "--token", site.token("root"), "--json"], input=raw, capture_output=True, timeout=120)
    assert ingested.returncode == 0, ingested.stderr
    assert json.loads(ingested.stdout)["outcome"] == "reply" and json.loads(ingested.stdout)["case_key"] == key


def test_a_server_without_mail_from_sends_no_acknowledgement(tmp_path):
    server = start_contact_site(tmp_path, help_contact_client_limit_per_hour=1000)
    try:
        sent_key(send_form(server, "de", "gina@example.com"))
        assert outbox_recipients(server.db_url) == []
    finally:
        server.stop()
