"""The console on a logged-in store: the sync engine runs in the background, the header shows its state, pulled
changes refresh the queue, and a lost claim arrives as a notification."""

from __future__ import annotations

from agent_console.config import Settings
from agent_console.domain.clock import SystemClock
from agent_console.widgets.case_table import CaseTable

SIZE = (140, 40)


async def wait_for(pilot, condition, what: str, tries: int = 300) -> None:
    """Let the app run until the condition holds (bounded, so a broken test fails instead of hanging)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def queue_keys(app) -> list[str]:
    table = app.screen.query_one("#queue-table", CaseTable)
    return [table.row(i)["key"] for i in range(table.row_count)]


async def test_the_console_syncs_in_the_background(team):
    from agent_console.app import AgentConsoleApp

    ben = team.console("ben")
    sue = team.console("sue")
    app = AgentConsoleApp(store=ben.store, agent=ben.agent, clock=SystemClock(), settings=Settings(timezone="UTC"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.sync_status == "online", "the header to say online")
        assert app.sync_engine is not None

        # Sue opens a case on the team's server: it appears in Ben's queue without a keystroke.
        case = sue.cases().create_case(customer="ulla@example.com", channel="email", queue="General",
                                       subject="Arrived in the background", body="Hello from Sue's side.")
        sue.sync()
        key = sue.case(case.uid).key
        await wait_for(pilot, lambda: key in queue_keys(app), "the new case in Ben's queue", tries=150)

        # Both claim it while Ben's console is cut off; Sue's claim reaches the server first. When Ben's console
        # syncs again it is told, and it shows Sue as the holder.
        app.sync_engine.stop(timeout=10)
        sue.cases().claim(sue.case(case.uid).id)
        sue.sync()
        ben.cases().claim(ben.case(case.uid).id)
        app.sync_engine.start()
        await wait_for(pilot, lambda: any("already claimed by Sue" in str(n.message) for n in app._notifications),
                       "the conflict notification")
        from sqlalchemy import select

        from agent_console.store.models import Agent

        with ben.store.session() as session:
            sue_id = session.scalar(select(Agent.id).where(Agent.login == "sue"))
        assert ben.case(case.uid).assignee_id == sue_id
        await pilot.press("q")


async def test_a_store_that_is_not_logged_in_stays_local(store, agents, clock):
    from agent_console.app import AgentConsoleApp

    app = AgentConsoleApp(store=store, agent=agents["anna"], clock=clock, settings=Settings(timezone="UTC"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.sync_engine is None
        assert app.sync_status == "local only"
