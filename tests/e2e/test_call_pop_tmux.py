"""The real binary in a real terminal (tmux): the agent types a reply, a call rings for them (an event sent with
``agent-console cti event`` into the console's store), the screen pop shows the customer over the reply; the agent
opens the customer's case, answers (handling time) and hangs up (wrap-up)."""

from __future__ import annotations

import shlex
import shutil
import subprocess

import pytest

from tests.e2e.test_tmux import BINARY, Terminal
from tests.helpers import require_component

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _tmux_installed():
    if shutil.which("tmux") is None:
        require_component("tmux", "not installed: cannot drive the real terminal")


def cti(store_path, *args: str) -> None:
    subprocess.run([str(BINARY), "--db", str(store_path), "cti", "event", *args], check=True, capture_output=True,
                   timeout=60)


def test_a_call_pops_over_the_reply_and_answer_and_hangup_drive_the_time(tmp_path, store, store_path, agents):
    from agent_console.domain.cases import CaseService
    from agent_console.domain.clock import SystemClock

    system = CaseService(store, SystemClock(), None)
    caller_key = system.create_case(customer="+49 30 1234567", channel="phone", queue="Billing",
                                    subject="Rechnung doppelt belastet", body="Anruf.",
                                    customer_name="Karl Kunde").key
    other_key = system.create_case(customer="mia@example.com", channel="email", queue="Billing",
                                   subject="Where is my parcel", body="Hi", customer_name="Mia Miller").key
    command = f"{shlex.quote(str(BINARY))} --db {shlex.quote(str(store_path))} --agent anna"
    terminal = Terminal(tmp_path)
    try:
        terminal.start(command)
        terminal.wait_for(other_key)
        terminal.type("/")
        terminal.wait_for("Filter by subject")
        terminal.type("parcel")
        terminal.wait_for("1 case")
        terminal.keys("Enter")
        terminal.keys("Enter")
        terminal.wait_for("Customer Mia Miller")
        terminal.keys("r")
        terminal.wait_for("REPLY")
        terminal.type("Guten Tag")
        terminal.wait_for("Guten Tag")
        cti(store_path, "--event", "newCall", "--call-id", "tmux-1", "--from", "030 1234567", "--to", "0800",
            "--user", "anna", "--queue", "Billing")
        screen = terminal.wait_for("Incoming call · queue Billing")
        assert "Karl Kunde" in screen and caller_key in screen and "Rechnung doppelt belastet" in screen
        terminal.keys("C-o")
        terminal.wait_for(f"{caller_key}")
        cti(store_path, "--event", "answer", "--call-id", "tmux-1", "--user", "anna")
        terminal.wait_for("handling")
        cti(store_path, "--event", "hangup", "--call-id", "tmux-1", "--cause", "normalClearing")
        terminal.wait_for(f"Wrap-up {caller_key}: how did it end?")
    finally:
        terminal.kill()
