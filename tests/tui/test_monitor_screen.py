"""The live monitor on screen: refreshes show new figures, input never waits for a slow refresh, drill-down and the
supervisor's audited actions work, and the normal and wallboard modes look as recorded (frozen clock, fixed data)."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from agent_console.config import Settings
from agent_console.domain.cases import CaseService
from agent_console.domain.monitor import Drill, backfill_points, compute_snapshot
from agent_console.screens.monitor import MonitorApp, MonitorCaseScreen, MonitorCasesScreen, MonitorScreen
from agent_console.store.models import (Agent, AuditEvent, Case, Escalation, HelpContact, HelpFeedback, KBArticle,
                                        SlaPolicy)
from agent_console.widgets.monitor_tiles import MonitorTile
from tests.helpers import wait_until_async

SIZE = (160, 50)


def steady_compute(*args, **kwargs):
    """compute_snapshot with the measured time zeroed, so screenshots do not depend on the machine's speed."""
    return replace(compute_snapshot(*args, **kwargs), compute_ms=0.0)


@pytest.fixture
def floor(store, clock, agents):
    """Billing: two phone cases waiting (one breached), one e-mail case anna works; Delivery: one answered chat."""
    with store.transaction() as session:
        session.add(SlaPolicy(channel="phone", first_response_s=90, resolution_s=8 * 3600, service_level_goal=0.8))
        session.add(SlaPolicy(channel="email", first_response_s=4 * 3600, resolution_s=3 * 86400,
                              service_level_goal=0.9))
    anna = CaseService(store, clock, agents["anna"])
    now = clock.now()
    cases = {
        "late": anna.create_case(customer="+4930111", channel="phone", queue="Billing", subject="Double charge",
                                 body="I was charged twice", created_at=now - timedelta(minutes=5)),
        "new": anna.create_case(customer="+4930222", channel="phone", queue="Billing",
                                subject="[bold]Refund[/bold] please", body="[red]not markup[/red]",
                                customer_name="[i]Mallory[/i]", created_at=now - timedelta(seconds=30)),
        "mail": anna.create_case(customer="mia@example.com", channel="email", queue="Billing",
                                 subject="Invoice address", body="Please change it",
                                 created_at=now - timedelta(hours=1)),
        "chat": anna.create_case(customer="ole@example.com", channel="chat", queue="Delivery",
                                 subject="Where is my parcel", body="Tracking says nothing",
                                 created_at=now - timedelta(minutes=20)),
    }
    anna.claim(cases["mail"].id)
    anna.claim(cases["chat"].id)
    anna.reply(cases["chat"].id, "It left the depot this morning.")
    return cases


#: The deflection warns below 75 % and is critical below 50 %.
DEFLECTION_THRESHOLDS = Settings(timezone="UTC", monitor_thresholds={"default": {"deflection": [0.75, 0.5]}})


@pytest.fixture
def help_center_today(store, clock, floor):
    """The help center today: two visits answered "yes", one answered "no" and sent the contact form (the new phone
    case stands in for its web case): 2 self-service resolutions, deflection 2 / 3."""
    now = clock.now()
    with store.transaction() as session:
        article = KBArticle(slug="ruecksendung", title="Rücksendung", language="de", public=True, body="So geht's.")
        session.add(article)
        session.flush()
        for visit, solved in (("visit-a", True), ("visit-b", True), ("visit-c", False)):
            session.add(HelpFeedback(article_id=article.id, solved=solved, language="de", visit=visit,
                                     created_at=now - timedelta(minutes=10)))
        session.add(HelpContact(case_id=floor["new"].id, sender="carla@example.com", visit="visit-c", language="de",
                                created_at=now - timedelta(minutes=5)))


