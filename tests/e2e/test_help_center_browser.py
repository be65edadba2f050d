"""The help center and the wallboard in a real browser: Debian's Chromium, headless, driven by Playwright (started by
the fixture with a fresh profile), against a real server process. A customer searches "Rücksendung", reads the
article, answers "No" and "Yes", and (not helped) sends the contact form and sees the case key; hostile article
text and form input stay text; the wallboard follows the floor and the help center's self-service live;
screenshots of both; axe-core finds no critical accessibility violation on any page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent_console.server.routes.wallboard import QUIET_REFRESH_SECONDS
from tests.helpers import require_component
from tests.server.conftest import new_case_op
from tests.server.help_site import HOSTILE, create_token, feedback_rows, start_contact_site

CHROMIUM = os.environ.get("AGENT_CONSOLE_TEST_CHROMIUM", "/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parents[2] / ".cache" / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def playwright_driver():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        require_component("Playwright", f"the dev extra is not installed ({exc})")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        require_component("Chromium", f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright_driver, tmp_path):
    """A function that opens a fresh Chromium profile (``bypass_csp`` only to inject axe-core)."""
    opened = []

    def open_browser(locale: str = "en-GB", *, bypass_csp: bool = False):
        profile = tmp_path / f"chromium-profile-{len(opened)}"
        try:
            context = playwright_driver.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, locale=locale,
                bypass_csp=bypass_csp, viewport={"width": 1280, "height": 900})
        except Exception as exc:  # noqa: BLE001 - whatever keeps the browser from starting
            require_component("Chromium", f"it did not start: {exc}")
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return context

    yield open_browser
    for context in opened:
        context.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    server = start_contact_site(tmp_path_factory.mktemp("help-browser"))
    yield server
    server.stop()


def critical_violations(page) -> list[str]:
    """axe-core's critical violations on the page, each as "rule: where"."""
    if not AXE_JS.is_file():
        require_component("axe-core", f"{AXE_JS} is missing (scripts/test installs it with npm)")
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document)")
    return [f"{violation['id']}: {[node['target'] for node in violation['nodes']]}"
            for violation in result["violations"] if violation.get("impact") == "critical"]


def test_a_customer_searches_reads_and_answers(browser, site, tmp_path):
    context = browser("de-DE")
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site.base_url + "/help")
    assert page.locator("h1").inner_text() == "Wie können wir helfen?"
    page.get_by_label("Im Hilfe-Center suchen").fill("Rücksendung")
    page.get_by_role("button", name="Suchen").click()
    result = page.get_by_role("link", name="Rücksendung eines Artikels")
    result.wait_for()
    assert page.get_by_text("Internal refund override").count() == 0
    help_shot = tmp_path / "help-center.png"
    page.screenshot(path=str(help_shot), full_page=True)
    assert help_shot.stat().st_size > 0

    result.click()
    page.wait_for_url("**/help/articles/ruecksendung")
    assert page.locator("article h1").inner_text() == "Rücksendung eines Artikels"
    assert page.locator("article strong").inner_text() == "Erstattung"
    page.get_by_role("button", name="Nein").click()
    page.get_by_role("heading", name="Schade, dass das nicht geholfen hat").wait_for()
    assert page.get_by_role("link", name="Kontakt aufnehmen").get_attribute("href") == "/help/contact"
    page.go_back()
    page.get_by_role("button", name="Ja").click()
    page.get_by_role("heading", name="Schön, dass wir helfen konnten").wait_for()
    answers = feedback_rows(site.db_url)
    assert [solved for solved, _visit in answers[-2:]] == [False, True]
    assert answers[-1][1] == answers[-2][1] != ""
    assert dialogs == []


