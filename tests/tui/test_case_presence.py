"""Colleagues on the same case: the case header says "Lena is replying" when the server's event stream says so, and
the console keeps track of what it tells colleagues (viewing, replying, left)."""

from __future__ import annotations

from agent_console.app import ColleaguePresenceArrived
from agent_console.screens.case_detail import CaseDetailScreen
from agent_console.store import queries
from agent_console.sync.client import Presence
from agent_console.widgets.presence_line import PresenceLine
from agent_console.widgets.reply_editor import ReplyEditor

from tests.helpers import wait_until_async
from tui_support import HOSTILE_NAME, settle


async def _open(app, key):
    with app.store.session() as session:
        case = queries.case_by_key(session, key)
        case_id, uid = case.id, case.uid
    await app.push_screen(CaseDetailScreen(case_id))
    await wait_until_async(lambda: isinstance(app.screen, CaseDetailScreen) and app.screen.snapshot is not None,
                           message="the case is shown")
    return uid


def _line(app) -> PresenceLine:
    return app.screen.query_one(PresenceLine)


async def test_the_header_says_who_is_replying_and_forgets_them_when_they_leave(make_app, data, clock):
    app = make_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        uid = await _open(app, data.keys["anna_case"])
        assert not _line(app).display  # nobody else: no line at all
        app.post_message(ColleaguePresenceArrived(Presence(uid, data.keys["anna_case"], "lena", "Lena", "replying",
                                                           30.0)))
        await wait_until_async(lambda: _line(app).display and "Lena is replying" in str(_line(app).render()),
                               message="the header says Lena is replying")
        app.post_message(ColleaguePresenceArrived(Presence(uid, data.keys["anna_case"], "lena", "Lena", "left", 0)))
        await wait_until_async(lambda: not _line(app).display, message="the line goes when Lena leaves")
        # Another case's colleague does not show here; a hostile name is shown literally.
        app.post_message(ColleaguePresenceArrived(Presence("other-uid", "AC-9", "ben", "Ben", "viewing", 30.0)))
        app.post_message(ColleaguePresenceArrived(Presence(uid, "", "evil", HOSTILE_NAME, "viewing", 30.0)))
        await wait_until_async(lambda: _line(app).display, message="the hostile colleague shows")
        assert str(_line(app).render()) == f"{HOSTILE_NAME} has this case open"
        clock.advance(31)
        _line(app).show_colleagues()
        assert not _line(app).display  # lapsed


async def test_what_the_console_announces_follows_the_agent(make_app, data):
    app = make_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        uid = await _open(app, data.keys["anna_case"])
        assert app._my_presence == {uid: "viewing"}
        await pilot.press("r")
        editor = app.screen.query_one(ReplyEditor)
        await wait_until_async(lambda: editor.is_open, message="the editor opens")
        await wait_until_async(lambda: app._my_presence == {uid: "replying"}, message="replying is announced")
        await pilot.press("escape")
        await wait_until_async(lambda: app._my_presence == {uid: "viewing"}, message="back to viewing")
        await pilot.press("escape")
        await wait_until_async(lambda: app._my_presence == {}, message="left when the case closes")
        assert app.sync_engine is None  # local only: nothing was sent anywhere


async def test_a_reply_asks_first_when_the_customer_wrote_again_since_the_case_opened(make_app, data, store, clock):
    from textual.widgets import OptionList

    from agent_console.domain.cases import CaseService
    from agent_console.screens.pick import PickModal

    app = make_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        await _open(app, data.keys["anna_case"])
        case_screen = app.screen
        await pilot.press("r", *"Gern")
        await wait_until_async(lambda: case_screen.editor.text_area.text == "Gern", message="typed")
        CaseService(store, clock, None).add_inbound(data.keys["anna_case"], "Noch eine Frage!")  # meanwhile
        await pilot.press("ctrl+s")
        await wait_until_async(lambda: isinstance(app.screen, PickModal), message="the reply asks first")
        assert "The customer wrote again" in app.screen.title_text

        def replies():
            with store.session() as session:
                thread = queries.thread(session, queries.case_by_key(session, data.keys["anna_case"]).id)
                return [m.body for m in thread if m.direction == "out" and not m.is_internal]

        await pilot.press("enter")  # the first choice: don't send yet
        await wait_until_async(lambda: app.screen is case_screen, message="back on the case")
        assert case_screen.editor.is_open and case_screen.editor.text_area.text == "Gern"
        assert "Gern" not in replies()
        await pilot.press("ctrl+s")
        await wait_until_async(lambda: isinstance(app.screen, PickModal), message="it asks again")
        app.screen.query_one(OptionList).highlighted = 1
        await pilot.press("enter")  # send anyway
        await wait_until_async(lambda: "Gern" in replies(), message="the reply is sent")
        # Nothing new since: the next reply goes without asking.
        await wait_until_async(lambda: not case_screen.editor.is_open, message="the editor closes")
        await pilot.press("r", *"Und noch")
        await wait_until_async(lambda: case_screen.editor.text_area.text == "Und noch", message="typed")
        await pilot.press("ctrl+s")
        await wait_until_async(lambda: "Und noch" in replies(), message="sent without asking")
