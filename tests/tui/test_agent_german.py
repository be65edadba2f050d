"""The agent's console in German: the palette switches a running console (queue and case) without a restart, and
the queue and the case look as recorded in German at 160×45 and 80×24 (frozen clock, fixed data; the same cases as
test_snapshots)."""

from __future__ import annotations

import pytest

from agent_console import i18n
from agent_console.store import queries
from tests.helpers import wait_until_async
from tui_support import palette_offers, screen_text, settle


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")


def _lines(app) -> list[str]:
    return screen_text(app).splitlines()


async def _choose_in_palette(pilot, words: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.press(*words)
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


async def _open_case(pilot, key: str) -> None:
    from agent_console.screens.case_detail import CaseDetailScreen

    app = pilot.app
    with app.store.session() as session:
        case_id = queries.case_by_key(session, key).id
    await app.push_screen(CaseDetailScreen(case_id))
    await wait_until_async(lambda: app.screen.snapshot is not None, message="the case to load")
    await settle(pilot)
    # The customer's other cases load after the case, and their list's scroll bar is part of the picture: wait until
    # the list is laid out around its options, then let the screen refresh once more.
    others = app.screen.query_one("#other-cases")
    await wait_until_async(lambda: others.option_count > 0 and others.virtual_size.height >= others.option_count,
                           message="the customer's other cases to be laid out")
    await settle(pilot)
    await settle(pilot)


async def test_the_palette_switches_queue_and_case_to_german_and_back(make_app, data):
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        lines = _lines(app)
        assert "Customer" in lines[1] and "Subject" in lines[1]  # the column headers, under the header bar

        await _choose_in_palette(pilot, "Deutsch")
        assert i18n.current_language() == "de"
        await wait_until_async(lambda: "Betreff" in screen_text(app), message="the queue to speak German")
        lines = _lines(app)
        header, columns, status, footer = lines[0], lines[1], lines[-2], lines[-1]
        assert "Warteschlange" in header and "nur lokal" in header
        assert "Alle offenen" in status and "sortiert nach SLA" in status
        for title in ("Fall", "Prio.", "Kanal", "Warteschl.", "Kunde", "Betreff", "Status", "Stufe", "Bearbeiter",
                      "Alter", "SLA"):
            assert title in columns, (title, columns)
        assert "Übernehmen" in footer and "Nächster Fall" in footer and "Claim" not in footer
        assert "Telefon" in screen_text(app) and "dringend" in screen_text(app)  # the rows' labels
        await pilot.press("ctrl+p", *"Kanal Telefon")
        await wait_until_async(lambda: palette_offers(app, "Ansicht: Kanal Telefon"), message="the palette entry")
        await pilot.press("escape")
        await settle(pilot)

        await _open_case(pilot, data.keys["anna_case"])
        text = screen_text(app)
        assert "Kunde Karl Kunde" in text and "Kanal Telefon" in text and "Priorität normal" in text
        assert "Antworten" in _lines(app)[-1]

        await _choose_in_palette(pilot, "English")
        assert i18n.current_language() == "en"
        await wait_until_async(lambda: "Customer Karl Kunde" in screen_text(app),
                               message="the case header to speak English")
        text = screen_text(app)
        assert "Channel phone" in text and "Reply" in _lines(app)[-1]
        app.pop_screen()
        await settle(pilot)
        lines = _lines(app)
        assert "Subject" in lines[1] and "Claim" in lines[-1]  # the queue beneath followed too


def _case(key: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await _open_case(pilot, key)

    return run_before


@pytest.mark.parametrize("size", [(160, 45), (80, 24)], ids=["160x45", "80x24"])
def test_snapshot_of_the_queue_in_german(snap_compare, make_app, data, size):
    i18n.set_language("de")
    assert snap_compare(make_app(), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", [(160, 45), (80, 24)], ids=["160x45", "80x24"])
def test_snapshot_of_the_case_in_german(snap_compare, make_app, data, size):
    i18n.set_language("de")
    assert snap_compare(make_app(), terminal_size=size, run_before=_case(data.keys["anna_case"]))


def test_snapshot_of_a_case_with_escalation_and_follow_up_in_german(snap_compare, make_app, data, store, agents):
    from agent_console.domain.escalation import EscalationService

    key = data.keys["anna_case"]
    EscalationService(store, make_app().clock, agents["anna"], follow_up_hours=8).escalate(
        key, to_tier=2, to_queue="Technical", reason="Ratenplan braucht die Freigabe von Tier 2")
    i18n.set_language("de")
    assert snap_compare(make_app(), terminal_size=(160, 45), run_before=_case(key))


async def test_the_narrow_german_header_keeps_name_and_state_whole(make_app, data):
    i18n.set_language("de")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        header = _lines(app)[0]
        assert "Anna Agent  ·  verfügbar" in header and "⇅ nur lokal" in header
        app.sync_detail = ("offline", 3)
        app.sync_status = "offline · 3 pending"
        app.follow_ups_due = 3
        await settle(pilot)
        header = _lines(app)[0]
        # No room for the counts' words beside the agent: the counts stay, the agent's name and state stay whole.
        assert "Anna Agent  ·  verfügbar" in header and "…" not in header
        assert "⚑ 3" in header and "⇅ offline · 3" in header and "Mo., 09:00" in header
        await pilot.resize_terminal(160, 45)
        await settle(pilot)
        assert "⚑ 3 Wiedervorlagen fällig" in _lines(app)[0] and "offline · 3 ausstehend" in _lines(app)[0]
