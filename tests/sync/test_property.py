"""Random interleavings of work in 2–3 consoles with random disconnects: in the end every replica equals the server,
and every message written exists exactly once."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings, strategies as st

from agent_console.domain.cases import CaseError
from agent_console.sync.client import Offline, SyncClient
from agent_console.store.queries import NotFound
from tests.server import pg
from tests.sync.conftest import canonical_dump, dumps, server_dump

LOGINS = ("ben", "sue", "racer0")
ACTIONS = ("create", "note", "reply", "claim", "release", "status", "priority", "sync", "disconnect", "reconnect")
STATUSES = ("open", "pending", "resolved", "closed")
PRIORITIES = ("urgent", "high", "normal", "low")

steps = st.lists(
    st.tuples(st.integers(0, 2), st.sampled_from(ACTIONS), st.integers(0, 50), st.integers(0, 3)),
    min_size=4, max_size=24,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True)
@given(clients=st.integers(2, 3), plan=steps)
def test_random_interleavings_converge(team, clients, plan):
    consoles = [team.console(login) for login in LOGINS[:clients]]
    online = {id(c.engine): c.engine.client for c in consoles}
    dead_url = f"http://127.0.0.1:{pg.free_port()}"  # nothing listens there: a real refused connection
    written: list[str] = []
    try:
        for who, action, pick, choice in plan:
            console = consoles[who % clients]
            service = console.cases()
            known = sorted(canonical_dump(console.store)["cases"])
            case = console.case(known[pick % len(known)]).id if known else None
            try:
                if action == "create":
                    service.create_case(customer=f"{uuid.uuid4().hex[:8]}@example.com", channel="email",
                                        queue="General", subject=f"Case {uuid.uuid4().hex[:6]}", body="Help!")
                elif case is None:
                    continue
                elif action in ("note", "reply"):
                    body = f"{action} {uuid.uuid4().hex}"
                    (service.note if action == "note" else service.reply)(case, body)
                    written.append(body)
                elif action == "claim":
                    service.claim(case)
                elif action == "release":
                    service.release(case)
                elif action == "status":
                    service.set_status(case, STATUSES[choice])
                elif action == "priority":
                    service.set_priority(case, PRIORITIES[choice])
                elif action == "sync":
                    console.sync()
                elif action == "disconnect":
                    console.engine.client = SyncClient(dead_url, online[id(console.engine)].token)
                elif action == "reconnect":
                    console.engine.client = online[id(console.engine)]
            except (CaseError, NotFound, Offline):
                pass  # the rules said no locally, or the console is offline: both are part of the game
        for console in consoles:
            console.engine.client = online[id(console.engine)]
        for _round in range(2):
            for console in consoles:
                console.sync()
        on_server = server_dump(team.server)
        for console in consoles:
            assert console.pending() == 0
            assert canonical_dump(console.store) == on_server, dumps(on_server)
        bodies = [m["body"] for m in on_server["messages"].values()]
        drafts = _drafts(consoles)
        for body in written:
            # A message is on the server exactly once, or (refused by the server) back in its author's draft.
            assert bodies.count(body) + sum(body in d for d in drafts) == 1, body
    finally:
        for console in consoles:
            console.engine.client = online[id(console.engine)]
            console.close()
        team.consoles.clear()


def _drafts(consoles) -> list[str]:
    from sqlalchemy import select

    from agent_console.store.models import Draft

    out = []
    for console in consoles:
        with console.store.session() as session:
            out.extend(session.scalars(select(Draft.body)))
    return out
