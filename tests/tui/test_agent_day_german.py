"""An agent's day in German, as a new user starts it (#18): ``LANG=de_DE.UTF-8`` and no setting. The queue, its
keys, opening a case, claiming it, a canned response, a knowledge-base search, the reply, resolving with a wrap-up
code, escalating another case found with ctrl+f — each step shows German, and no screen of the day shows an English
word of the interface. The customer's words in the data are German, so an English word on a screen can only be the
console's."""

from __future__ import annotations

import re

import pytest
from textual.widgets import Input

from agent_console import i18n
from agent_console.domain.canned import CannedResponses
from agent_console.domain.cases import CaseService
from agent_console.domain.kb import KnowledgeBase
from agent_console.widgets.case_table import CaseTable
from tests.helpers import wait_until_async
from tui_support import screen_text, settle

SIZE = (160, 45)
#: Words of the English interface that must not be on any screen of the German day (whole words, as written; not
#: the words German writes the same: Status, Filter, normal).
ENGLISH_WORDS = ("Queue", "Case", "Cases", "Reply", "Resolve", "Claim", "Escalate", "Customer", "Subject", "Priority",
                 "waiting", "open", "pending", "resolved", "escalated", "urgent", "high", "low", "Send",
                 "Note", "Search", "Back", "Insert", "Cancel", "Keys", "Quit", "available", "handling", "wrap-up",
                 "Thread", "Refresh", "Sort", "Mine", "Unassigned", "All open", "local only",
                 "phone", "email", "chat", "ago", "due", "Follow-ups", "reason", "tier", "minutes", "seconds",
                 "Loading", "Type to search", "Wrap-up", "Knowledge", "Canned", "assigned", "claimed", "sent",
                 "palette", "Open", "Down", "Up")


@pytest.fixture
def german_from_the_locale(monkeypatch, tmp_path):
    """The language as the command line chooses it: no setting, no variable, only the locale."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "AGENT_CONSOLE_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    monkeypatch.setenv("AGENT_CONSOLE_CONFIG", str(tmp_path / "no-settings.toml"))
    from agent_console.cli import choose_language

    choose_language()
    yield
    i18n.set_language("en")


@pytest.fixture
def day(store, clock, agents):
    system = CaseService(store, clock, agents["ben"])
    refund = system.create_case(customer="karl@example.de", customer_name="Karl Kunde", channel="email",
                                queue="Billing", subject="Erstattung fehlt", body="Wo bleibt mein Geld?",
                                language="de")
    clock.advance(60)
    router = system.create_case(customer="+49 30 1234567", customer_name="Rita Router", channel="phone",
                                queue="Technical", subject="Router blinkt rot", body="Seit heute früh kein Netz.",
                                language="de")
    CannedResponses(store, clock, agents["anna"]).create(
        title="Erstattung unterwegs", shortcut="erstattung", category="billing", language="de",
        body="Hallo {{ customer.first_name }},\n\ndie Erstattung zu {{ case.key }} ist veranlasst.\n\n"
             "Viele Grüße\n{{ agent.name }}")
    KnowledgeBase(store, clock, agents["anna"]).create(
        slug="erstattung-dauer", title="Wie lange dauert eine Erstattung", language="de", tags="billing",
        body="Eine Erstattung dauert drei bis fünf Werktage.")
    clock.advance(120)
    return refund, router


def english_leftovers(text: str) -> list[str]:
    return [word for word in ENGLISH_WORDS if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)]


async def test_an_agents_day_in_german(german_from_the_locale, make_app, day):
    refund, router = day
    assert i18n.current_language() == "de"
    app = make_app(wrap_up_codes=["Gelöst", "Rückruf vereinbart"])
    screens: dict[str, str] = {}

    async def seen(step: str, *german: str) -> str:
        await settle(pilot)
        try:
            await wait_until_async(lambda: all(word in screen_text(app) for word in german), message=step)
        except pytest.fail.Exception:
            raise AssertionError(f"{step}: not all of {german} on the screen:\n{screen_text(app)}") from None
        screens[step] = screen_text(app)
        return screens[step]

    async with app.run_test(size=SIZE) as pilot:
        # The queue: header, column headers, the cases' status/priority/channel words, the footer.
        await seen("queue", "Warteschlange", "Betreff", "Kunde", "Erstattung fehlt", "Router blinkt rot",
                   "E-Mail", "Telefon", "Übernehmen")
        await pilot.press("question_mark")
        await seen("keys help", "Übernehmen", "Nächster Fall", "Fälle suchen")
        await pilot.press("escape")
        await seen("queue again", "Betreff")
        table = app.screen.query_one("#queue-table", CaseTable)
        table.cursor_row = table.case_ids.index(refund.id)
        await pilot.press("enter")
        await wait_until_async(lambda: getattr(app.screen, "snapshot", None) is not None,
                               message="the case to open")
        await seen("case", "Erstattung fehlt", "Wo bleibt mein Geld?", "Antworten", "Übernehmen", "Fälle des Kunden")

        await pilot.press("c")
        await seen("claimed", "Bearbeiter Anna Agent", "Status offen")

        await pilot.press("ctrl+t")
        await seen("canned picker", "Erstattung unterwegs", "Einfügen")
        await pilot.press(*"erstattung")
        await seen("canned chosen", "die Erstattung zu")
        await pilot.press("enter")
        await seen("reply with the canned response", f"die Erstattung zu {refund.key} ist veranlasst")

        await pilot.press("ctrl+k")
        await seen("knowledge base", "Wissensdatenbank")
        app.screen.query_one("#kb-query", Input).value = ""
        await pilot.press(*"Erstattung")
        await seen("knowledge base hit", "Wie lange dauert eine Erstattung", "drei bis fünf Werktage")
        await pilot.press("escape")
        await seen("back on the case", "Erstattung fehlt")

        await pilot.press("ctrl+s")
        await seen("reply sent", "veranlasst")
        await pilot.press("x")
        await settle(pilot)
        if app.screen.query("#wrap-up-codes"):
            pass
        else:
            await pilot.press("y")  # a confirmation, when the case asks for one
        await seen("wrap-up", f"Nachbearbeitung {refund.key}", "Gelöst", "Rückruf vereinbart")
        await pilot.press("1")
        await wait_until_async(lambda: app.tracker.state == "available", message="the wrap-up to end")
        await pilot.press("escape")
        await seen("queue after resolving", "Warteschlange", "Router blinkt rot")

        await pilot.press("ctrl+f")
        await seen("case search", "Fälle suchen", "Tippen, um alle Fälle zu durchsuchen.")
        await pilot.press(*"Router")
        await seen("case search hit", "Router blinkt rot", "1 Fall", "Telefon")
        await pilot.press("enter")
        await seen("found case", "Seit heute früh kein Netz.")
        await pilot.press("e")
        await seen("escalate", f"{router.key} eskalieren")
        await pilot.press("enter")  # no reason: refused in German
        await seen("escalate refused", "Grund")
        await pilot.press(*"Leitung muss gemessen werden", "enter")
        await seen("escalated", "Fälle suchen")  # back where the case was found

    with app.store.session() as session:
        from agent_console.store import queries

        assert queries.case_by_key(session, refund.key).status == "resolved"
        assert queries.case_by_key(session, router.key).tier == 2
    leftovers = {step: english_leftovers(text) for step, text in screens.items() if english_leftovers(text)}
    assert not leftovers, "English on the German screens: " + "; ".join(
        f"{step}: {words}\n{screens[step]}" for step, words in leftovers.items())
