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
