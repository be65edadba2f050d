"""The real binary at 80×24 in tmux: the queue keeps the subject readable and the agent's state in the header; a
case being answered keeps its thread in view above the editor."""

from __future__ import annotations

import shlex

import pytest

from tests.e2e.test_tmux import BINARY, Terminal, _tmux_installed  # noqa: F401  (the fixture skips/fails without tmux)

pytestmark = pytest.mark.slow

SUBJECT = "Paket nicht angekommen obwohl die Sendung als zugestellt gilt"


def test_the_agents_path_at_80x24(tmp_path, store, store_path, agents):
    from agent_console.domain.cases import CaseService
    from agent_console.domain.clock import SystemClock

    key = CaseService(store, SystemClock(), None).create_case(
        customer="karl@example.de", channel="email", queue="Delivery", subject=SUBJECT,
        body="Mein Paket ist nicht da.", customer_name="Karl Kunde").key
    command = f"{shlex.quote(str(BINARY))} --db {shlex.quote(str(store_path))} --agent anna"
    terminal = Terminal(tmp_path)
    try:
        terminal.start(command, width=80, height=24)
        screen = terminal.wait_for("1 case")
        header, row = screen.splitlines()[0], next(line for line in screen.splitlines() if key in line)
        assert "available" in header
        assert SUBJECT[:26] in row  # a third of 80 columns, not "Paket nicht angeko…"
        terminal.keys("Enter")
        terminal.wait_for("Mein Paket ist nicht da.")
        terminal.keys("r")
        terminal.wait_for("REPLY")
        terminal.type("Wir forschen nach")
        screen = terminal.wait_for("Wir forschen nach")
        lines = screen.splitlines()
        assert "handling" in lines[0]
        assert "SLA" in screen and "Mein Paket ist nicht da." in screen  # the SLA and the thread stay in view
        message_row = next(i for i, line in enumerate(lines) if "Mein Paket ist nicht da." in line)
        editor_row = next(i for i, line in enumerate(lines) if "REPLY" in line)
        assert editor_row - message_row >= 8  # the thread has room above the editor, not a slit
        terminal.keys("C-q")
    finally:
        terminal.kill()
