"""The supervisor's monitor in a real 80x24 terminal on the demo floor: every queue and every channel column shows,
a figure opens its cases, and a supervisor's action from there leaves the monitor running."""

from __future__ import annotations

import shlex
import shutil

import pytest

from tests.e2e.test_tmux import BINARY, Terminal
from tests.helpers import require_component

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _tmux_installed():
    if shutil.which("tmux") is None:
        require_component("tmux", "not installed: cannot drive the real terminal")


def test_the_monitor_on_an_80x24_terminal(tmp_path, store_path, cli):
    assert cli("seed", "demo", "--kb", "0").exit_code == 0
    from agent_console.store.db import open_store
    from agent_console.store.models import QUEUES

    command = f"{shlex.quote(str(BINARY))} --db {shlex.quote(str(store_path))} monitor --agent sup --interval 30"
    terminal = Terminal(tmp_path)
    try:
        terminal.start(command, width=80, height=24)
        terminal.wait_for("Technical")  # the last queue's row: the figures are drawn
        screen = terminal.wait_for("esc")  # the last channel column: none is cut off
        for queue in sorted(QUEUES):
            assert queue in screen, screen
        assert "CSAT" in screen and "breach" in screen
        assert all(len(line) <= 80 for line in screen.splitlines())
        # The floor's "breached" figure (f, then three to the right) lists exactly its cases.
        terminal.keys("f", "Right", "Right", "Right", "Enter")
        terminal.wait_for("Floor — breached")
        terminal.wait_for("✖ -")  # the list's rows are there (breached cases, counting up past their due time)
        # Priority from the list: saved, said so, and the monitor still runs.
        terminal.keys("p")
        terminal.wait_for("Priority of")
        terminal.keys("Home", "Enter")  # the first choice
        screen = terminal.wait_for("priority")
        assert "Floor — breached" in terminal.screen()
        terminal.keys("Escape")
        terminal.wait_for("Queues")
        assert "Traceback" not in terminal.screen()
    finally:
        terminal.kill()
    store = open_store(store_path)
    try:
        from sqlalchemy import select

        from agent_console.store.models import AuditEvent

        with store.session() as session:
            actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action == "case.update")).all()
        assert actions  # the change was saved
    finally:
        store.dispose()
