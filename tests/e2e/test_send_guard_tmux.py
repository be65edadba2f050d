"""The real binary in a real terminal: a reply that still holds a placeholder the case cannot fill (from a canned
response saved before templates were checked) is refused with what and where; the draft stays and nothing is sent."""

from __future__ import annotations

import shlex
import shutil

import pytest
from sqlalchemy import select, update

from tests.e2e.test_tmux import BINARY, Terminal
from tests.helpers import require_component, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _tmux_installed():
    if shutil.which("tmux") is None:
        require_component("tmux", "not installed: cannot drive the real terminal")


def test_a_broken_placeholder_is_not_sent(tmp_path, store, store_path, agents):
    from agent_console.domain.canned import CannedResponses
    from agent_console.domain.cases import CaseService
    from agent_console.domain.clock import SystemClock
    from agent_console.store import queries
    from agent_console.store.models import CannedResponse, Draft

    clock = SystemClock()
    key = CaseService(store, clock, None).create_case(
        customer="karl@example.de", channel="email", queue="Billing", subject="Geld nicht angekommen",
        body="Wo bleibt mein Geld?", customer_name="Karl Kunde").key
    CannedResponses(store, clock, agents["anna"]).create(title="Nick", shortcut="nick",
                                                         body="Hallo {{ customer.first_name }}")
    with store.transaction() as session:  # as an older console stored it, before the save-time check
        session.execute(update(CannedResponse).values(body="Hallo {{ customer.nickname }}"))

    def thread_length() -> int:
        with store.session() as session:
            return len(queries.thread(session, queries.case_by_key(session, key).id))

    before = thread_length()
    command = f"{shlex.quote(str(BINARY))} --db {shlex.quote(str(store_path))} --agent anna"
    terminal = Terminal(tmp_path)
    try:
        terminal.start(command)
        terminal.wait_for(key)
        terminal.keys("Enter")
        terminal.wait_for("Customer Karl Kunde")
        terminal.keys("r")
        terminal.wait_for("REPLY")
        terminal.type(";nick ")
        terminal.wait_for("⟦unknown: customer.nickname⟧")
        terminal.keys("C-s")
        screen = terminal.wait_for("not sent: line 1, column 7: the placeholder customer.nickname has no value")
        assert "Reply sent" not in screen and "REPLY" in screen
        # The draft is kept (and saved as a draft like any other text); nothing reached the customer.
        def draft_saved() -> bool:
            with store.session() as session:
                return any("⟦unknown: customer.nickname⟧" in d.body for d in session.scalars(select(Draft)))

        wait_until(draft_saved, timeout=15, message="the refused reply was not kept as a draft")
        assert thread_length() == before
        terminal.keys("C-q")
    finally:
        terminal.kill()
