"""The help center and the wallboard over HTTP against a real server process: escaping, internal articles never
shown, languages, the yes/no record, the wallboard's log-in and token kinds."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.server.help_site import create_token, feedback_rows, start_help_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    server = start_help_site(tmp_path_factory.mktemp("help-site"))
    yield server
    server.stop()


def get(site, path: str, language: str = "en", **kwargs) -> httpx.Response:
    return httpx.get(site.base_url + path, headers={"Accept-Language": language}, timeout=30, **kwargs)


def test_the_list_shows_public_articles_only(site):
    page = get(site, "/help", "de")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Rücksendung eines Artikels" in page.text
    assert "Internal refund override" not in page.text and "internal-refunds" not in page.text


def test_search_finds_by_stem_and_umlaut_and_never_an_internal_article(site):
    for query in ("Rücksendung", "Ruecksendung", "rucksendungen", "Kulanz", "GEHEIM"):
        page = get(site, "/help", "de", params={"q": query})
        assert page.status_code == 200
        assert "internal-refunds" not in page.text and "GEHEIM" not in page.text.replace(f"{query}", "")
    found = get(site, "/help", "de", params={"q": "Rücksendungen"})
    assert 'href="/help/articles/ruecksendung"' in found.text


def test_an_internal_article_is_not_found_like_a_missing_one(site):
    internal = get(site, "/help/articles/internal-refunds")
    missing = get(site, "/help/articles/no-such-article")
    assert internal.status_code == missing.status_code == 404
    assert "GEHEIM" not in internal.text and "Internal refund" not in internal.text


def test_hostile_article_text_is_shown_literally(site):
    page = get(site, "/help/articles/hostile")
    assert page.status_code == 200
    main = page.text.split('<main id="main">', 1)[1]
    assert "<script>" not in main and "<b>title</b>" not in main and "<div onclick" not in main
    assert "javascript:" not in main.replace("[click](javascript:alert(2))", "")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in main
    assert "Hostile &lt;b&gt;title&lt;/b&gt;" in main
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_markdown_is_rendered(site):
    page = get(site, "/help/articles/ruecksendung", "de")
    assert "<ol>" in page.text and "<strong>Erstattung</strong>" in page.text


def test_the_language_follows_the_browser_and_the_visitors_choice(site):
    assert "Wie können wir helfen?" in get(site, "/help", "de").text
    assert "How can we help?" in get(site, "/help", "en").text
    with httpx.Client(base_url=site.base_url, headers={"Accept-Language": "en"}) as browser:
        switched = browser.get("/help/language/de", params={"next": "/help"}, follow_redirects=True)
        assert "Wie können wir helfen?" in switched.text
        away = browser.get("/help/language/en", params={"next": "//evil.example/"})
        assert away.headers["location"] == "/help"


def _answer(site, browser: httpx.Client, solved: str, visit: str | None = None) -> httpx.Response:
    article = browser.get("/help/articles/returns")
    form_visit = re.search(r'name="visit" value="([^"]+)"', article.text).group(1)
    return browser.post("/help/articles/returns/answer", data={"visit": visit or form_visit, "solved": solved})


def test_yes_and_no_are_recorded_with_the_visit_and_no_leads_to_the_contact_form(site):
    before = len(feedback_rows(site.db_url))
    with httpx.Client(base_url=site.base_url, headers={"Accept-Language": "en"}) as browser:
        no = _answer(site, browser, "no")
        assert no.status_code == 200 and 'href="/help/contact"' in no.text
        yes = _answer(site, browser, "yes")
        assert yes.status_code == 200 and "Glad we could help" in yes.text
        visit = browser.cookies.get("ac_help_visit")
        assert "returns" in browser.cookies.get("ac_help_read")
    rows = feedback_rows(site.db_url)[before:]
    assert rows == [(False, visit), (True, visit)]


def test_an_answer_without_the_visits_cookie_is_refused(site):
    before = len(feedback_rows(site.db_url))
    with httpx.Client(base_url=site.base_url) as browser:
        forged = _answer(site, browser, "yes", visit="A" * 22)
    assert forged.status_code == 400
    assert len(feedback_rows(site.db_url)) == before


def test_the_wallboard_asks_for_a_token_and_takes_a_wallboard_or_supervisor_token(site):
    with httpx.Client(base_url=site.base_url) as browser:
        assert 'action="/wallboard/login"' in browser.get("/wallboard").text
        refused = browser.post("/wallboard/login", data={"token": site.token("anna")})
        assert refused.status_code == 401 and "ac_wallboard" not in browser.cookies
        shown = browser.post("/wallboard/login", data={"token": site.token("sue")}, follow_redirects=True)
        assert 'data-figure="waiting"' in shown.text
    wall_token = create_token(site.db_url, "sue", "--wallboard")
    with httpx.Client(base_url=site.base_url) as browser:
        shown = browser.post("/wallboard/login", data={"token": wall_token}, follow_redirects=True)
        assert 'data-figure="waiting"' in shown.text and '<meta http-equiv="refresh"' in shown.text
        cookie = next(c for c in browser.cookies.jar if c.name == "ac_wallboard")
        assert cookie.path == "/wallboard" and cookie.has_nonstandard_attr("HttpOnly")
    api = httpx.get(site.base_url + "/api/v1/monitor", headers={"Authorization": f"Bearer {wall_token}"})
    assert api.status_code == 403


def test_the_wallboard_stream_sends_figures(site):
    cookies = {"ac_wallboard": site.token("sue")}
    with httpx.stream("GET", site.base_url + "/wallboard/events", cookies=cookies, timeout=30) as stream:
        assert stream.status_code == 200
        for line in stream.iter_lines():
            if line.startswith("data: "):
                assert 'data-figure="waiting"' in line
                break
    assert httpx.get(site.base_url + "/wallboard/events", timeout=30).status_code == 401


def test_an_article_published_from_a_console_reaches_the_help_center(site):
    import uuid

    article = {"uid": str(uuid.uuid4()), "slug": "opening-hours", "title": "Opening hours", "language": "en",
               "body": "Monday to Friday.", "tags": "", "public": False}
    op = {"op_id": str(uuid.uuid4()), "kind": "kb.upsert", "payload": {"article": article}}
    assert site.ops("sue", op).status_code == 200
    assert "Opening hours" not in get(site, "/help").text
    op = {**op, "op_id": str(uuid.uuid4()), "payload": {"article": {**article, "public": True}}}
    assert site.ops("sue", op).status_code == 200
    assert 'href="/help/articles/opening-hours"' in get(site, "/help").text


def test_on_postgresql_the_help_center_lists_searches_and_hides_internal_articles(databases, tmp_path):
    server = start_help_site(tmp_path, databases.new("postgresql"), "postgresql")
    try:
        listing = get(server, "/help", "de")
        assert "Rücksendung eines Artikels" in listing.text and "Internal refund" not in listing.text
        assert get(server, "/help/articles/internal-refunds").status_code == 404
        assert "<strong>Erstattung</strong>" in get(server, "/help/articles/ruecksendung").text
        # The same search as on SQLite: stems, umlauts either way, a typo; never an internal article.
        for query in ("Rücksendung", "Ruecksendung", "rucksendungen", "Rücksednung"):
            searched = get(server, "/help", "de", params={"q": query})
            assert searched.status_code == 200 and 'href="/help/articles/ruecksendung"' in searched.text, query
        for query in ("GEHEIM", "Kulanz"):
            searched = get(server, "/help", "de", params={"q": query})
            assert searched.status_code == 200 and "internal-refunds" not in searched.text, query
        with httpx.Client(base_url=server.base_url) as browser:
            assert _answer(server, browser, "yes").status_code == 200
        assert [solved for solved, _visit in feedback_rows(server.db_url)] == [True]
    finally:
        server.stop()


def test_revoking_a_wallboard_token_ends_its_stream(site):
    import subprocess
    import sys

    token = create_token(site.db_url, "sue", "--wallboard")
    listed = subprocess.run([sys.executable, "-m", "agent_console", "server", "tokens", "list", "--db", site.db_url],
                            capture_output=True, text=True, timeout=120)
    token_id = [line.split()[1] for line in listed.stdout.splitlines() if "wallboard" in line][-1]
    events = []
    with httpx.stream("GET", site.base_url + "/wallboard/events", cookies={"ac_wallboard": token},
                      timeout=60) as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                events.append(line.removeprefix("event: "))
                if events == ["figures"]:
                    revoked = subprocess.run([sys.executable, "-m", "agent_console", "server", "tokens", "revoke",
                                              token_id, "--db", site.db_url], capture_output=True, text=True,
                                             timeout=120)
                    assert revoked.returncode == 0, revoked.stderr
                if len(events) > 3:  # figures again and again: the stream outlived its token
                    break
    assert events[0] == "figures" and events[-1] == "ended"
