"""The queue screen, driven with Pilot against a real store file at a frozen clock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from agent_console.store import queries
from agent_console.store.models import AuditEvent, FollowUp
from agent_console.widgets.case_table import CaseTable, layout_columns

from tests.helpers import wait_until_async
from tui_support import palette_offers, settle

SIZE = (110, 30)


def table_keys(app) -> list[str]:
    table = app.screen.query_one("#queue-table", CaseTable)
    return [table.row(i)["key"] for i in range(table.row_count)]


async def test_queue_orders_open_cases_by_sla_urgency(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = data.keys
        # Breached longest first, then at risk, then ok; resolved cases are not in "all open".
        assert table_keys(app) == [keys["email_old"], keys["hostile"], keys["karl_chat"], keys["phone_risk"],
                                   keys["chat_ok"], keys["anna_case"], keys["ben_case"]]
        table = app.screen.query_one("#queue-table", CaseTable)
        assert "✖ -2d21h" in table.plain_line(0)
        assert "▲ 0:10" in table.plain_line(3)
        assert "● 1:50" in table.plain_line(4)


async def test_countdowns_tick_with_the_clock(make_app, data, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#queue-table", CaseTable)
        assert "▲ 0:10" in table.plain_line(3)
        clock.advance(15)
        await wait_until_async(lambda: "✖ -0:05" in table.plain_line(3), message="the countdown ticks")


async def test_cursor_moves_and_enter_opens_the_case_escape_goes_back(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "CaseDetailScreen"
        assert app.screen.snapshot.case.key == data.keys["karl_chat"]
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "QueueScreen"
        assert app.screen.query_one("#queue-table", CaseTable).cursor_row == 2


async def test_claim_from_the_queue(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        table = app.screen.query_one("#queue-table", CaseTable)
        assert table.row(0)["assignee_login"] == "anna"
        assert " anna " in table.plain_line(0)
    with store.session() as session:
        assert queries.case_by_key(session, data.keys["email_old"]).assignee_id is not None
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "case.claim")).all()


async def test_claim_conflict_is_a_notification_not_a_crash(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("end", "c")  # ben's case
        await settle(pilot)
        assert any("already claimed by Ben Second" in n.message for n in app._notifications)
        assert app.is_running


async def test_next_case_claims_the_most_urgent_workable_case_and_opens_it(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert type(app.screen).__name__ == "CaseDetailScreen"
        assert app.screen.snapshot.case.key == data.keys["email_old"]
        assert app.screen.snapshot.assignee_name == "Anna Agent"


async def test_filter_is_incremental_over_subject_customer_and_key(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"parc")
        await settle(pilot)
        assert table_keys(app) == [data.keys["chat_ok"]]
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"karl")
        await settle(pilot)
        assert set(table_keys(app)) == {data.keys["email_old"], data.keys["karl_chat"], data.keys["anna_case"]}
        await pilot.press("ctrl+a", *"000005")  # select-all is not bound in Input: the text is appended
        await settle(pilot)
        await pilot.press("enter")  # back to the list, filter kept
        assert app.screen.focused.id == "queue-table"
        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        assert len(table_keys(app)) == 7


async def test_filter_by_key(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"ac-000005")
        await settle(pilot)
        assert table_keys(app) == [data.keys["ben_case"]]
        status = str(app.screen.query_one("#queue-status").render())
        assert "1 case" in status and "'ac-000005'" in status


async def test_sort_by_a_chosen_column_and_reverse(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("home", "enter")  # "Key" is the first column offered
        await settle(pilot)
        keys = table_keys(app)
        assert keys == sorted(keys)
        await pilot.press("S")
        await settle(pilot)
        assert table_keys(app) == sorted(keys, reverse=True)
        assert "Key ▼" in app.screen.query_one("#queue-table", CaseTable).render_line(0).text


async def test_views_mine_unassigned_all_and_follow_ups(make_app, data, store, agents, clock):
    with store.transaction() as session:
        case = queries.case_by_key(session, data.keys["ben_case"])
        session.add(FollowUp(case_id=case.id, agent_id=agents["anna"].id, due_at=clock.now() - timedelta(hours=1),
                             note="check the reset worked", created_at=clock.now() - timedelta(days=1)))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.follow_ups_due == 1
        from tui_support import screen_text

        assert "1 follow-up due" in screen_text(app)
        await pilot.press("m")
        await settle(pilot)
        assert table_keys(app) == [data.keys["anna_case"]]
        await pilot.press("u")
        await settle(pilot)
        assert data.keys["anna_case"] not in table_keys(app) and data.keys["ben_case"] not in table_keys(app)
        assert len(table_keys(app)) == 5
        await pilot.press("a")
        await settle(pilot)
        assert data.keys["resolved"] in table_keys(app)
        await pilot.press("f")
        await settle(pilot)
        assert table_keys(app) == [data.keys["ben_case"]]
        await pilot.press("o")
        await settle(pilot)
        assert len(table_keys(app)) == 7


async def test_queue_and_channel_views_via_pickers(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("H")  # by channel
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # phone, email, chat
        await settle(pilot)
        assert set(table_keys(app)) == {data.keys["chat_ok"], data.keys["karl_chat"]}
        await pilot.press("Q")
        await settle(pilot)
        await pilot.press("home", "enter")  # Billing
        await settle(pilot)
        assert set(table_keys(app)) == {data.keys["email_old"], data.keys["karl_chat"], data.keys["anna_case"]}
        assert "Queue Billing" in str(app.screen.query_one("#queue-status").render())


async def test_command_palette_runs_a_view_and_an_action(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"queue deliv")
        await wait_until_async(lambda: palette_offers(app, "deliv"))
        await pilot.press("enter")
        await settle(pilot)
        assert table_keys(app) == [data.keys["chat_ok"]]
        await pilot.press("ctrl+p", *"claim")
        await wait_until_async(lambda: palette_offers(app, "claim"))
        await pilot.press("enter")
        await settle(pilot)
    with store.session() as session:
        assert queries.case_by_key(session, data.keys["chat_ok"]).assignee_id is not None


async def test_help_lists_every_key_of_the_screen(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert type(app.screen).__name__ == "KeysScreen"
        from tui_support import screen_text

        text = screen_text(app)
        for expected in ("Claim", "Next case", "Filter", "Sort", "Reverse sort", "Follow-ups", "By queue",
                         "By channel", "ctrl+q", "Quit"):
            assert expected in text
        await pilot.press("escape")
        assert type(app.screen).__name__ == "QueueScreen"


async def test_keys_can_be_rebound_in_settings(make_app, data, store):
    app = make_app(keys={"claim": "ctrl+l", "next_case": "N"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")  # no longer bound
        await settle(pilot)
        with store.session() as session:
            assert queries.case_by_key(session, data.keys["email_old"]).assignee_id is None
        await pilot.press("ctrl+l")
        await settle(pilot)
        with store.session() as session:
            assert queries.case_by_key(session, data.keys["email_old"]).assignee_id is not None
        await pilot.press("question_mark")
        await settle(pilot)
        from tui_support import screen_text

        assert "ctrl+l" in screen_text(app)


async def test_unknown_key_setting_is_reported_not_fatal(make_app, data):
    app = make_app(keys={"teleport": "t"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any("unknown key action 'teleport'" in n.message for n in app._notifications)


async def test_columns_give_way_at_80_columns(make_app, data):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#queue-table", CaseTable)
        shown = table.visible_column_names()
        for essential in ("key", "priority", "customer", "subject", "sla"):
            assert essential in shown
        assert "tier" not in shown and "age" not in shown
        assert len(table.plain_line(0)) <= 80
    assert [c.name for c, _w in layout_columns(200)] == [c.name for c, _w in layout_columns(400)]
    assert len(layout_columns(200)) == 11


def test_queue_ids_first_rows_match_the_full_order(store, data, agents):
    from agent_console.store.queries import QueueView

    with store.session() as session:
        for view in (QueueView(), QueueView(view="unassigned"), QueueView(view="mine", agent_id=agents["anna"].id),
                     QueueView(descending=True), QueueView(sort="customer")):
            full = queries.queue_case_ids(session, view)
            assert queries.queue_case_ids(session, view, limit=3) == full[:3]
        order = queries.queue_case_ids(session, QueueView())
        rows = queries.queue_rows(session, order)
    dues = [rows[i]["sla_due_at"] for i in order]
    assert dues == sorted(dues)


async def test_filter_sees_cases_changed_since_its_texts_were_read(make_app, data, store):
    from agent_console.app import SyncedChanges
    from agent_console.store.models import Case

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zebra")
        await settle(pilot)
        assert table_keys(app) == []
        # A colleague renames a case; the sync engine pulls the change and tells the console.
        with store.transaction() as session:
            case = session.scalars(select(Case).where(Case.key == data.keys["ben_case"])).one()
            case.subject = "Zebra crossing blocked"
            case_id = case.id
        app.post_message(SyncedChanges(frozenset({case_id})))
        await settle(pilot)
        await settle(pilot)
        assert table_keys(app) == [data.keys["ben_case"]]


def test_text_filter_narrows_what_it_found_before(store, data):
    from agent_console.screens.queue_filter import CaseTextFilter, filter_needle

    with store.session() as session:
        ids = queries.queue_case_ids(session, queries.QueueView(view="open"))
        texts = CaseTextFilter()
        texts.load(session)
        plain = queries.queue_search_texts(session)

    def scan(needle):
        return [i for i in ids if needle in plain[i]]

    assert filter_needle("  Rech   NUNG ") == "rech nung"
    typed = ""
    for char in "rechnung":  # each letter narrows the last result
        typed += char
        assert texts.filter(ids, typed) == scan(typed)
    assert len(texts.filter(ids, "rechnung")) == 2
    assert texts.filter(ids, "rech") == scan("rech")  # backspace: a full scan again
    assert texts.filter(ids, "") is ids
    assert texts.filter(ids, "petra phone") == scan("petra phone")
    # A match never spans two fields (key, subject, customer name are separate lines).
    assert texts.filter(ids, "blinkt rot") == scan("blinkt rot") != []
    assert texts.filter(ids, filter_needle("blinkt rot\npetra")) == []


async def test_filter_sees_a_case_renamed_while_another_screen_was_shown(make_app, data, store):
    from agent_console.store.models import Case

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"okapi", "enter")
        await settle(pilot)
        assert table_keys(app) == []
        await pilot.press("question_mark")  # the keys screen covers the queue
        await settle(pilot)
        with store.transaction() as session:
            case = session.scalars(select(Case).where(Case.key == data.keys["chat_ok"])).one()
            case.subject = "Okapi plush toy missing"
        await pilot.press("escape")  # back: the queue re-reads what it shows, the filter's texts too
        await settle(pilot)
        await settle(pilot)
        assert type(app.screen).__name__ == "QueueScreen"
        assert table_keys(app) == [data.keys["chat_ok"]]