def test_a_customer_who_was_not_helped_writes_to_us_and_sees_the_case_key(browser, site, tmp_path):
    import httpx

    context = browser("de-DE")
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site.base_url + "/help")
    page.get_by_label("Im Hilfe-Center suchen").fill("Rücksendung")
    page.get_by_role("button", name="Suchen").click()
    page.get_by_role("link", name="Rücksendung eines Artikels").click()
    page.get_by_role("button", name="Nein").click()
    page.get_by_role("link", name="Kontakt aufnehmen").click()
    page.wait_for_url("**/help/contact")
    assert "Rücksendung eines Artikels" in page.locator("main").inner_text()
    page.get_by_label("Ihr Name").fill('<img src=x onerror=alert(1)> Carla')
    page.get_by_label("Ihre E-Mail-Adresse").fill("carla@example.com")
    page.get_by_label("Betreff").fill("Etikett fehlt")
    page.get_by_label("Ihre Nachricht").fill('Kein Etikett im Paket. <script>alert("m")</script>')
    form_shot = tmp_path / "contact-form.png"
    page.screenshot(path=str(form_shot), full_page=True)
    assert form_shot.stat().st_size > 0
    page.get_by_role("button", name="Senden").click()
    page.get_by_role("heading", name="Vielen Dank, wir haben Ihre Nachricht erhalten").wait_for()
    key = page.locator(".case-key").inner_text().split()[3].rstrip(".")
    assert key.startswith("AC-") and "Voraussichtliche Antwortzeit" in page.locator("main").inner_text()
    detail = httpx.get(f"{site.base_url}/api/v1/cases/{key}",
                       headers={"Authorization": f"Bearer {site.token('sue')}"}, timeout=30).json()
    assert (detail["case"]["channel"], detail["case"]["queue"]) == ("web", "Returns")
    assert '"ruecksendung"' in detail["case"]["help_articles"]
    assert detail["messages"][0]["body"] == 'Kein Etikett im Paket. <script>alert("m")</script>'
    assert dialogs == []


def test_hostile_article_text_is_shown_literally_in_the_browser(browser, site):
    page = browser().new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site.base_url + "/help/articles/hostile")
    article = page.locator("article")
    assert page.locator("article h1").inner_text() == "Hostile <b>title</b>"
    assert '<script>alert("x")</script>' in article.inner_text()
    assert "<div onclick=alert(3)>raw block</div>" in article.inner_text()
    assert article.locator("script, img, [onclick], a[href^='javascript']").count() == 0
    page.get_by_role("button", name="Yes").wait_for()  # the page has loaded to its end
    assert dialogs == [] and HOSTILE.split(" ")[0] in page.content().replace("&lt;", "<").replace("&gt;", ">")


def answer_yes(site) -> None:
    """A visit that answers "yes" on an article (over HTTP: the browser under test shows the wallboard)."""
    import re

    import httpx

    with httpx.Client(base_url=site.base_url, timeout=30) as visitor:
        article = visitor.get("/help/articles/returns")
        visit = re.search(r'name="visit" value="([^"]+)"', article.text).group(1)
        answered = visitor.post("/help/articles/returns/answer", data={"visit": visit, "solved": "yes"})
        assert answered.status_code == 200, answered.text


