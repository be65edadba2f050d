"""A case from the help center's contact form as the agent sees it: the articles the customer read before writing,
on the case screen and in ``case show`` (text and JSON), literally (an article title with Rich markup stays text)."""

from __future__ import annotations

import json

import pytest

from agent_console.domain import help_contact
from agent_console.store import queries
from agent_console.store.models import KBArticle
from tui_support import screen_text, settle


@pytest.fixture
def web_case_key(store, clock) -> str:
    with store.transaction() as session:
        session.add_all([KBArticle(slug="returns", title="[bold]Returns[/bold] \x1b[2J", language="en", public=True,
                                   queue="Delivery", body="How to return."),
                         KBArticle(slug="delivery-times", title="Delivery times", language="en", public=True,
                                   body="Two days.")])
    form = help_contact.check_form({"name": "Kim", "email": "kim@example.com", "subject": "Label missing",
                                    "message": "No label in the parcel."})
    with store.transaction() as session:
        return help_contact.send(session, clock, form, ["returns", "delivery-times"], visit="", language="en",
                                 default_queue="General").case_key


async def test_the_case_screen_lists_the_articles_read(make_app, store, web_case_key):
    from agent_console.screens.case_detail import CaseDetailScreen

    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        with store.session() as session:
            case_id = queries.case_by_key(session, web_case_key).id
        await app.push_screen(CaseDetailScreen(case_id))
        await settle(pilot)
        text = screen_text(app)
    assert "Read on the help center before writing: [bold]Returns[/bold]" in text
    assert "; Delivery times" in text and "\x1b" not in text


def test_case_show_lists_the_articles_read(cli, web_case_key):
    shown = cli("case", "show", web_case_key)
    assert shown.exit_code == 0, shown.output
    assert "read on the help center before writing: [bold]Returns[/bold]" in shown.output
    assert "Delivery times (delivery-times)" in shown.output and "\x1b" not in shown.output
    data = json.loads(cli("case", "show", web_case_key, "--json").output)
    assert [entry["slug"] for entry in data["help_articles"]] == ["returns", "delivery-times"]
    assert data["channel"] == "web" and data["queue"] == "Delivery"


async def test_the_monitors_floor_line_shows_todays_self_service(store, clock, agents, web_case_key):
    from textual.widgets import Static

    from agent_console.config import Settings
    from agent_console.domain.help_center import record_answer
    from agent_console.screens.monitor import MonitorApp

    app = MonitorApp(store=store, clock=clock, supervisor=agents["sue"], settings=Settings(timezone="UTC"),
                     backfill=None, refresh_on_timer=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        # One contact form and no "yes" yet: no visit was spared a contact.
        assert "self-service 0 · deflection 0% · contact forms 1" in str(app.screen.query_one("#floor-line",
                                                                                             Static).content)
        with store.transaction() as session:
            article = session.get(KBArticle, 1)
            record_answer(session, clock.now(), article, solved=True, language="en", visit="y" * 16)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "self-service 1 · deflection 50% · contact forms 1" in str(app.screen.query_one("#floor-line",
                                                                                              Static).content)
