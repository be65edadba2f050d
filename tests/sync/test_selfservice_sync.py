"""The help center's figures reach synced consoles (#22): the "Did this solve your problem?" answers and the contact
forms travel through the change feed, so a supervisor's console computes the same self-service figures for its own
monitor as the server's ``report selfservice`` (SQLite and PostgreSQL) — on a console that was syncing while
customers used the help center and on one whose first sync comes afterwards. An agent of other queues gets no contact
of a case it cannot see, and a contact leaves an agent's console with its case."""

from __future__ import annotations

import re
from datetime import timezone

import httpx
import pytest

from agent_console.domain.clock import SystemClock
from agent_console.domain.monitor import compute_snapshot
from tests.server.help_site import seed_articles


def publish_articles(db_url: str) -> None:
    """The help site's articles and one whose contacts go to Billing, written into the server's database and
    published to the feed (``kb import`` on the server's store would do the same)."""
    from agent_console.server.db import open_server_store
    from agent_console.server.feed import publish_missing
    from agent_console.store.models import KBArticle

    seed_articles(db_url)
    store = open_server_store(db_url)
    try:
        with store.transaction() as session:
            session.add(KBArticle(slug="rechnung", title="Rechnung erklärt", language="de", public=True,
                                  queue="Billing", body="So lesen Sie Ihre Rechnung."))
        publish_missing(store)
    finally:
        store.dispose()


class Visitor:
    """A customer's browser on the help center: one visit (its cookie), articles read, answers, a contact form."""

    def __init__(self, base_url: str) -> None:
        self.browser = httpx.Client(base_url=base_url, headers={"Accept-Language": "de"}, timeout=30)

    def answer(self, slug: str, solved: bool) -> None:
        page = self.browser.get(f"/help/articles/{slug}")
        visit = re.search(r'name="visit" value="([^"]+)"', page.text).group(1)
        answered = self.browser.post(f"/help/articles/{slug}/answer",
                                     data={"visit": visit, "solved": "yes" if solved else "no"})
        assert answered.status_code == 200, answered.text

    def write_to_us(self, email: str) -> str:
        """Sends the contact form; returns the case key."""
        form = self.browser.get("/help/contact")
        visit = re.search(r'name="visit" value="([^"]+)"', form.text).group(1)
        sent = self.browser.post("/help/contact", data={"visit": visit, "name": "Carla Kundin", "email": email,
                                                         "subject": "Rücksendung", "message": "Etikett fehlt.",
                                                         "website": ""})
        assert sent.status_code == 200, sent.text
        return re.search(r"AC-\d+", sent.text.split('<main id="main">', 1)[1]).group(0)

    def close(self) -> None:
        self.browser.close()


def server_report(floor) -> dict:
    with httpx.Client(base_url=floor.server.base_url, timeout=30,
                      headers={"Authorization": f"Bearer {floor.server.token('sue')}"}) as client:
        answer = client.get("/api/v1/reports/selfservice", params={"since": today(), "until": today()})
    assert answer.status_code == 200, answer.text
    return answer.json()


def today() -> str:
    return SystemClock().now().astimezone(timezone.utc).date().isoformat()


def console_figures(console) -> dict:
    snapshot = compute_snapshot(console.store, SystemClock(), tz=timezone.utc)
    return {"resolutions": snapshot.self_service_resolutions, "solved_visits": snapshot.solved_visits,
            "contact_forms": snapshot.contact_forms, "deflection": snapshot.deflection}


def report_figures(report: dict) -> dict:
    return {name: report[name] for name in ("resolutions", "solved_visits", "contact_forms", "deflection")}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_synced_supervisors_monitor_shows_the_servers_self_service_figures(backend, request):
    floor = request.getfixturevalue("floor" if backend == "sqlite" else "pg_floor")
    publish_articles(floor.db_url)
    sue = floor.console("sue")
    anna = floor.console("anna")  # an agent of Billing only
    sue.sync()
    anna.sync()
    assert console_figures(sue) == {"resolutions": 0, "solved_visits": 0, "contact_forms": 0, "deflection": None}

    visitors = [Visitor(floor.server.base_url) for _ in range(3)]
    try:
        visitors[0].answer("ruecksendung", solved=True)
        visitors[1].answer("returns", solved=True)
        visitors[1].answer("ruecksendung", solved=True)  # one visit, two answers: one solved visit
        visitors[2].answer("ruecksendung", solved=False)
        visitors[2].write_to_us("carla@example.com")
    finally:
        for visitor in visitors:
            visitor.close()

    sue.sync()
    expected = report_figures(server_report(floor))
    assert expected == {"resolutions": 3, "solved_visits": 2, "contact_forms": 1, "deflection": 2 / 3}
    assert console_figures(sue) == expected
    # A supervisor's console that syncs for the first time now gets them in its first pull.
    late = floor.console("root")
    late.sync()
    assert console_figures(late) == expected

    # Anna sees the answers (they belong to no queue) but not the contact of a case outside her queue.
    anna.sync()
    assert console_figures(anna)["resolutions"] == 3 and console_figures(anna)["contact_forms"] == 0


def test_a_contact_leaves_an_agents_console_with_its_case(floor):
    import uuid

    publish_articles(floor.db_url)
    anna = floor.console("anna")
    visitor = Visitor(floor.server.base_url)
    try:
        visitor.answer("rechnung", solved=False)
        key = visitor.write_to_us("dora@example.com")
    finally:
        visitor.close()
    anna.sync()
    assert console_figures(anna)["contact_forms"] == 1  # a Billing case: hers

    with floor.server.client("sue") as client:
        case = client.get(f"/api/v1/cases/{key}").json()["case"]
    assert case["queue"] == "Billing"
    moved = floor.server.ops("sue", {"op_id": str(uuid.uuid4()), "kind": "case.update",
                                     "payload": {"case_uid": case["uid"], "base_version": case["version"],
                                                 "changes": {"queue": "General"}}}).json()["results"][0]
    assert moved["status"] == "applied", moved
    report = anna.sync()
    assert case["uid"] in report.pulled.dropped_case_uids
    assert console_figures(anna)["contact_forms"] == 0


def test_an_answered_article_deleted_on_one_console_keeps_its_answers_everywhere(floor, cli):
    publish_articles(floor.db_url)
    sue = floor.console("sue")
    visitor = Visitor(floor.server.base_url)
    try:
        visitor.answer("returns", solved=True)
    finally:
        visitor.close()
    sue.sync()
    before = report_figures(server_report(floor))
    assert before["resolutions"] == 1 and console_figures(sue) == before

    deleted = cli("kb", "delete", "returns", db=sue.path)
    assert deleted.exit_code == 0, deleted.output
    sue.sync()
    assert sue.pending() == 0
    with floor.server.client("sue") as client:
        assert client.get("/help/articles/returns").status_code == 404
    assert report_figures(server_report(floor)) == before
    assert console_figures(sue) == before
    late = floor.console("root")  # a first sync after the delete
    late.sync()
    assert console_figures(late) == before