def make_monitor(store, clock, agents, **kwargs) -> MonitorApp:
    kwargs.setdefault("compute", steady_compute)
    kwargs.setdefault("backfill", None)
    kwargs.setdefault("refresh_on_timer", False)
    kwargs.setdefault("settings", Settings(timezone="UTC"))
    return MonitorApp(store=store, clock=clock, supervisor=agents["sue"], **kwargs)


async def settle(pilot) -> None:
    # A finished worker's message can start the next step (a refresh after the first load, the trend after it): let
    # such chains run out before the test looks.
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def tile(app, name: str) -> MonitorTile:
    return next(t for t in app.screen.query(MonitorTile) if t.group_name == name)


def tile_text(app, name: str) -> str:
    return str(tile(app, name).content)


async def test_a_refresh_shows_the_new_figures(store, clock, agents, floor):
    app = make_monitor(store, clock, agents)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "waiting 2" in tile_text(app, "Billing")
        assert "breached 1" in tile_text(app, "Billing")
        CaseService(store, clock, agents["anna"]).create_case(
            customer="+4930333", channel="phone", queue="Billing", subject="Cancel", body="please")
        clock.advance(120)
        await pilot.press("r")
        await settle(pilot)
        assert "waiting 3" in tile_text(app, "Billing")
        # Two minutes on, the 90 s of "new" and of the case just created have passed as well.
        assert "breached 3" in tile_text(app, "Billing")
        assert app.refresh_count == 2 and app.skipped_refreshes == 0


async def test_the_timer_refreshes_by_itself(store, clock, agents, floor):
    app = make_monitor(store, clock, agents, refresh_on_timer=True, interval=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        CaseService(store, clock, agents["anna"]).claim(floor["late"].id)
        for _ in range(100):  # waits for the timer, however slow the machine; no timing is asserted
            await pilot.pause(0.05)
            if "waiting 1" in tile_text(app, "Billing"):
                break
        assert "waiting 1" in tile_text(app, "Billing")
        assert app.refresh_count >= 2


async def test_input_is_handled_while_a_slow_refresh_runs_and_extra_refreshes_are_skipped(store, clock, agents,
                                                                                           floor):
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow_compute(*args, **kwargs):
        calls.append(1)
        started.set()
        release.wait(30)
        return steady_compute(*args, **kwargs)

    app = make_monitor(store, clock, agents, compute=slow_compute)
    async with app.run_test(size=SIZE) as pilot:
        assert await asyncio.to_thread(started.wait, 30)
        assert app.refresh_in_flight
        channels = app.screen.query_one("#channels")
        assert channels.display
        await pilot.press("c")  # hide the channel table: handled while the refresh is still computing
        assert not channels.display
        await pilot.press("g")
        assert app.focused is app.screen.query_one("#agents")
        assert app.refresh_in_flight and app.refresh_count == 0
        await pilot.press("r")  # another refresh asked for while one runs: skipped, not queued
        await pilot.press("r")
        assert app.skipped_refreshes == 2
        release.set()
        await settle(pilot)
        assert app.refresh_count == 1 and len(calls) == 1 and not app.refresh_in_flight
        assert "waiting 2" in tile_text(app, "Billing")


async def test_drill_down_to_a_queue_and_a_case_shown_literally(store, clock, agents, floor):
    app = make_monitor(store, clock, agents)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        assert isinstance(app.focused, MonitorTile) and app.focused.group_name == "Billing"
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MonitorCasesScreen)
        table = screen.query_one("#cases")
        keys = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert keys == [floor["late"].key, floor["new"].key, floor["mail"].key]  # most urgent first
        assert str(table.get_row_at(1)[9]) == "[bold]Refund[/bold] please"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MonitorCaseScreen)
        head = str(app.screen.query_one("#case-head").content)
        assert "[bold]Refund[/bold] please" in head and "[i]Mallory[/i]" in head
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, MonitorScreen)


def listed_keys(app) -> list[str]:
    table = app.screen.query_one("#cases")
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def open_list(pilot, *keys: str) -> MonitorCasesScreen:
    await pilot.press(*keys)
    await settle(pilot)
    assert isinstance(pilot.app.screen, MonitorCasesScreen)
    return pilot.app.screen


