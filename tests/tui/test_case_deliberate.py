"""Issue #17 points 4–6 on the case screen: resolving is deliberate, what happened is visible, handling time reads
true. A real store at a frozen clock, the real console app."""

from __future__ import annotations

from sqlalchemy import select

from agent_console.domain.cases import CaseService
from agent_console.domain.escalation import EscalationService
from agent_console.screens.confirm import ConfirmModal
from agent_console.store import queries
from agent_console.store.models import FollowUp, Message
from agent_console.widgets.reply_editor import ReplyEditor
from tests.helpers import wait_until_async
from tui_support import palette_offers, screen_text, settle

SIZE = (120, 36)


async def open_case(app, pilot, key: str) -> None:
    from agent_console.screens.case_detail import CaseDetailScreen

    with app.store.session() as session:
        case_id = queries.case_by_key(session, key).id
    await app.push_screen(CaseDetailScreen(case_id))
    await wait_until_async(lambda: app.screen.snapshot is not None, message="the case to load")
    await settle(pilot)


def case_of(store, key: str):
    with store.session() as session:
        return queries.case_by_key(session, key)


def replies_of(store, key: str) -> list[str]:
    with store.session() as session:
        case = queries.case_by_key(session, key)
        return [m.body for m in session.scalars(select(Message).where(Message.case_id == case.id,
                                                                      Message.direction == "out"))]


# --- point 4: resolving is deliberate -----------------------------------------------------------------------------


async def test_x_on_an_answered_case_of_mine_resolves_at_once(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot, data.keys["anna_case"])
        await pilot.press("x")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmModal)
        assert case_of(store, data.keys["anna_case"]).status == "resolved"


async def test_x_on_a_waiting_unassigned_case_asks_and_n_or_escape_cancel(make_app, data, store):
    key = data.keys["chat_ok"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot, key)
        for cancel in ("n", "escape"):
            await pilot.press("x")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmModal)
            text = screen_text(app)
            assert "The customer has had no reply since their last message." in text
            assert "This case is not assigned to you (it is unassigned)." in text
            await pilot.press(cancel)
            await settle(pilot)
            assert not isinstance(app.screen, ConfirmModal)
            assert case_of(store, key).status != "resolved"
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter")  # enter confirms like y
        await settle(pilot)
        assert case_of(store, key).status == "resolved"


async def test_x_on_a_colleagues_case_names_the_colleague(make_app, data, store):
    key = data.keys["ben_case"]  # answered by Ben, assigned to Ben
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot, key)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        text = screen_text(app)
        assert "This case is assigned to Ben Second, not to you." in text
        assert "no reply since" not in text
        await pilot.press("y")
        await settle(pilot)
        assert case_of(store, key).status == "resolved"


async def test_send_and_resolve_sends_the_reply_resolves_and_asks_the_wrap_up_code(make_app, data, store, agents):
    key = data.keys["karl_chat"]
    CaseService(store, app_clock(make_app), agents["anna"]).claim(key)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot, key)
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one(ReplyEditor).text_area.insert("Die Rechnung ist korrigiert.")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert replies_of(store, key) == ["Die Rechnung ist korrigiert."]
        assert case_of(store, key).status == "resolved"
        assert app.screen.query_one("#wrap-up-codes")  # the usual wrap-up after resolving
        assert app.tracker.state == "wrap_up"


async def test_send_and_set_pending(make_app, data, store, agents):
    key = data.keys["karl_chat"]
    CaseService(store, app_clock(make_app), agents["anna"]).claim(key)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot, key)
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one(ReplyEditor).text_area.insert("Bitte senden Sie uns die Rechnungsnummer.")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert replies_of(store, key) == ["Bitte senden Sie uns die Rechnungsnummer."]
        assert case_of(store, key).status == "pending"
        assert not app.screen.query_one(ReplyEditor).is_open


async def test_send_and_resolve_on_someone_elses_case_asks_before_sending(make_app, data, store):
    key = data.keys["ben_case"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot, key)
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one(ReplyEditor).text_area.insert("Erledigt.")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await settle(pilot)
        assert "Erledigt." not in replies_of(store, key)
        assert app.screen.query_one(ReplyEditor).text_area.text == "Erledigt."  # the text is kept


async def test_send_keys_are_in_the_footer_and_the_palette(make_app, data):
    app = make_app()
    async with app.run_test(size=(160, 36)) as pilot:
        await open_case(app, pilot, data.keys["anna_case"])
        footer = screen_text(app).splitlines()[-1]
        assert "Send & resolve" in footer and "Send & set pending" in footer
        for title in ("Send & resolve", "Send & set pending"):
            await pilot.press("ctrl+p")
            await settle(pilot)
            await pilot.press(*title.replace(" ", "").replace("&", ""))
            await wait_until_async(lambda: palette_offers(app, title), message=f"the palette to offer {title}")
            await pilot.press("escape")
            await settle(pilot)


# --- point 5: what happened is visible ----------------------------------------------------------------------------


