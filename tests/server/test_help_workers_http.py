"""``agent-console server --help-workers N``: the public help center served by processes of its own on a port of
their own, against a real server process — the same pages and writes as the server's own port, an edit seen at
once, the searches counted, and the help processes started and stopped by the server command."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.helpers import wait_until
from tests.server import pg
from tests.server.conftest import prepare_database, start_server
from tests.server.help_site import add_queues, feedback_rows, seed_articles, start_help_site
from tests.server.test_help_search_groups import searches_in


def children_of(pid: int) -> set[int]:
    """The live processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def answers(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    except httpx.TransportError:
        return False
    return True


@pytest.fixture
def help_site(tmp_path):
    port = pg.free_port()
    server = start_help_site(tmp_path, None, "sqlite", "--help-workers", "1", "--help-port", str(port),
                             env_extra={"AGENT_CONSOLE_HELP_SEARCH_SECONDS": "3600"})
    server.help_url = f"http://127.0.0.1:{port}"
    wait_until(lambda: answers(port), timeout=60)
    yield server
    server.stop()


def test_the_help_port_serves_the_help_center_and_nothing_of_the_api(help_site):
    with httpx.Client(base_url=help_site.help_url, headers={"Accept-Language": "de"}, timeout=30) as client:
        for query in ("Rücksendung", "Ruecksendung", "rucksendungen"):
            found = client.get("/help", params={"q": query})
            assert found.status_code == 200 and 'href="/help/articles/ruecksendung"' in found.text, query
            assert "internal-refunds" not in found.text
        article = client.get("/help/articles/ruecksendung")
        assert article.status_code == 200 and "<strong>Erstattung</strong>" in article.text
        assert client.get("/help/articles/internal-refunds").status_code == 404
        visit = re.search(r'name="visit" value="([^"]+)"', article.text).group(1)
        said = client.post("/help/articles/ruecksendung/answer", data={"visit": visit, "solved": "yes"})
        assert said.status_code == 200
        assert client.get("/help/contact").status_code == 200
        headers = {"Authorization": f"Bearer {help_site.token('sue')}"}
        for path in ("/api/v1/changes", "/api/v1/reports/selfservice", "/wallboard", "/docs"):
            assert client.get(path, headers=headers).status_code == 404, path
    assert (True, visit) in feedback_rows(help_site.db_url)


def test_a_contact_form_and_a_survey_sent_on_the_help_port_reach_the_server(tmp_path):
    from types import SimpleNamespace

    from tests.server.test_survey_http import answer, resolved_case, survey_link, survey_rows

    url = f"sqlite:///{tmp_path / 'server.db'}"
    tokens = prepare_database(url)
    seed_articles(url)
    add_queues(url, "Returns", "General", "Billing")
    port = pg.free_port()
    server = start_server("sqlite", url, tmp_path, "--help-workers", "1", "--help-port", str(port))
    server.tokens.update(tokens)
    server.db_file = tmp_path / "server.db"
    help_url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(port), timeout=60)
        with httpx.Client(base_url=help_url, headers={"Accept-Language": "de"}, timeout=30) as client:
            client.get("/help/articles/ruecksendung")
            form = client.get("/help/contact")
            visit = re.search(r'name="visit" value="([^"]+)"', form.text).group(1)
            sent = client.post("/help/contact", data={
                "visit": visit, "name": "Carla Kundin", "email": "carla@example.com", "subject": "Paket beschädigt",
                "message": "Der Karton war nass.", "website": ""})
        assert sent.status_code == 200, sent.text
        key = re.search(r"AC-\d+", sent.text.split('<main id="main">', 1)[1]).group(0)
        case = httpx.get(f"{server.base_url}/api/v1/cases/{key}",
                         headers={"Authorization": f"Bearer {server.token('sue')}"}).json()
        assert (case["case"]["channel"], case["case"]["queue"]) == ("web", "Returns")
        assert "ruecksendung" in case["case"]["help_articles"]
        changes = httpx.get(f"{server.base_url}/api/v1/changes", params={"cursor": 0, "limit": 5000},
                            headers={"Authorization": f"Bearer {server.token('sue')}"}).json()["changes"]
        assert any(c["entity"] == "case" and c["data"]["key"] == key for c in changes)  # in the feed, in order

        surveyed = resolved_case(server)
        done = answer(SimpleNamespace(base_url=help_url), survey_link(server, surveyed), {"csat": 4, "nps": 8, "ces": 5})
        assert done.status_code == 200
        assert survey_rows(server)[surveyed] == (4, 8, 5)
    finally:
        server.stop()


