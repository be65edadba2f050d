"""Offline work, a server killed in the middle of a push, a client killed in the middle of a pull, refused replies."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from agent_console.sync.client import Offline
from tests.server.conftest import new_case_op
from tests.sync.conftest import canonical_dump, outbox_statuses, server_dump


def wait_until(condition, what: str, limit: float = 30.0, step: float = 0.02):
    """Poll for a condition (not a speed check: the limit only stops a broken test from hanging)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(step)


def test_a_console_offline_keeps_working_and_catches_up(floor):
    ben = floor.console("ben")
    sue = floor.console("sue")
    case = sue.cases().create_case(customer="fred@example.com", channel="email", queue="General",
                                   subject="Broken screen", body="My screen cracked.")
    sue.sync()
    ben.sync()
    ben.cases().claim(ben.case(case.uid).id)
    ben.sync()

    floor.server.stop()
    local = ben.case(case.uid).id
    ben.cases().note(local, "Called the customer, no answer.")
    ben.cases().reply(local, "Please send a photo of the screen.")
    ben.cases().set_status(local, "pending")
    ben.cases().set_priority(local, "high")
    assert ben.pending() == 4
    with pytest.raises(Offline):
        ben.sync()
    assert ben.pending() == 4  # nothing lost, nothing marked sent
    assert ben.case(case.uid).status == "pending"  # the console kept working on its own store

    floor.restart()
    report = ben.sync()
    assert report.applied == 4 and report.notices == []
    sue.sync()
    on_server = server_dump(floor.server)
    assert canonical_dump(sue.store) == canonical_dump(ben.store) == on_server
    seen_by_sue = on_server["cases"][case.uid]
    assert (seen_by_sue["status"], seen_by_sue["priority"], seen_by_sue["assignee"]) == ("pending", "high", "ben")
    bodies = [m["body"] for m in canonical_dump(sue.store)["messages"].values()]
    assert bodies.count("Called the customer, no answer.") == 1
    assert bodies.count("Please send a photo of the screen.") == 1


def test_server_killed_mid_push_then_every_op_is_on_the_server_exactly_once(floor):
    ben = floor.console("ben", batch_size=10)
    case = ben.cases().create_case(customer="gina@example.com", channel="chat", queue="General",
                                   subject="Many notes", body="Start.")
    ben.sync()
    notes = [f"note {i} {uuid.uuid4().hex[:6]}" for i in range(120)]
    local = ben.case(case.uid).id
    for body in notes:
        ben.cases().note(local, body)

    server_db = floor.db_url.removeprefix("sqlite:///")

    def applied_on_server() -> int:
        with sqlite3.connect(server_db, timeout=30) as conn:
            return conn.execute("SELECT count(*) FROM applied_ops WHERE kind = 'message.add'").fetchone()[0]

    failure = {}

    def push():
        try:
            ben.engine.push()
        except Offline as exc:
            failure["error"] = exc

    pusher = threading.Thread(target=push)
    pusher.start()
    wait_until(lambda: applied_on_server() >= 10, "the first batch on the server", step=0.005)
    floor.server.process.send_signal(signal.SIGKILL)
    floor.server.process.wait()
    pusher.join(60)
    applied_before_restart = applied_on_server()
    assert "error" in failure, "the push finished before the kill; the test did not test anything"
    assert 10 <= applied_before_restart < 120
    assert ben.pending() > 0

    floor.restart()
    report = ben.sync()
    assert report.notices == []
    assert ben.pending() == 0
    assert set(outbox_statuses(ben.store).values()) == {"sent"}
    on_server = [m["body"] for m in server_dump(floor.server)["messages"].values()]
    for body in notes:
        assert on_server.count(body) == 1, body
    assert canonical_dump(ben.store) == server_dump(floor.server)


PULLER = """
import sys
from agent_console.domain.clock import SystemClock
from agent_console.store.db import open_store
from agent_console.sync.engine import engine_for_store
store = open_store(sys.argv[1])
engine = engine_for_store(store, SystemClock(), page_size=10, bulk_pages=4)
print("pulling", flush=True)
engine.pull()
print("done", flush=True)
"""


def test_a_client_killed_mid_pull_resumes_from_its_cursor(floor, tmp_path):
    sue = floor.console("sue")
    ops = [new_case_op("General", subject=f"Case {i}") for i in range(120)]
    for start in range(0, len(ops), 60):
        response = floor.server.ops("sue", *ops[start:start + 60])
        assert response.status_code == 200
    ben = floor.console("ben")
    ben.store.dispose()

    def cursor() -> int:
        with sqlite3.connect(ben.path, timeout=30) as conn:
            row = conn.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()
            return int(row[0]) if row else 0

    root = Path(__file__).resolve().parents[2]
    puller = subprocess.Popen([sys.executable, "-c", PULLER, str(ben.path)], cwd=root,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: cursor() >= 100 or puller.poll() is not None, "the pull to get going", step=0.005)
        puller.send_signal(signal.SIGKILL)
    finally:
        puller.wait()
    assert puller.returncode == -signal.SIGKILL, puller.stderr.read()
    stopped_at = cursor()
    with sqlite3.connect(floor.db_url.removeprefix("sqlite:///")) as conn:
        newest = conn.execute("SELECT max(seq) FROM change_log").fetchone()[0]
    assert 0 < stopped_at < newest, "the puller was not stopped half-way"

    # The next pull asks for what comes after the stored cursor, and ends equal to the server.
    report = ben.engine.pull(max_pages=1)
    assert report.cursor > stopped_at
    ben.engine.pull()
    sue.sync()
    assert canonical_dump(ben.store) == server_dump(floor.server) == canonical_dump(sue.store)
    assert len(canonical_dump(ben.store)["cases"]) == 120


def test_a_refused_reply_goes_back_into_the_draft(team):
    floor = team
    anna = floor.console("anna")  # works the Billing queue only
    sue = floor.console("sue")
    case = sue.cases().create_case(customer="hans@example.com", channel="email", queue="Billing",
                                   subject="Refund", body="Where is my refund?")
    sue.sync()
    anna.sync()
    sue.cases().set_queue(sue.case(case.uid).id, "Complaints")
    sue.sync()
    text = "Your refund of 20 EUR is on its way."
    anna.cases().reply(anna.case(case.uid).id, text)
    report = anna.sync()
    [notice] = report.notices
    assert notice.status == "rejected" and notice.draft_saved
    assert "Your text is back in the draft" in notice.text()
    local_case = anna.case(case.uid)
    assert anna.cases().load_draft(local_case.id) == text
    assert text not in [m["body"] for m in canonical_dump(anna.store)["messages"].values()]
    assert text not in [m["body"] for m in server_dump(floor.server)["messages"].values()]
    assert local_case.queue == "Complaints"  # and the console shows where the case went
