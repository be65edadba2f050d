"""The help center's contact form against a real server process: the web case it makes (queue of the articles read,
the articles on the case, in the feed), the honeypot, the double-submit check, size limits, field messages, the rate
limits, and hostile input shown literally on the page and to the agent."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from urllib.parse import urlencode

import httpx
import pytest

from tests.server.help_site import start_contact_site

HOSTILE_NAME = '<script>alert("n")</script> [bold]Mallory[/bold]'
HOSTILE_SUBJECT = '<img src=x onerror=alert(1)> \x1b[31mred\x1b[0m [link=https://evil.example]click[/link]'


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    server = start_contact_site(tmp_path_factory.mktemp("contact-site"), help_contact_limit_per_hour=2,
                                help_contact_client_limit_per_hour=1000)
    yield server
    server.stop()


def browser(site, language: str = "en") -> httpx.Client:
    return httpx.Client(base_url=site.base_url, headers={"Accept-Language": language}, timeout=30)


def form_visit(page: httpx.Response) -> str:
    return re.search(r'name="visit" value="([^"]+)"', page.text).group(1)


def fields(visit: str, email: str, **changes: str) -> dict[str, str]:
    return {"visit": visit, "name": "Carla Kundin", "email": email, "subject": "Paket kam beschädigt an",
            "message": "Der Karton war nass.\nWas nun?", "website": "", **changes}


def case_of(site, key: str) -> dict:
    answer = httpx.get(f"{site.base_url}/api/v1/cases/{key}", headers={"Authorization": f"Bearer {site.token('sue')}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def web_cases(site) -> list[str]:
    answer = httpx.get(f"{site.base_url}/api/v1/changes", params={"cursor": 0, "limit": 5000},
                       headers={"Authorization": f"Bearer {site.token('sue')}"})
    return [change["data"]["key"] for change in answer.json()["changes"]
            if change["entity"] == "case" and change["data"]["channel"] == "web"]


def sent_key(page: httpx.Response) -> str:
    assert page.status_code == 200, page.text
    return re.search(r"AC-\d+", page.text.split('<main id="main">', 1)[1]).group(0)


def test_the_form_makes_a_web_case_in_the_queue_of_the_articles_read_with_them_attached(site):
    with browser(site, "de") as client:
        for slug in ("ruecksendung", "hostile", "returns"):
            assert client.get(f"/help/articles/{slug}").status_code == 200
        form = client.get("/help/contact")
        assert form.status_code == 200 and "Rücksendung eines Artikels" in form.text
        sent = client.post("/help/contact", data=fields(form_visit(form), "carla@example.com"))
    key = sent_key(sent)
    assert "Voraussichtliche Antwortzeit: 8 Std." in sent.text
    detail = case_of(site, key)
    assert detail["case"]["channel"] == "web" and detail["case"]["queue"] == "Returns"
    assert detail["case"]["language"] == "de"
    read = json.loads(detail["case"]["help_articles"])
    assert [entry["slug"] for entry in read] == ["ruecksendung", "hostile", "returns"]
    assert detail["customer"]["email"] == "carla@example.com" and detail["customer"]["name"] == "Carla Kundin"
    assert detail["messages"][0]["body"] == "Der Karton war nass.\nWas nun?"
    # Through the server's write path: the change feed carries it to every console.
    assert key in web_cases(site)


def test_without_articles_read_the_case_goes_to_the_default_queue_for_a_known_customer(site):
    with browser(site) as client:
        form = client.get("/help/contact")
        first = sent_key(client.post("/help/contact", data=fields(form_visit(form), "dora@example.com")))
        second = sent_key(client.post("/help/contact", data=fields(form_visit(form), "DORA@example.com",
                                                                    subject="Again")))
    assert case_of(site, first)["case"]["queue"] == "General"
    assert case_of(site, first)["case"]["help_articles"] is None
    assert case_of(site, first)["customer"]["uid"] == case_of(site, second)["customer"]["uid"]


def test_the_honeypot_refuses_the_form_and_makes_no_case(site):
    before = web_cases(site)
    with browser(site) as client:
        form = client.get("/help/contact")
        assert 'name="website"' in form.text
        refused = client.post("/help/contact", data=fields(form_visit(form), "bot@example.com",
                                                           website="http://spam.example"))
    assert refused.status_code == 400 and "AC-" not in refused.text
    assert web_cases(site) == before


def test_a_post_without_the_visits_cookie_or_with_another_visit_is_refused(site):
    before = web_cases(site)
    with browser(site) as client:
        form = client.get("/help/contact")
        forged = client.post("/help/contact", data=fields("B" * 22, "eve@example.com"))
        assert forged.status_code == 403
    # Another site's page posting in the visitor's name: no cookie comes along (SameSite), and no id it could know.
    cross = httpx.post(site.base_url + "/help/contact", data=fields(form_visit(form), "eve@example.com"))
    assert cross.status_code == 403 and "open the contact form again" in cross.text
    assert web_cases(site) == before


def test_every_field_is_checked_and_the_message_names_the_field(site):
    with browser(site) as client:
        form = client.get("/help/contact")
        bad = client.post("/help/contact", data=fields(form_visit(form), "not-an-address", name="",
                                                       message="x" * 5001))
    assert bad.status_code == 422
    assert "Your name: please fill this in." in bad.text
    assert "Your e-mail address: this is not an e-mail address" in bad.text
    assert "Your message: at most 5000 characters, please (5001 now)." in bad.text
    assert 'id="email" name="email" value="not-an-address"' in bad.text and 'aria-invalid="true"' in bad.text
    with browser(site, "de") as client:
        form = client.get("/help/contact")
        german = client.post("/help/contact", data=fields(form_visit(form), "x@example.com", subject="  "))
    assert german.status_code == 422 and "Betreff: Bitte füllen Sie dieses Feld aus." in german.text


def test_a_post_over_the_size_limit_is_refused_with_a_clear_message(site):
    before = web_cases(site)
    with browser(site) as client:
        form = client.get("/help/contact")
        huge = client.post("/help/contact", data=fields(form_visit(form), "big@example.com", message="ü" * 30000))
        # Without a Content-Length (chunked): the server stops reading at the limit.
        body = urlencode(fields(form_visit(form), "big@example.com", message="a" * 70000)).encode()
        chunked = client.post("/help/contact", content=iter([body[:40000], body[40000:]]),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert huge.status_code == 413 and "at most 5000 characters" in huge.text
    assert chunked.status_code == 413
    assert web_cases(site) == before


def test_more_forms_from_one_address_than_the_limit_are_refused(site):
    with browser(site) as client:
        form = client.get("/help/contact")
        for number in range(2):
            sent_key(client.post("/help/contact", data=fields(form_visit(form), "flood@example.com",
                                                              subject=f"Try {number}")))
        refused = client.post("/help/contact", data=fields(form_visit(form), "Flood@Example.com"))
        other = client.post("/help/contact", data=fields(form_visit(form), "calm@example.com"))
    assert refused.status_code == 429 and "2 messages within the last hour" in refused.text
    sent_key(other)


def test_more_forms_from_one_client_than_its_limit_are_refused(tmp_path):
    server = start_contact_site(tmp_path, help_contact_client_limit_per_hour=2)
    try:
        with browser(server) as client:
            form = client.get("/help/contact")
            for number in range(2):
                sent_key(client.post("/help/contact", data=fields(form_visit(form), f"p{number}@example.com")))
            refused = client.post("/help/contact", data=fields(form_visit(form), "p9@example.com"))
        assert refused.status_code == 429 and "from your network" in refused.text
    finally:
        server.stop()


def test_hostile_input_is_shown_literally_on_the_page_and_to_the_agent(site):
    with browser(site) as client:
        form = client.get("/help/contact")
        bad = client.post("/help/contact", data=fields(form_visit(form), "<b>@x", name=HOSTILE_NAME,
                                                       subject=HOSTILE_SUBJECT))
        assert bad.status_code == 422
        main = bad.text.split('<main id="main">', 1)[1]
        assert "<script>" not in main and "<img" not in main and "\x1b" not in main
        assert "&lt;script&gt;alert(&quot;n&quot;)&lt;/script&gt;" in main
        sent = client.post("/help/contact", data=fields(form_visit(form), "mallory@example.com",
                                                        name=HOSTILE_NAME, subject=HOSTILE_SUBJECT,
                                                        message='</textarea><script>alert(3)</script>'))
    key = sent_key(sent)
    shown = subprocess.run([sys.executable, "-m", "agent_console", "--db", site.db_url.removeprefix("sqlite:///"),
                            "case", "show", key], capture_output=True, text=True, timeout=120,
                           env={**{k: v for k, v in os.environ.items() if not k.startswith("AGENT_CONSOLE_")},
                                "COLUMNS": "200", "LANGUAGE": "en"})
    assert shown.returncode == 0, shown.stderr
    assert "\x1b" not in shown.stdout
    assert "[bold]Mallory[/bold]" in shown.stdout and "[link=https://evil.example]click[/link]" in shown.stdout
    assert "</textarea><script>alert(3)</script>" in shown.stdout


def test_the_self_service_figures_over_the_api(site):
    with browser(site) as client:
        assert 'href="/help/articles/returns"' in client.get("/help", params={"q": "returning"}).text
        client.get("/help", params={"q": "  Warranty   EXTENSION "})
        client.get("/help", params={"q": "warranty extension"})
        article = client.get("/help/articles/returns")
        client.post("/help/articles/returns/answer", data={"visit": form_visit(article), "solved": "yes"})
    headers = {"Authorization": f"Bearer {site.token('sue')}"}
    answer = httpx.get(site.base_url + "/api/v1/reports/selfservice", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    figures = answer.json()
    assert figures["resolutions"] >= 1 and figures["solved_visits"] >= 1 and figures["contact_forms"] >= 1
    assert figures["searches"] >= 3 and figures["searches_without_results"] >= 2
    assert figures["top_searches_without_results"][0] == {"query": "warranty extension", "searches": 2, "visits": 1}
    assert 0 < figures["deflection"] < 1
    agent = httpx.get(site.base_url + "/api/v1/reports/selfservice",
                      headers={"Authorization": f"Bearer {site.token('anna')}"}, timeout=30)
    assert agent.status_code == 403
    bad = httpx.get(site.base_url + "/api/v1/reports/selfservice", params={"tz": "Mars/Base"}, headers=headers)
    assert bad.status_code == 422
    for not_a_day in ("0", "1700000000", "2026-13-01", "01.12.2026"):  # days are YYYY-MM-DD, never seconds since 1970
        bad = httpx.get(site.base_url + "/api/v1/reports/selfservice", params={"until": not_a_day}, headers=headers)
        assert bad.status_code == 422, not_a_day


def test_a_console_logged_in_to_the_server_reports_the_teams_figures(site, tmp_path):
    from agent_console.sync import credentials

    console_db = tmp_path / "console.db"
    with browser(site) as client:
        form = client.get("/help/contact")
        sent_key(client.post("/help/contact", data=fields(form_visit(form), "console@example.com")))

    def report(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "agent_console", "--db", str(console_db), "report",
                               "selfservice", *extra], capture_output=True, text=True, timeout=120,
                              env={**{k: v for k, v in os.environ.items() if not k.startswith("AGENT_CONSOLE_")},
                                   "TZ": "UTC", "LANGUAGE": "en"})

    alone = report("--format", "json")
    assert alone.returncode == 0, alone.stderr
    assert json.loads(alone.stdout)["contact_forms"] == 0  # a console's own store has no help-center records
    credentials.save(console_db, credentials.Credentials(server=site.base_url, login="sue", token=site.token("sue"),
                                                         role="supervisor"))
    team = report("--format", "json")
    assert team.returncode == 0, team.stderr
    api = httpx.get(site.base_url + "/api/v1/reports/selfservice", params={"tz": "UTC"},
                    headers={"Authorization": f"Bearer {site.token('sue')}"}).json()
    shown = json.loads(team.stdout)
    assert shown["contact_forms"] == api["contact_forms"] > 0 and shown["resolutions"] == api["resolutions"]
    credentials.save(console_db, credentials.Credentials(server=site.base_url, login="anna",
                                                         token=site.token("anna")))
    refused = report()
    assert refused.returncode != 0 and "not allowed" in refused.stderr + refused.stdout
    assert "Traceback" not in refused.stderr
