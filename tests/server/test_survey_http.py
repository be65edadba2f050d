"""The customer's survey over HTTP against a real server process: a link made by ``case survey-link`` works once,
an expired link looks like an unknown one, answers are validated and CSRF-checked, the page speaks the customer's
language (and switches), and the answers reach ``report`` and the monitor."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from tests.server.conftest import new_case_op, prepare_database, start_server

BASE_URL = "https://support.example.com"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("survey-site")
    url = f"sqlite:///{tmp / 'server.db'}"
    tokens = prepare_database(url)
    server = start_server("sqlite", url, tmp)
    server.tokens.update(tokens)
    server.db_file = tmp / "server.db"
    yield server
    server.stop()


def resolved_case(site, language: str = "de") -> str:
    """A new case of a customer speaking ``language``, resolved by an agent on a console (the resolve op)."""
    create = new_case_op()
    create["payload"]["customer"]["language"] = language
    created = site.ops("sue", create).json()["results"][0]
    assert created["status"] == "applied", created
    result = created["result"]
    resolved = site.ops("sue", {"op_id": str(uuid.uuid4()), "kind": "case.update",
                                "payload": {"case_uid": result["case_uid"], "base_version": result["version"],
                                            "changes": {"status": "resolved"}}}).json()["results"][0]
    assert resolved["status"] == "applied", resolved
    return result["key"]


def cli(site, *args: str, base_url: str = BASE_URL) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENT_CONSOLE_")}
    env.update(AGENT_CONSOLE_SURVEY_BASE_URL=base_url, AGENT_CONSOLE_CONFIG=str(site.db_file.parent / "none.toml"))
    return subprocess.run([sys.executable, "-m", "agent_console", "--db", str(site.db_file), *args],
                          capture_output=True, text=True, timeout=120, env=env)


def survey_link(site, key: str) -> str:
    done = cli(site, "--agent", "sue", "case", "survey-link", key)
    assert done.returncode == 0, done.stderr
    link = done.stdout.strip()
    assert link.startswith(BASE_URL + "/survey/")
    return link.removeprefix(BASE_URL)


def get(site, path: str, language: str = "en", cookies: dict | None = None) -> httpx.Response:
    return httpx.get(site.base_url + path, headers={"Accept-Language": language}, cookies=cookies, timeout=30)


def answer(site, path: str, answers: dict, *, form_value: str | None = None, language: str = "en") -> httpx.Response:
    """Open the survey page, then send ``answers`` with its form value and cookie (``form_value`` overrides)."""
    with httpx.Client(base_url=site.base_url, headers={"Accept-Language": language}, timeout=30) as client:
        page = client.get(path)
        assert page.status_code == 200, page.text
        found = re.search(r'name="form" value="([^"]+)"', page.text)
        return client.post(path, data={"form": form_value if form_value is not None else found.group(1),
                                       **{name: str(value) for name, value in answers.items()}})


def survey_rows(site) -> dict[str, tuple]:
    from agent_console.server.db import open_server_store
    from agent_console.store.models import Case, Survey

    store = open_server_store(site.db_url)
    try:
        with store.session() as session:
            rows = session.execute(select(Case.key, Survey.csat, Survey.nps, Survey.ces)
                                   .join(Survey, Survey.case_id == Case.id)).all()
            return {key: (csat, nps, ces) for key, csat, nps, ces in rows}
    finally:
        store.dispose()


def token_used_at(site, token: str):
    from agent_console.domain.surveys import token_hash
    from agent_console.server.db import open_server_store
    from agent_console.store.models import SurveyToken

    store = open_server_store(site.db_url)
    try:
        with store.session() as session:
            return session.scalars(select(SurveyToken.used_at)
                                   .where(SurveyToken.token_hash == token_hash(token))).one()
    finally:
        store.dispose()


def test_a_link_works_once_and_the_answers_are_the_cases_survey(site):
    key = resolved_case(site)
    path = survey_link(site, key)
    done = answer(site, path, {"csat": 5, "nps": 9, "ces": 6})
    assert done.status_code == 200 and "Vielen Dank" in done.text
    assert survey_rows(site)[key] == (5, 9, 6)
    assert token_used_at(site, path.removeprefix("/survey/")) is not None
    again = get(site, path)
    assert again.status_code == 404 and 'name="csat"' not in again.text
    with httpx.Client(base_url=site.base_url, timeout=30) as client:
        second = client.post(path, data={"csat": "1"})
    assert second.status_code == 404
    assert survey_rows(site)[key] == (5, 9, 6)


def test_the_store_keeps_only_a_hash_of_the_token_and_the_feed_never_carries_it(site):
    from agent_console.server.db import open_server_store
    from agent_console.store.models import SurveyToken

    key = resolved_case(site, "en")
    token = survey_link(site, key).removeprefix("/survey/")
    assert len(token) >= 32
    store = open_server_store(site.db_url)
    try:
        with store.session() as session:
            hashes = [row.token_hash for row in session.scalars(select(SurveyToken))]
    finally:
        store.dispose()
    assert token not in hashes and all(len(value) == 64 for value in hashes)
    with site.client("sue") as client:
        feed = client.get("/api/v1/changes", params={"cursor": 0, "limit": 1000}).text
    assert token not in feed and "survey_token" not in feed and hashes[-1] not in feed


def test_an_expired_link_looks_like_an_unknown_one(site):
    from agent_console.domain import surveys
    from agent_console.domain.clock import SystemClock
    from agent_console.server.db import open_server_store
    from agent_console.store.models import Case

    key = resolved_case(site, "en")
    store = open_server_store(site.db_url)
    try:
        with store.transaction() as session:
            case = session.scalars(select(Case).where(Case.key == key)).one()
            # Made 14 days and a minute ago: expired now.
            now = SystemClock().now()
            expired = surveys.make_token(session, case, now - surveys.VALID_FOR - timedelta(minutes=1))
            fresh = surveys.make_token(session, case, now - surveys.VALID_FOR + timedelta(minutes=5))
    finally:
        store.dispose()
    expired_page = get(site, f"/survey/{expired}")
    unknown_page = get(site, "/survey/" + "A" * 32)
    garbage_page = get(site, "/survey/not-a-token")
    assert expired_page.status_code == unknown_page.status_code == garbage_page.status_code == 404
    # The same page but for the link's own address (in the language switch's way back).
    assert (expired_page.text.replace(expired, "T") == unknown_page.text.replace("A" * 32, "T")
            == garbage_page.text.replace("not-a-token", "T"))
    assert key not in expired_page.text
    with httpx.Client(base_url=site.base_url, timeout=30) as client:
        assert client.post(f"/survey/{expired}", data={"csat": "4"}).status_code == 404
    assert get(site, f"/survey/{fresh}").status_code == 200


def test_answers_are_validated(site):
    key = resolved_case(site, "en")
    path = survey_link(site, key)
    for bad in ({"csat": 6}, {"nps": 11}, {"ces": 0}, {"csat": "x"}, {"nps": -1}, {}):
        refused = answer(site, path, bad)
        assert refused.status_code == 400, bad
        assert 'role="alert"' in refused.text
    assert key not in survey_rows(site)
    partial = answer(site, path, {"nps": 0})
    assert partial.status_code == 200
    assert survey_rows(site)[key] == (None, 0, None)


def test_a_post_without_the_pages_form_value_is_refused(site):
    key = resolved_case(site, "en")
    path = survey_link(site, key)
    forged = answer(site, path, {"csat": 1}, form_value="forged-by-another-site")
    assert forged.status_code == 400 and "could not be sent" in forged.text
    with httpx.Client(base_url=site.base_url, timeout=30) as client:  # no page, no cookie
        assert client.post(path, data={"csat": "1", "form": "x"}).status_code == 400
    assert key not in survey_rows(site)
    assert answer(site, path, {"csat": 2}).status_code == 200


def test_the_page_speaks_the_customers_language_and_switches(site):
    german = survey_link(site, resolved_case(site, "de"))
    english = survey_link(site, resolved_case(site, "en"))
    page = get(site, german, language="en")
    assert page.status_code == 200 and '<html lang="de">' in page.text
    assert "Das Unternehmen hat es mir leicht gemacht, mein Anliegen zu lösen" in page.text
    assert "<fieldset>" in page.text and "<legend" in page.text and '<label for="csat-1">' in page.text
    page = get(site, english, language="de")
    assert '<html lang="en">' in page.text and "The company made it easy for me to resolve my issue" in page.text
    chosen = get(site, german, cookies={"ac_lang": "en"})
    assert '<html lang="en">' in chosen.text
    switch = get(site, german)
    assert 'href="/help/language/en?next=%2Fsurvey%2F' in switch.text


def test_cli_refuses_an_open_case_and_agents(site):
    create = new_case_op()
    created = site.ops("sue", create).json()["results"][0]["result"]
    done = cli(site, "--agent", "sue", "case", "survey-link", created["key"])
    assert done.returncode == 1 and "not resolved" in done.stderr and "Traceback" not in done.stderr
    key = resolved_case(site, "en")
    done = cli(site, "--agent", "anna", "case", "survey-link", key)
    assert done.returncode == 1 and "supervisors and admins" in done.stderr
    done = cli(site, "--agent", "sue", "case", "survey-link", key, base_url="")
    assert done.returncode == 1 and "survey_base_url" in done.stderr


def test_answers_reach_the_reports_and_the_monitor(site):
    before = json.loads(cli(site, "report", "nps", "--format", "json").stdout)
    key = resolved_case(site, "en")
    assert answer(site, survey_link(site, key), {"csat": 4, "nps": 10, "ces": 7}).status_code == 200
    for name in ("csat", "nps", "ces"):
        done = cli(site, "report", name, "--format", "json")
        assert done.returncode == 0, done.stderr
    after = json.loads(cli(site, "report", "nps", "--format", "json").stdout)
    assert after != before
    with site.client("sue") as client:
        monitor = client.get("/api/v1/monitor").json()
    assert monitor["floor"]["surveys_today"] >= 1 and monitor["floor"]["csat"] is not None
