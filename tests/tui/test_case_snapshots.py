"""Snapshots of the case view with its escalation history and follow-ups, and of the modals it opens (resolve
confirmation, wrap-up, escalate, a pick list, the keys help): frozen clock, fixed data, each taken once an explicit
condition holds."""

from __future__ import annotations

from agent_console.domain.escalation import EscalationService
from agent_console.store import queries
from tests.helpers import wait_until_async
from tui_support import settle

SIZE = (120, 36)


def _case_then(key: str, *keys: str, until=None):
    async def run_before(pilot) -> None:
        from agent_console.screens.case_detail import CaseDetailScreen

        app = pilot.app
        await settle(pilot)
        with app.store.session() as session:
            case_id = queries.case_by_key(session, key).id
        await app.push_screen(CaseDetailScreen(case_id))
        await wait_until_async(lambda: app.screen.snapshot is not None, message="the case to load")
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
        if until is not None:
            await wait_until_async(lambda: until(app), message="the screen to show")
        await settle(pilot)

    return run_before


def test_case_with_escalation_history_and_follow_up(snap_compare, make_app, data, store, agents):
    key = data.keys["anna_case"]
    clock = make_app().clock
    EscalationService(store, clock, agents["anna"], follow_up_hours=8).escalate(
        key, to_tier=2, to_queue="Technical", reason="Ratenplan braucht die Freigabe von Tier 2")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_case_then(key))


def test_resolve_confirmation(snap_compare, make_app, data):
    from agent_console.screens.confirm import ConfirmModal

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_case_then(
        data.keys["chat_ok"], "x", until=lambda app: isinstance(app.screen, ConfirmModal)))


def test_wrap_up_modal(snap_compare, make_app, data):
    from agent_console.screens.wrap_up import WrapUpModal

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_case_then(
        data.keys["anna_case"], "x", until=lambda app: isinstance(app.screen, WrapUpModal)))


def test_escalate_modal(snap_compare, make_app, data):
    from agent_console.screens.escalate import EscalateModal

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_case_then(
        data.keys["anna_case"], "e", until=lambda app: isinstance(app.screen, EscalateModal)))


def test_pick_modal(snap_compare, make_app, data):
    from agent_console.screens.pick import PickModal

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_case_then(
        data.keys["anna_case"], "t", until=lambda app: isinstance(app.screen, PickModal)))


def test_keys_help(snap_compare, make_app, data):
    from agent_console.screens.help import KeysScreen

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_case_then(
        data.keys["anna_case"], "question_mark", until=lambda app: isinstance(app.screen, KeysScreen)))
