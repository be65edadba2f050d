"""Canned responses and KB articles of a synced console belong to the team: its server keeps them, and only
supervisors and admins change them there (the server checks every op). A console refuses an agent's edit before it
is made, instead of showing a change the server will refuse."""

from __future__ import annotations

from agent_console.i18n import _
from agent_console.store.models import Agent, Role
from agent_console.store.sync_state import has_synced


def team_edit_refusal(session, actor: Agent | None, what: str) -> str | None:
    """Why ``actor`` may not change ``what`` (plural, in the interface language) in this store, or None when they
    may."""
    if actor is None or actor.role != Role.agent:
        return None
    if not has_synced(session):
        return None
    return _("{what} are shared by the team: only a supervisor or an admin can change them").format(what=what)