async def test_every_floor_figure_opens_exactly_its_cases(store, clock, agents, floor):
    from agent_console.store.models import FollowUp

    with store.transaction() as session:
        session.add(FollowUp(case_id=floor["mail"].id, agent_id=agents["anna"].id, due_at=clock.now(),
                             note="call back", created_at=clock.now()))
    app = make_monitor(store, clock, agents)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        snap = app.snapshot
        assert snap.floor.breached == 1 and snap.floor.waiting == 2
        # f: the floor's figures, left to right: waiting, longest, at risk, breached, escalated, follow-ups.
        screen = await open_list(pilot, "f", "enter")
        assert screen.drill.figure == "waiting" and screen.total == 2
        assert listed_keys(app) == [floor["late"].key, floor["new"].key]
        await pilot.press("escape")
        screen = await open_list(pilot, "f", "right", "enter")
        assert screen.drill.figure == "longest" and listed_keys(app) == [floor["late"].key]
        await pilot.press("escape")
        screen = await open_list(pilot, "f", "right", "right", "right", "enter")
        assert screen.drill.figure == "breached" and listed_keys(app) == [floor["late"].key]
        assert "Floor — breached · 1 case" in str(screen.query_one("#cases-title").content)
        await pilot.press("escape")
        screen = await open_list(pilot, "f", *["right"] * 5, "enter")
        assert screen.drill.figure == "follow_ups" and listed_keys(app) == [floor["mail"].key]
        assert screen.total == app.snapshot.follow_ups_due == 1
        await pilot.press("escape")
        # A tile: down moves from the queue's open cases to waiting, longest, at risk, breached.
        screen = await open_list(pilot, "t", "down", "down", "down", "down", "enter")
        assert screen.drill == Drill("breached", "queue", "Billing") and listed_keys(app) == [floor["late"].key]
        await pilot.press("escape")
        # An agent's row: the agent's open cases (anna holds "mail" and "chat").
        await pilot.press("g")
        agents_table = app.screen.query_one("#agents")
        agents_table.move_cursor(row=[str(k.value) for k in agents_table.rows].index("anna"))
        screen = await open_list(pilot, "enter")
        assert screen.drill == Drill("open", "agent", "anna")
        assert sorted(listed_keys(app)) == sorted([floor["mail"].key, floor["chat"].key])
        assert app.snapshot.agent("anna").open_cases == 2
        await pilot.press("escape")
        # A channel's "waiting" cell: the channel's waiting cases.
        channels = app.screen.query_one("#channels")
        channels.focus()
        channels.move_cursor(row=[str(k.value) for k in channels.rows].index("phone"),
                             column=[str(c.value) for c in channels.columns].index("waiting"))
        screen = await open_list(pilot, "enter")
        assert screen.drill == Drill("waiting", "channel", "phone") and screen.total == 2


async def test_move_to_another_queue_from_a_drill_down(store, clock, agents, floor):
    app = make_monitor(store, clock, agents)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await open_list(pilot, "f", "right", "right", "right", "enter")  # breached: "late"
        await pilot.press("g")
        await pick(pilot, "Delivery")
        await settle(pilot)
        await shown_and_still_running(pilot, f"{floor['late'].key} moved to queue Delivery")
        assert listed_keys(app) == [floor["late"].key]  # still breached, now in Delivery
    with store.session() as session:
        assert session.get(Case, floor["late"].id).queue == "Delivery"


async def pick(pilot, value: str) -> None:
    """Choose ``value`` in the open PickModal."""
    from textual.widgets import OptionList

    options = pilot.app.screen.query_one(OptionList)
    options.highlighted = next(i for i in range(options.option_count) if options.get_option_at_index(i).id == value)
    await pilot.press("enter")
    await pilot.pause()


