"""Merge, link and split from the case view: the possible duplicates under the header, one key to merge or link
(with a confirmation that shows both cases), the palette entry, and a snapshot of that confirmation."""

from __future__ import annotations

from sqlalchemy import select

from agent_console.domain.case_merge import CaseMergeService
from agent_console.store.models import Case
from agent_console.store import queries
from tests.helpers import wait_until_async
from tui_support import palette_offers, screen_text, settle

SIZE = (120, 36)


async def _open(app, pilot, key: str) -> None:
    from agent_console.screens.case_detail import CaseDetailScreen

    with app.store.session() as session:
        case_id = queries.case_by_key(session, key).id
    await app.push_screen(CaseDetailScreen(case_id))
    await wait_until_async(lambda: app.screen.snapshot is not None, message="the case to load")
    await settle(pilot)


def _thread(store, key: str) -> list[str]:
    with store.session() as session:
        return [m.body for m in queries.thread(session, queries.case_by_key(session, key).id)]


async def _screen_is(app, cls_name: str) -> None:
    await wait_until_async(lambda: type(app.screen).__name__ == cls_name, message=f"{cls_name} to open")


async def test_duplicates_shown_and_merged_with_one_key_after_confirming(make_app, data, store):
    app = make_app()
    anna_case, karl_chat = data.keys["anna_case"], data.keys["karl_chat"]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open(app, pilot, anna_case)
        assert f"Possible duplicates: {karl_chat}" in screen_text(app)
        await pilot.press("ctrl+p", *"duplicate")
        await wait_until_async(lambda: palette_offers(app, "Merge / link"), message="the palette to offer it")
        await pilot.press("escape")
        await _screen_is(app, "CaseDetailScreen")
        await pilot.press("m")
        await _screen_is(app, "PickModal")
        await pilot.press("enter")  # the newest possible duplicate: Karl's chat
        await _screen_is(app, "PickModal")
        await pilot.press("enter")  # merge it into this case
        await _screen_is(app, "ConfirmModal")
        text = screen_text(app)
        assert f"Merge {karl_chat} into {anna_case}?" in text and "Noch eine Frage zur Rechnung" in text
        await pilot.press("y")
        await wait_until_async(lambda: "Hallo?" in _thread(store, anna_case), message="the merge")
        await wait_until_async(lambda: "Hallo?" in screen_text(app), message="the thread to show the merged message")
        assert _thread(store, karl_chat) == []


async def test_a_merged_case_says_where_it_went_and_links_show_in_both(make_app, data, store, clock, agents):
    merging = CaseMergeService(store, clock, agents["anna"])
    merging.link(data.keys["anna_case"], data.keys["email_old"], "duplicate")
    merging.merge(data.keys["karl_chat"], data.keys["anna_case"])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open(app, pilot, data.keys["karl_chat"])
        assert f"Merged into {data.keys['anna_case']}" in screen_text(app)
        await _open(app, pilot, data.keys["email_old"])
        assert f"Linked: duplicate {data.keys['anna_case']} Ratenzahlung" in screen_text(app)


async def test_split_from_the_thread(make_app, data, store):
    app = make_app()
    anna_case = data.keys["anna_case"]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open(app, pilot, anna_case)
        await pilot.press("S")
        await _screen_is(app, "PickModal")
        await pilot.press("down", "enter")  # from the third message (the note) on
        await wait_until_async(lambda: len(_thread(store, anna_case)) == 2, message="the split")
    with store.session() as session:
        newest = session.scalars(select(Case).order_by(Case.id.desc())).first()
        assert newest.key != anna_case
    assert _thread(store, newest.key) == ["Kunde ist zuverlässig, Raten genehmigt."]


def test_merge_confirmation_snapshot(snap_compare, make_app, data):
    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(pilot)
        await _open(app, pilot, data.keys["anna_case"])
        await pilot.press("m")
        await _screen_is(app, "PickModal")
        await pilot.press("enter")
        await _screen_is(app, "PickModal")
        await pilot.press("enter")
        await _screen_is(app, "ConfirmModal")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
