"""``login`` / ``logout`` / ``sync`` / ``sync status`` on real stores and a real server; the background engine
following the event stream; the header's offline state with the pending count."""

from __future__ import annotations

import json
import stat
import threading

from agent_console.sync import credentials
from tests.server.conftest import PASSWORD
from tests.sync.conftest import canonical_dump, server_dump
from tests.sync.test_failures import wait_until


def test_login_logout_two_stores_two_agents(team, cli, tmp_path):
    url = team.server.base_url
    ben_db, sue_db = tmp_path / "ben.db", tmp_path / "sue.db"
    wrong = cli("login", "--server", url, "ben", input="not the password\n", db=ben_db)
    assert wrong.exit_code == 1 and "wrong login or password" in wrong.output
    assert not credentials.token_path(ben_db).exists()

    for db, login in ((ben_db, "ben"), (sue_db, "sue")):
        done = cli("login", "--server", url, login, input=PASSWORD + "\n", db=db)
        assert done.exit_code == 0, done.output
        token_file = credentials.token_path(db)
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert credentials.load(db).login == login
    assert credentials.load(ben_db).token != credentials.load(sue_db).token

    # Each store now acts as its own agent without --agent.
    created = cli("case", "create", "--customer", "ivy@example.com", "--channel", "email", "--queue", "General",
                  "--subject", "Wrong size", "--body", "The shoes are too small.", db=ben_db)
    assert created.exit_code == 0, created.output
    synced = cli("sync", "--once", "--json", db=ben_db)
    assert synced.exit_code == 0, synced.output
    assert json.loads(synced.output)["applied"] == 1
    assert cli("sync", "--once", db=sue_db).exit_code == 0
    sue_cases = canonical_dump(_open(sue_db))["cases"]
    [(uid, case)] = [(uid, c) for uid, c in sue_cases.items() if c["subject"] == "Wrong size"]
    claimed = cli("case", "claim", case["key"], db=sue_db)
    assert claimed.exit_code == 0, claimed.output
    assert cli("sync", "--once", db=sue_db).exit_code == 0
    assert server_dump(team.server)["cases"][uid]["assignee"] == "sue"

    status = json.loads(cli("sync", "status", "--json", db=ben_db).output)
    assert status["agent"] == "ben" and status["server"] == url and status["pending_ops"] == 0
    assert status["cursor"] > 0 and status["logged_in"]

    ben_token = credentials.load(ben_db).token
    out = cli("logout", db=ben_db)
    assert out.exit_code == 0 and "logged out ben" in out.output
    assert not credentials.token_path(ben_db).exists()
    # The token is revoked on the server too; the other store's log-in is untouched.
    with team.server.client(token=ben_token) as client:
        assert client.get("/api/v1/auth/me").status_code == 401
    with team.server.client(token=credentials.load(sue_db).token) as client:
        assert client.get("/api/v1/auth/me").status_code == 200
    assert cli("sync", "--once", db=ben_db).exit_code == 1
    assert "not logged in" in cli("sync", "status", db=ben_db).output


def _open(path):
    from agent_console.store.db import open_store

    return open_store(path)


def test_the_background_engine_follows_events_and_reports_offline(floor):
    ben = floor.console("ben")
    sue = floor.console("sue")
    states: list[str] = []
    pulled = threading.Event()
    ben.engine.on_status = lambda status: states.append(status.label())
    ben.engine.on_changes = lambda report: pulled.set()
    ben.engine.start()
    sue.engine.start()
    wait_until(lambda: "online" in states, "ben's engine online")

    case = sue.cases().create_case(customer="jo@example.com", channel="web", queue="General",
                                   subject="Live change", body="Hello?")
    # Sue's engine pushes on its own; the server's event wakes Ben's engine, which pulls.
    wait_until(lambda: case.uid in canonical_dump(ben.store)["cases"], "the case in Ben's console")
    assert pulled.is_set()

    floor.server.stop()
    ben.cases().note(ben.case(case.uid).id, "Written while the server is down.")
    wait_until(lambda: "offline · 1 pending" in states, "the offline state with one pending op")
    floor.restart()
    ben.engine.nudge()
    wait_until(lambda: ben.pending() == 0, "the outbox drained after the restart", limit=60)
    wait_until(lambda: "Written while the server is down." in
               [m["body"] for m in canonical_dump(sue.store)["messages"].values()], "the note in Sue's console",
               limit=60)
    assert canonical_dump(sue.store)["messages"] == server_dump(floor.server)["messages"]
