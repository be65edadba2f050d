"""The screen pop on a synced console (#20 points 3 and 6): an event posted to the team server pops on the agent's
console through the pull (``ApplyReport.call_uids`` → ``CallsChanged``; the console's own look at the store is off
here), and clears when a colleague answers the call."""

from __future__ import annotations

import httpx

from agent_console.config import Settings
from agent_console.domain.clock import SystemClock
from agent_console.screens.call_pop import CallPopScreen
from test_app_sync import SIZE, wait_for


async def test_a_call_posted_to_the_server_pops_and_clears_when_a_colleague_answers(team):
    from agent_console.app import AgentConsoleApp

    ben = team.console("ben")
    app = AgentConsoleApp(store=ben.store, agent=ben.agent, clock=SystemClock(), settings=Settings(timezone="UTC"),
                          phone_check_s=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.sync_status == "online", "the header to say online")
        with httpx.Client(base_url=team.server.base_url,
                          headers={"Authorization": f"Bearer {team.server.token('root')}"}) as client:
            response = client.post("/api/v1/cti/events", json={
                "event": "newCall", "callId": "sync-pop-1", "direction": "in", "from": "0171 7654321",
                "to": "0800", "user": ["ben", "anna"], "queue": "General"})
            assert response.status_code == 200, response.text
            await wait_for(pilot, lambda: isinstance(app.screen, CallPopScreen)
                           and app.screen.card.call_id == "sync-pop-1", "the pop on Ben's console", tries=150)
            assert app.screen.card.number == "+491717654321" and not app.screen.card.known
            response = client.post("/api/v1/cti/events", json={"event": "answer", "callId": "sync-pop-1",
                                                               "user": ["anna"]})
            assert response.status_code == 200, response.text
            await wait_for(pilot, lambda: not isinstance(app.screen, CallPopScreen), "the pop to clear",
                           tries=150)
        assert app.tracker.running_segment is None  # anna answered, not ben