async def shown_and_still_running(pilot, text: str) -> None:
    """The notification ``text`` is drawn in a toast and the monitor is still running (a notification Textual cannot
    draw ends the app when its toast is rendered, after the change was saved)."""
    from textual.widgets._toast import Toast

    app = pilot.app

    def toast_or_death() -> bool:
        return (app._exception is not None or not app.is_running
                or any(text in str(toast._notification.message) for toast in app.screen.query(Toast)))

    await wait_until_async(toast_or_death, message=f"no toast {text!r}")
    await pilot.pause()  # the toast is drawn
    assert app._exception is None, f"the monitor died: {app._exception!r}"
    assert app.is_running and app.return_code is None
    assert any(text in str(n.message) for n in app._notifications)
    assert any(text in str(toast.render()) for toast in app.screen.query(Toast))


async def test_reassign_priority_and_escalate_are_audited(store, clock, agents, floor):
    app = make_monitor(store, clock, agents)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("t", "enter")
        await settle(pilot)
        # The cursor is on the most urgent case, "late".
        key = floor["late"].key
        await pilot.press("a")
        await pick(pilot, str(agents["ben"].id))
        await settle(pilot)
        await shown_and_still_running(pilot, f"{key} assigned")
        await pilot.press("p")
        await pick(pilot, "urgent")
        await settle(pilot)
        await shown_and_still_running(pilot, f"{key} priority urgent")
        await pilot.press("e")
        await pick(pilot, "tier:2")
        await pilot.press(*"customer asks for a manager", "enter")
        await settle(pilot)
        await shown_and_still_running(pilot, f"{key} escalated to tier 2")
        # The escalated case left for tier 2 and nobody holds it; the supervisor takes it.
        await pilot.press("c")
        await settle(pilot)
        await shown_and_still_running(pilot, f"{key} is yours now")
    with store.session() as session:
        case = session.get(Case, floor["late"].id)
        assert (case.priority, case.tier, case.escalation_level) == ("urgent", 2, 1)
        assert case.assignee_id == agents["sue"].id
        actions = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == case.id,
                                                           AuditEvent.actor_agent_id == agents["sue"].id)
                                  .order_by(AuditEvent.id)).all()
        assert [a.action for a in actions] == ["case.assign", "case.update", "case.escalate", "case.claim"]
        assert json.loads(actions[0].detail)["assignee"] == "ben"
        escalation = session.scalars(select(Escalation).where(Escalation.case_id == case.id)).one()
        assert escalation.reason == "customer asks for a manager" and escalation.from_agent_id == agents["ben"].id


async def test_actions_from_the_case_view_keep_the_monitor_running(store, clock, agents, floor):
    app = make_monitor(store, clock, agents)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("t", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MonitorCaseScreen)
        key = floor["late"].key
        await pilot.press("a")
        await pick(pilot, str(agents["anna"].id))
        await settle(pilot)
        await shown_and_still_running(pilot, f"{key} assigned")
        assert "assignee anna" in str(app.screen.query_one("#case-head").content)
        await pilot.press("p")
        await pick(pilot, "high")
        await settle(pilot)
        await shown_and_still_running(pilot, f"{key} priority high")
        assert isinstance(app.screen, MonitorCaseScreen)


async def test_a_failed_action_shows_why_and_the_monitor_keeps_running(store, clock, agents, floor):
    with store.transaction() as session:  # a name that is not markup: shown literally, never interpreted
        session.get(Agent, agents["anna"].id).name = "Anna [/x] Agent"
    app = make_monitor(store, clock, agents)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("t", "enter")
        await settle(pilot)
        # "mail" (third, anna holds it): the supervisor cannot take a case another agent holds.
        await pilot.press("down", "down", "c")
        await settle(pilot)
        await shown_and_still_running(pilot, f"{floor['mail'].key} is already claimed by Anna [/x] Agent")
        # An agent deactivated while the list was open cannot be assigned: the store refuses, the monitor says so.
        await pilot.press("a")
        with store.transaction() as session:
            session.execute(Agent.__table__.delete().where(Agent.__table__.c.login == "ben"))
        await pick(pilot, str(agents["ben"].id))
        await settle(pilot)
        await shown_and_still_running(pilot, f"no agent with id {agents['ben'].id}")
        assert isinstance(app.screen, MonitorCasesScreen)
    with store.session() as session:
        assert session.get(Case, floor["mail"].id).assignee_id == agents["anna"].id