async def test_the_case_shows_its_escalation_history_and_follow_ups(make_app, data, store, agents):
    key = data.keys["anna_case"]
    clock = app_clock(make_app)
    EscalationService(store, clock, agents["anna"], follow_up_hours=8).escalate(
        key, to_tier=2, to_queue="Technical", reason="Ratenplan braucht [b]Freigabe[/b]")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot, key)
        text = screen_text(app)
        assert "escalated 09:00" in text
        assert "T1 Billing → T2 Technical" in text
        assert "by Anna Agent" in text
        assert "Ratenplan braucht" in text and "[b]Freigabe[/b]" in text  # the reason, literally
        assert "follow-up due 17:00" in text  # 8 h later, in the agent's zone (UTC here)
    with store.session() as session:
        follow_up = session.scalars(select(FollowUp)).one()
    EscalationService(store, clock, agents["anna"]).complete_follow_up(follow_up.id)
    app = make_app(timezone="Europe/Berlin")
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot, key)
        text = screen_text(app)
        assert "escalated 10:00" in text
        assert "follow-up due 18:00 · done" in text


async def test_the_header_shows_email_and_phone(make_app, data, store, clock):
    service = CaseService(store, clock, None)
    case = service.create_case(customer="lena@example.com", channel="phone", queue="General", subject="Anruf",
                               body="Rückruf bitte", customer_name="Lena Both")
    from agent_console.store.models import Customer

    with store.transaction() as session:
        session.get(Customer, case.customer_id).phone = "+49 30 555 0101"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot, case.key)
        header = screen_text(app)
        assert "lena@example.com" in header and "+49 30 555 0101" in header


# --- point 6: handling time reads true ----------------------------------------------------------------------------


async def test_sending_on_a_break_asks_to_end_it_first(make_app, data, store, agents):
    key = data.keys["anna_case"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot, key)
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one(ReplyEditor).text_area.insert("Noch eine Frage?")
        app.action_take_break()
        await settle(pilot)
        assert app.tracker.state == "break"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert "You are on a break. End the break and send?" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert app.tracker.state == "break"
        assert "Noch eine Frage?" not in replies_of(store, key)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.tracker.state == "handling"
        assert app.tracker.running_segment is not None and app.tracker.running_segment.case_id == case_of(
            store, key).id
        assert "Noch eine Frage?" in replies_of(store, key)


def app_clock(make_app):
    """The frozen clock the consoles of ``make_app`` run on."""
    return make_app().clock


async def test_the_follow_ups_view_has_a_due_column_and_is_sorted_by_it(make_app, data, store, agents):
    from datetime import timedelta

    from agent_console.widgets.case_table import CaseTable

    clock = app_clock(make_app)
    now = clock.now()
    due = {"chat_ok": now + timedelta(hours=5), "ben_case": now - timedelta(hours=1),
           "email_old": now + timedelta(days=2)}
    with store.transaction() as session:
        for name, due_at in due.items():
            case = queries.case_by_key(session, data.keys[name])
            session.add(FollowUp(case_id=case.id, agent_id=agents["anna"].id, due_at=due_at,
                                 created_at=now - timedelta(days=3)))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")  # the agent sorted the other views by age
        await settle(pilot)
        option_list = app.screen.query_one("#pick-options")
        option_list.highlighted = [o.id for o in option_list.options].index("age")
        await pilot.press("enter")
        await settle(pilot)
        assert "sorted by Age ▲" in screen_text(app)
        await pilot.press("f")
        await settle(pilot)
        table = app.screen.query_one(CaseTable)
        assert "due" in table.visible_column_names() and "age" not in table.visible_column_names()
        rows = [table.plain_line(index) for index in range(table.row_count)]
        assert [row.split()[0] for row in rows] == [data.keys["ben_case"], data.keys["chat_ok"],
                                                   data.keys["email_old"]]
        assert "08:00" in rows[0] and "14:00" in rows[1] and "Wed 25 Nov 09:00" in rows[2]
        text = screen_text(app)
        assert "sorted by Due ▲" in text and "Due ▲" in text.splitlines()[1]
        assert "sorted by Age" not in text and "Age ▲" not in text
        await pilot.press("o")  # back to a normal view: no due column, in the agent's order (at 120 columns the
        await settle(pilot)     # age column gives way to the subject's third of the width)
        assert "due" not in table.visible_column_names()
        assert "sorted by Age" in screen_text(app)


async def test_the_console_checkpoints_the_running_segment_in_the_background(make_app, data, store):
    from datetime import timedelta

    from agent_console.store.models import HandlingSegment

    key = data.keys["anna_case"]
    app = make_app(heartbeat_s=1)
    clock = app.clock

    def stored_heartbeat():
        with store.session() as session:
            segment = session.scalars(select(HandlingSegment).where(HandlingSegment.ended_at.is_(None))).one()
            return segment.heartbeat_at

    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot, key)
        opened = stored_heartbeat()
        clock.advance(5)
        app.tick()  # the every-second tick: shows the time, writes nothing
        assert stored_heartbeat() == opened
        # The checkpoint worker (every heartbeat_s) stamps the segment; a crash now would lose nothing before it.
        await wait_until_async(lambda: stored_heartbeat() == opened + timedelta(seconds=5),
                               message="the background checkpoint")
