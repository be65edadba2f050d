"""The real binary in a real terminal (tmux): a call comes in and the agent creates the case from the queue."""

from __future__ import annotations

import shlex
import shutil

import pytest
from sqlalchemy import select

from tests.e2e.test_tmux import BINARY, Terminal
from tests.helpers import require_component, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _tmux_installed():
    if shutil.which("tmux") is None:
        require_component("tmux", "not installed: cannot drive the real terminal")


def test_key_n_finds_the_caller_by_phone_and_opens_the_new_case_claimed(tmp_path, store, store_path, agents):
    from agent_console.domain.cases import CaseService
    from agent_console.domain.clock import SystemClock
    from agent_console.store import queries
    from agent_console.store.models import Case, Customer

    old_key = CaseService(store, SystemClock(), None).create_case(
        customer="+49 30 1234567", channel="phone", queue="Billing", subject="Rechnung doppelt belastet",
        body="Anruf.", customer_name="Karl Kunde").key
    command = f"{shlex.quote(str(BINARY))} --db {shlex.quote(str(store_path))} --agent anna"
    terminal = Terminal(tmp_path)
    try:
        terminal.start(command)
        terminal.wait_for(old_key)
        terminal.wait_for("1 case")
        terminal.keys("N")
        terminal.wait_for("Customer: phone number, e-mail or name")
        terminal.type("030 1234567")  # the national form of the number stored internationally
        terminal.wait_for("Karl Kunde  ·  +49301234567")
        terminal.keys("Enter")
        terminal.wait_for("Customer: Karl Kunde")
        terminal.type("Rueckruf zur Rechnung")
        terminal.wait_for("Rueckruf zur Rechnung")
        terminal.keys("Enter")
        screen = terminal.wait_for("Customer Karl Kunde")
        assert "Rueckruf zur Rechnung" in screen

        def created():
            with store.session() as session:
                return session.scalars(select(Case).where(Case.key != old_key)).one_or_none()

        case = wait_until(created)
        with store.session() as session:
            customers = len(session.scalars(select(Customer)).all())
            assert queries.case_by_key(session, case.key).assignee_id == agents["anna"].id
        assert customers == 1 and case.channel == "phone" and case.subject == "Rueckruf zur Rechnung"
        assert case.key in screen
    finally:
        terminal.kill()