def test_the_wallboard_follows_the_floor_live(browser, site, tmp_path):
    token = create_token(site.db_url, "sue", "--wallboard")
    page = browser().new_page()
    page.goto(site.base_url + "/wallboard")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Show the wallboard").click()
    page.wait_for_selector("html[data-live=on]")  # the script's event stream delivered the figures
    waiting = page.locator('[data-figure="waiting"] .value')
    before = int(waiting.inner_text().split()[-1])
    response = site.ops("sue", new_case_op("Returns", subject="Rücksendung kaputt"))
    assert response.status_code == 200, response.text
    # Well below the stream's quiet refresh (QUIET_REFRESH_SECONDS): only the event of the change can bring it.
    page.wait_for_function(
        "n => parseInt(document.querySelector('[data-figure=\"waiting\"] .value').innerText.split(/\\s+/).pop()) > n",
        arg=before, timeout=QUIET_REFRESH_SECONDS * 1000 / 2)
    assert page.locator("table.wall td", has_text="Returns").count() == 1
    assert "●" in waiting.inner_text() or "▲" in waiting.inner_text() or "✖" in waiting.inner_text()
    # A customer the help center helped: today's self-service rate comes on the wall with the answer's event.
    answer_yes(site)
    page.wait_for_selector('[data-figure="deflection"]', timeout=QUIET_REFRESH_SECONDS * 1000 / 2)
    assert int(page.locator('[data-figure="self-service"] .value').inner_text()) >= 1
    deflection = page.locator('[data-figure="deflection"] .value').inner_text()
    assert deflection.split()[0] in ("●", "▲", "✖") and deflection.endswith("%")
    shot = tmp_path / "wallboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0


def test_the_pages_have_no_critical_accessibility_violations(browser, site):
    context = browser("de-DE", bypass_csp=True)
    page = context.new_page()
    for path in ("/help", "/help?q=R%C3%BCcksendung", "/help/articles/ruecksendung", "/help/articles/hostile",
                 "/help/contact", "/wallboard"):
        page.goto(site.base_url + path)
        assert critical_violations(page) == [], path
    page.get_by_label("Token").fill(site.token("sue"))
    page.get_by_role("button", name="Wallboard anzeigen").click()
    page.wait_for_selector('[data-figure="waiting"]')
    assert critical_violations(page) == [], "/wallboard (figures)"
    # The form with its problems listed (the browser's own check of required fields turned off to get there).
    page.goto(site.base_url + "/help/contact")
    page.evaluate("document.querySelector('form.contact').noValidate = true")
    page.get_by_role("button", name="Senden").click()
    page.get_by_role("alert").wait_for()
    assert critical_violations(page) == [], "/help/contact (with problems)"


def survey_token(site, customer_language: str) -> tuple[str, str]:
    """(case key, survey token) of a case resolved on the server by the resolve op, the link made on its database."""
    from sqlalchemy import select

    from agent_console.domain import surveys
    from agent_console.domain.clock import SystemClock
    from agent_console.server.db import open_server_store
    from agent_console.store.models import Case
    from tests.server.test_survey_http import resolved_case

    key = resolved_case(site, customer_language)
    store = open_server_store(site.db_url)
    try:
        with store.transaction() as session:
            case = session.scalars(select(Case).where(Case.key == key)).one()
            return key, surveys.make_token(session, case, SystemClock().now())
    finally:
        store.dispose()


def test_a_customer_fills_in_the_survey(browser, site, tmp_path):
    from tests.server.test_survey_http import survey_rows

    key, token = survey_token(site, "de")
    context = browser("en-GB", bypass_csp=True)  # the customer's language wins over the browser's
    page = context.new_page()
    page.goto(f"{site.base_url}/survey/{token}")
    assert page.locator("h1").inner_text() == f"Ihre Meinung zum Fall {key}"
    assert critical_violations(page) == [], "/survey (form)"
    page.get_by_role("group", name="Wie zufrieden sind Sie").get_by_label("4", exact=True).check()
    page.get_by_role("group", name="weiterempfehlen").get_by_label("9", exact=True).check()
    page.get_by_role("group", name="Das Unternehmen hat es mir leicht gemacht").get_by_label("6", exact=True).check()
    shot = tmp_path / "survey.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    page.get_by_role("button", name="Antworten senden").click()
    page.get_by_role("heading", name="Vielen Dank!").wait_for()
    assert critical_violations(page) == [], "/survey (thanks)"
    assert survey_rows(site)[key] == (4, 9, 6)
    page.goto(f"{site.base_url}/survey/{token}")
    # A used link no longer tells whose it was: the page follows the browser's language.
    assert page.locator("h1").inner_text() == "This survey link cannot be used"
