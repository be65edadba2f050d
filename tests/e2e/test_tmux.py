"""The real binary in a real terminal (tmux): open a case, type a reply, kill the terminal, restart, find the draft."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers import require_component, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _tmux_installed():
    if shutil.which("tmux") is None:
        require_component("tmux", "not installed: cannot drive the real terminal")

BINARY = Path(sys.executable).with_name("agent-console")


class Terminal:
    """One tmux server of our own (its own socket), so the console gets exactly our environment."""

    def __init__(self, tmp_path: Path) -> None:
        self.socket = f"ac-test-{uuid.uuid4().hex[:8]}"
        self.session = "console"
        self.tmp_path = tmp_path

    def tmux(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check)
        return result.stdout

    def start(self, command: str, *, width: int = 120, height: int = 36, lang: str | None = None) -> None:
        """``lang``: the console's ``LANG`` (e.g. ``de_DE.UTF-8``; the characters stay UTF-8 through LC_CTYPE);
        without it the C locale, in English."""
        locale = {"LANG": lang, "LC_CTYPE": "C.UTF-8"} if lang else {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        env = {"TERM": "xterm-256color", **locale, "TZ": "UTC",
               "AGENT_CONSOLE_CONFIG": os.environ["AGENT_CONSOLE_CONFIG"],
               "XDG_DATA_HOME": os.environ.get("XDG_DATA_HOME", str(self.tmp_path)),
               "XDG_CONFIG_HOME": os.environ.get("XDG_CONFIG_HOME", str(self.tmp_path)),
               "HOME": str(self.tmp_path), "PATH": os.environ.get("PATH", "")}
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height),
                  f"env -i {exports} {command}")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session, check=False)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        """The screen once ``text`` is on it (looked at every 50 ms)."""
        shown = [""]

        def appeared() -> bool:
            shown[0] = self.screen()
            return text in shown[0]

        wait_until(appeared, timeout, interval=0.05,
                   message=lambda: f"{text!r} did not appear on the terminal; it shows:\n{shown[0]}")
        return shown[0]

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def kill(self) -> None:
        self.tmux("kill-server", check=False)


def test_draft_survives_killing_the_terminal(tmp_path, store, store_path, agents):
    from agent_console.domain.cases import CaseService
    from agent_console.domain.clock import SystemClock
    from agent_console.store import queries
    from agent_console.store.models import Draft

    key = CaseService(store, SystemClock(), None).create_case(
        customer="karl@example.de", channel="email", queue="Billing", subject="Rechnung doppelt belastet",
        body="Ich wurde zweimal belastet.", customer_name="Karl Kunde").key
    command = f"{shlex.quote(str(BINARY))} --db {shlex.quote(str(store_path))} --agent anna"
    terminal = Terminal(tmp_path)
    try:
        terminal.start(command)
        terminal.wait_for(key)
        terminal.wait_for("1 case")
        terminal.keys("Enter")
        terminal.wait_for("Customer Karl Kunde")
        terminal.keys("r")
        terminal.wait_for("REPLY")
        terminal.type("Guten Tag, wir pruefen die Buchung")
        terminal.wait_for("wir pruefen die Buchung")
        # Wait until the debounced save has reached the store, then kill the terminal mid-reply.
        def saved_draft():
            with store.session() as session:
                return session.scalars(select(Draft)).first()

        draft = wait_until(saved_draft, 15, interval=0.05, message="the draft never reached the store")
        assert draft.body == "Guten Tag, wir pruefen die Buchung"
        terminal.kill()

        terminal = Terminal(tmp_path)
        terminal.start(command)
        terminal.wait_for(key)
        terminal.keys("Enter")
        screen = terminal.wait_for("Guten Tag, wir pruefen die Buchung")
        assert "REPLY" in screen
        terminal.type(" - danke")
        terminal.wait_for("Buchung - danke")
        terminal.keys("C-s")
        terminal.wait_for("Reply sent")
        with store.session() as session:
            thread = queries.thread(session, queries.case_by_key(session, key).id)
            assert thread[-1].body == "Guten Tag, wir pruefen die Buchung - danke"
            assert session.scalars(select(Draft)).all() == []
        terminal.keys("C-q")
        wait_until(lambda: "console" not in terminal.tmux("list-sessions", check=False), 15, interval=0.05,
                   message="ctrl+q did not quit the console")
    finally:
        terminal.kill()