async def test_the_command_palette_offers_the_monitors_actions(store, clock, agents, floor):
    app = make_monitor(store, clock, agents)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Refresh now", "Show or hide channels", "Go to queue tiles", "Go to agents", "Wallboard"):
            assert title in titles
        await pilot.press("w")
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Back to the monitor" in titles
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, MonitorScreen) and len(app.screen_stack) == 2


async def test_arrow_keys_move_between_tiles(store, clock, agents, floor):
    app = make_monitor(store, clock, agents)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t", "right")
        assert app.focused.group_name == "Delivery"
        await pilot.press("left")
        assert app.focused.group_name == "Billing"


async def test_started_as_a_wallboard_it_can_open_the_monitor(store, clock, agents, floor):
    app = make_monitor(store, clock, agents, wallboard=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Contact center" in str(app.screen.query_one("#wall-status").content)
        await pilot.press("w")
        await wait_until_async(lambda: isinstance(app.screen, MonitorScreen) and app.screen.query(MonitorTile),
                               message="the monitor opens from the wallboard")
        assert "waiting 2" in tile_text(app, "Billing")  # the snapshot already there is shown at once


def test_the_big_font_draws_durations_and_never_joins_glyphs():
    from agent_console.widgets.monitor_tiles import BIG_FONT, big_lines

    for glyph in BIG_FONT.values():
        assert len({len(row) for row in glyph}) == 1  # one width per character, on every row
    lines = big_lines("3d12h")
    assert lines is not None and len(lines) == 3
    # Five glyphs, each with a blank column after it but the last: nothing overlaps, and d and h are drawn.
    widths = [len(BIG_FONT[ch][0]) for ch in "3d12h"]
    assert len(lines[0]) == sum(widths) + 4
    column = 0
    for width in widths[:-1]:
        column += width
        assert all(line[column] == " " for line in lines)
        column += 1
    assert big_lines("2d04h") != big_lines("2-04-")  # the letters are letters, not dashes
    assert big_lines("12:05") is not None and big_lines("80%") is not None and big_lines("—") == big_lines("-")
    assert big_lines("3x") is None


async def test_the_monitor_at_80x24_shows_every_queue_and_every_channel_column(store, clock, agents, floor):
    from agent_console.store.models import QUEUES

    for n, queue in enumerate(sorted(QUEUES)):
        CaseService(store, clock, agents["anna"]).create_case(
            customer=f"+49301{n:03d}", channel="chat", queue=queue, subject="Hello", body="hi")
    app = make_monitor(store, clock, agents)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.compact
        tiles = list(screen.query(MonitorTile))
        assert len(tiles) == len(app.snapshot.queues) >= 5
        for queue_tile in tiles:  # one row each, inside the screen's width, none hidden by the container
            assert queue_tile.compact and queue_tile.region.height == 1
            assert queue_tile.region.right <= 80
        container = screen.query_one("#queue-tiles")
        assert container.region.height >= len(tiles)
        channels = screen.query_one("#channels")
        assert channels.virtual_size.width <= channels.region.width  # no column cut off
        # In a compact row, left/right choose the figure and down moves to the next queue.
        await pilot.press("t", "right", "right")
        assert app.focused.figure == "longest"
        await pilot.press("down")
        assert app.focused is tiles[1]


async def test_the_status_line_fits_its_refresh_figures_to_the_width_after_a_resize(store, clock, agents, floor):
    app = make_monitor(store, clock, agents)
    async with app.run_test(size=(70, 24)) as pilot:
        await settle(pilot)

        def status() -> str:
            return str(app.screen.query_one("#monitor-status").content)

        assert "Live monitor" in status() and "refresh" not in status()  # no room for them at 70 columns
        await pilot.resize_terminal(160, 50)
        await wait_until_async(lambda: "every 2 s · refresh 0 ms" in status(), message=status())
        await pilot.resize_terminal(70, 24)
        await wait_until_async(lambda: "refresh" not in status(), message=status())


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_the_wallboards_large_figures_fit_their_boxes(store, clock, agents, floor, help_center_today, size):
    from agent_console.widgets.monitor_tiles import BigText

    # The help center's answers and form moved to the day the figures are taken: its figures are on the wall too.
    with store.transaction() as session:
        for row in (*session.scalars(select(HelpFeedback)), *session.scalars(select(HelpContact))):
            row.created_at = clock.now() + timedelta(hours=84)
    clock.advance(hours=84)  # the oldest case has waited three and a half days: a duration with letters
    app = make_monitor(store, clock, agents, wallboard=True)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        figures = list(app.screen.query(BigText))
        assert len(figures) >= 7 and all(figure.display for figure in app.screen.query("#wall-floor BigFigure"))
        longest = app.screen.query_one("#big-longest BigText", BigText)
        assert longest.value == "3d12h"
        for figure in figures:
            lines = str(figure.render()).splitlines()
            assert all(len(line) <= figure.content_size.width for line in lines), (figure.value, lines)
        if size == (160, 50):  # room enough: drawn large, the letters included
            assert str(longest.render()).splitlines() == big_lines_of("3d12h")


async def test_the_wallboard_shows_todays_self_service_by_colour_and_symbol(store, clock, agents, floor,
                                                                           help_center_today):
    from agent_console.widgets.monitor_tiles import BigFigure, BigText, FittedLabel

    app = make_monitor(store, clock, agents, wallboard=True, settings=DEFLECTION_THRESHOLDS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        resolutions = app.screen.query_one("#big-self-service", BigFigure)
        deflection = app.screen.query_one("#big-deflection", BigFigure)
        assert resolutions.display and deflection.display
        assert resolutions.query_one(BigText).value == "2"
        assert deflection.query_one(BigText).value == "67"
        assert deflection.has_class("level-warning")  # 67 % is below the warning's 75 %
        assert str(deflection.query_one(FittedLabel).render()) == "▲ deflection %"


async def test_a_wallboard_without_the_help_center_today_shows_nothing_of_it(store, clock, agents, floor):
    app = make_monitor(store, clock, agents, wallboard=True, settings=DEFLECTION_THRESHOLDS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#big-waiting").display
        assert not app.screen.query_one("#big-self-service").display
        assert not app.screen.query_one("#big-deflection").display


def big_lines_of(value: str) -> list[str]:
    from agent_console.widgets.monitor_tiles import big_lines

    return big_lines(value)


def test_snapshot_of_the_monitor_at_80x24(snap_compare, store, clock, agents, floor):
    app = make_monitor(store, clock, agents, backfill=backfill_points)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_snapshot_of_the_wallboard_at_80x24(snap_compare, store, clock, agents, floor, help_center_today):
    app = make_monitor(store, clock, agents, wallboard=True, backfill=backfill_points, settings=DEFLECTION_THRESHOLDS)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_snapshot_of_the_monitor(snap_compare, store, clock, agents, floor):
    app = make_monitor(store, clock, agents, backfill=backfill_points)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_snapshot_of_the_wallboard(snap_compare, store, clock, agents, floor, help_center_today):
    app = make_monitor(store, clock, agents, wallboard=True, backfill=backfill_points, settings=DEFLECTION_THRESHOLDS)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)