def test_an_edit_through_the_server_shows_at_once_on_the_help_port(help_site):
    article = {"uid": str(uuid.uuid4()), "slug": "gutschein", "title": "Gutscheine einlösen", "tags": "",
               "language": "de", "version": 1, "public": True, "body": "Den **Gutschein** an der Kasse einlösen."}

    def upsert(**changes):
        op = {"op_id": str(uuid.uuid4()), "kind": "kb.upsert", "payload": {"article": dict(article, **changes)}}
        assert help_site.ops("sue", op).json()["results"][0]["status"] == "applied"

    def page(path: str, **params) -> str:
        return httpx.get(help_site.help_url + path, params=params, headers={"Accept-Language": "de"}).text

    upsert()
    assert "<strong>Gutschein</strong>" in page("/help/articles/gutschein")
    assert ">Gutscheine einlösen</a>" in page("/help", q="Gutschein")
    upsert(title="Geschenkkarten", body="Die *Geschenkkarte* an der Kasse einlösen. Gutschein.", version=2)
    assert "<em>Geschenkkarte</em>" in page("/help/articles/gutschein")
    assert ">Geschenkkarten</a>" in page("/help", q="Gutschein")
    upsert(title="Geschenkkarten", version=3, public=False)
    assert 'href="/help/articles/gutschein"' not in page("/help", q="Gutschein")


def test_stopping_the_server_stops_the_help_processes_after_they_wrote_their_searches(help_site):
    port = int(help_site.help_url.rsplit(":", 1)[1])
    helpers = children_of(help_site.process.pid)
    assert helpers, "the server started no help process"
    for query in ("Rücksendung", "Garantie verlängern"):
        assert httpx.get(help_site.help_url + "/help", params={"q": query}).status_code == 200
    help_site.stop()
    wait_until(lambda: not any(_alive(pid) for pid in helpers), timeout=30)
    assert not answers(port)
    # Written by the help process as it stopped (its groups are an hour apart here).
    assert [query for query, *_ in searches_in(help_site.db_url)] == ["rücksendung", "garantie verlängern"]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_help_process_whose_server_was_killed_ends_by_itself(help_site):
    port = int(help_site.help_url.rsplit(":", 1)[1])
    helpers = children_of(help_site.process.pid)
    assert helpers
    help_site.process.send_signal(signal.SIGKILL)
    help_site.process.wait()
    wait_until(lambda: not any(_alive(pid) for pid in helpers), timeout=30)
    assert not answers(port)


def test_the_help_port_must_differ_from_the_servers_port(tmp_path):
    done = subprocess.run([sys.executable, "-m", "agent_console", "server", "--db", f"sqlite:///{tmp_path}/s.db",
                           "--port", "8800", "--help-workers", "1", "--help-port", "8800"],
                          capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if not k.startswith("AGENT_CONSOLE_")})
    assert done.returncode != 0
    assert "--help-port" in done.stderr and "Traceback" not in done.stderr


def descendants_of(pid: int) -> set[int]:
    found = set()
    for child in children_of(pid):
        found |= {child} | descendants_of(child)
    return found


def test_several_help_processes_share_the_help_port_and_all_end_with_the_server(tmp_path):
    port = pg.free_port()
    server = start_help_site(tmp_path, None, "sqlite", "--help-workers", "2", "--help-port", str(port))
    try:
        wait_until(lambda: answers(port), timeout=60)
        wait_until(lambda: len(descendants_of(server.process.pid)) >= 3, timeout=60)  # a supervisor, two workers
        helpers = descendants_of(server.process.pid)
        for _ in range(4):
            found = httpx.get(f"http://127.0.0.1:{port}/help", params={"q": "Rücksendung"},
                              headers={"Accept-Language": "de"}, timeout=30)
            assert found.status_code == 200 and 'href="/help/articles/ruecksendung"' in found.text
    finally:
        server.stop()
    wait_until(lambda: not any(_alive(pid) for pid in helpers), timeout=30)
    assert not answers(port)
