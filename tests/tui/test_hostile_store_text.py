"""Text that is already in the store — written with SQL, as an old store or a hostile sync could leave it — reaches
no terminal raw (issue #14, point 1): every field of every entity holds escape sequences, an OSC 52 clipboard write,
an OSC 0 title, NUL, DEL, a C1 CSI, a bidi override and Rich markup, and every screen (queue, case with its header,
thread, queue picker, canned and KB pickers, monitor, drill-down, wallboard) shows it without a control character and
with the markup literal."""

from __future__ import annotations

from sqlalchemy import select
from tui_support import Host, screen_segments, screen_text, settle

from agent_console.config import Settings
from agent_console.store.models import Agent, Case
from tests.unit.hostile_text import FORBIDDEN, HOSTILE, poison_store

MARKUP = "[bold red]x[/]"


def assert_screen_safe(app, where: str, literal: str = MARKUP) -> None:
    for segment in screen_segments(app):
        found = FORBIDDEN.search(segment.text)
        assert found is None, f"{where}: {found.group()!r} in {segment.text!r}"
        style = segment.style
        assert style is None or not style.link, f"{where}: a link from markup in {segment.text!r}"
    assert literal in screen_text(app), f"{where}: the markup is not shown literally"


def poisoned(store, clock, data) -> None:
    """The fixed cases (tui_support.build_cases) plus a KB article, a canned response, an escalation with its
    follow-up and a handling segment; then every text field of all of them overwritten with HOSTILE."""
    from datetime import timedelta

    from agent_console.domain.canned import CannedResponses
    from agent_console.domain.escalation import EscalationService
    from agent_console.domain.kb import KnowledgeBase
    from agent_console.store.models import HandlingSegment

    with store.session() as session:
        sue = session.scalars(select(Agent).where(Agent.login == "sue")).one()
        case = session.scalars(select(Case).where(Case.key == data.keys["anna_case"])).one()
    KnowledgeBase(store, clock, sue).create(title="Router reset", body="Press the reset button", language="en",
                                            tags="router", slug="reset")
    CannedResponses(store, clock, sue).create(title="Greeting", shortcut="hi", body="Hello", language="en")
    EscalationService(store, clock, sue).escalate(case.id, to_tier=2, reason="needs tier 2")
    with store.transaction() as session:
        session.add(HandlingSegment(case_id=case.id, agent_id=sue.id, kind="handle",
                                    started_at=clock.now() - timedelta(minutes=9), end_reason="switch",
                                    ended_at=clock.now() - timedelta(minutes=8), wrap_up_code="solved"))
    poison_store(store, clock, HOSTILE)


def agent(store, login: str) -> Agent:
    with store.session() as session:
        return session.scalars(select(Agent).where(Agent.login == login)).one()


async def test_queue_case_header_thread_and_queue_picker(store, clock, data):
    from agent_console.app import AgentConsoleApp

    poisoned(store, clock, data)
    app = AgentConsoleApp(store=store, agent=agent(store, "sue"), clock=clock, settings=Settings(timezone="UTC"),
                          sla_sweep_s=None)
    async with app.run_test(size=(170, 40)) as pilot:
        await settle(pilot)
        assert_screen_safe(app, "queue")
        await pilot.press("enter")
        await settle(pilot)
        assert "Customer" in screen_text(app)
        assert_screen_safe(app, "case")
        await pilot.press("g")  # move to another queue: the picker lists the stored queue names
        await settle(pilot)
        assert_screen_safe(app, "queue picker", "red]x[/][link=http://evil]")  # wrapped in the narrow list


async def test_canned_and_kb_pickers(store, clock, agents, data):
    from agent_console.screens.canned import CannedPicker
    from agent_console.screens.kb_search import KBSearchScreen

    poisoned(store, clock, data)
    with store.session() as session:
        case_id = session.scalars(select(Case.id).where(Case.key == data.keys["anna_case"])).one()
    canned = Host(lambda: CannedPicker(store=store, clock=clock, agent=agents["anna"], case_id=case_id))
    async with canned.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert_screen_safe(canned, "canned picker")
    kb = Host(lambda: KBSearchScreen(store=store, clock=clock, agent=agents["anna"], case_id=case_id,
                                     query="evil"))
    async with kb.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert "kb:reset" in screen_text(kb)
        assert_screen_safe(kb, "KB search")


async def test_monitor_drill_down_and_wallboard(store, clock, data):
    from agent_console.domain.monitor import Drill
    from agent_console.screens.monitor import MonitorApp, MonitorCaseScreen, MonitorCasesScreen

    poisoned(store, clock, data)
    supervisor = agent(store, "sue")
    monitor = MonitorApp(store=store, clock=clock, supervisor=supervisor, settings=Settings(timezone="UTC"),
                         backfill=None, refresh_on_timer=False)
    async with monitor.run_test(size=(170, 50)) as pilot:
        await settle(pilot)
        assert_screen_safe(monitor, "monitor")
        monitor.push_screen(MonitorCasesScreen(Drill(kind="queue", name=HOSTILE)))
        await settle(pilot)
        assert monitor.screen.query_one("#cases").row_count > 0
        assert_screen_safe(monitor, "monitor drill-down")
        with store.session() as session:
            case_id = session.scalars(select(Case.id).where(Case.key == data.keys["anna_case"])).one()
        monitor.push_screen(MonitorCaseScreen(case_id))
        await settle(pilot)
        assert_screen_safe(monitor, "monitor case")
    wallboard = MonitorApp(store=store, clock=clock, supervisor=supervisor, settings=Settings(timezone="UTC"),
                           backfill=None, refresh_on_timer=False, wallboard=True)
    async with wallboard.run_test(size=(170, 50)) as pilot:
        await settle(pilot)
        assert "Contact center" in screen_text(wallboard)
        assert_screen_safe(wallboard, "wallboard", "Qred[bold red]x[/][link=")  # the panel title is cut to one line


async def test_notifications_show_text_literally(make_app, data):
    """A notification quoting stored text (a canned response's title, a sync notice, an error naming a queue) is
    cleaned and never parsed as markup, whichever screen sends it."""
    app = make_app()
    async with app.run_test(size=(170, 30)) as pilot:
        await settle(pilot)
        app.screen.notify(f"Press ctrl+d again to delete “{HOSTILE}”.", title=HOSTILE, timeout=30)
        await pilot.pause()
        [notification] = list(app._notifications)
        assert not FORBIDDEN.search(notification.message) and not FORBIDDEN.search(notification.title)
        assert notification.markup is False
        assert_screen_safe(app, "notification")
