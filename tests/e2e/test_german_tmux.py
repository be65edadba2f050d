"""The real binary in German at 80×24 in tmux, as a new user starts it: ``LANG=de_DE.UTF-8`` and no setting. The
queue and the case screen show German in their header and footer, and neither cuts a word (no "…")."""

from __future__ import annotations

import shlex

import pytest

from tests.e2e.test_tmux import BINARY, Terminal, _tmux_installed  # noqa: F401  (the fixture skips/fails without tmux)

pytestmark = pytest.mark.slow


def header_and_footer(screen: str) -> tuple[str, str]:
    lines = [line for line in screen.splitlines() if line.strip()]
    return lines[0], lines[-1]


def test_queue_and_case_in_german_at_80x24(tmp_path, store, store_path, agents):
    from agent_console.domain.cases import CaseService
    from agent_console.domain.clock import SystemClock

    key = CaseService(store, SystemClock(), None).create_case(
        customer="karl@example.de", channel="email", queue="Delivery", subject="Paket nicht angekommen",
        body="Mein Paket ist nicht da.", customer_name="Karl Kunde").key
    command = f"{shlex.quote(str(BINARY))} --db {shlex.quote(str(store_path))} --agent anna"
    terminal = Terminal(tmp_path)
    try:
        terminal.start(command, width=80, height=24, lang="de_DE.UTF-8")
        screen = terminal.wait_for("1 Fall")
        header, footer = header_and_footer(screen)
        assert "verfügbar" in header and "Warteschlange" in header, header
        assert "Öffnen" in footer and "Übernehmen" in footer and footer.rstrip().endswith("Befehle"), footer
        assert "…" not in header and "…" not in footer, screen
        row = next(line for line in screen.splitlines() if key in line)
        assert "Paket nicht angekommen" in row, row  # 80 columns keep the subject whole

        terminal.keys("Enter")
        terminal.wait_for("Mein Paket ist nicht da.")
        screen = terminal.wait_for("r Antworten")  # the footer is drawn after the thread (seen under load)
        header, footer = header_and_footer(screen)
        assert "in Bearb." in header and key in header, header
        assert "Antworten" in footer and footer.rstrip().endswith("Befehle"), footer
        assert "…" not in header and "…" not in footer, screen
        assert "Kanal E-Mail" in screen and "Warteschlange Delivery" in screen, screen
        terminal.keys("C-q")
    finally:
        terminal.kill()
