"""Whether a console's own store may queue reply mails: only when it works alone.

A store logged in to a team server (or one that has ever pulled from one) hands its replies to the server, which
queues the mail when it applies the reply; queueing it here as well would send the customer every answer twice."""

from __future__ import annotations

from pathlib import Path

from agent_console.store.db import Store
from agent_console.store.sync_state import has_synced
from agent_console.sync import credentials


def works_alone(store: Store) -> bool:
    path = getattr(store, "path", None)
    try:
        if path is not None and credentials.load(Path(path)) is not None:
            return False
    except credentials.CredentialsError:
        return False  # a damaged log-in is still a log-in: never risk a second copy of a reply
    with store.session() as session:
        return not has_synced(session)


def reply_sender(store: Store, mail_from: str) -> str:
    """``mail_from`` when this store queues its own reply mails, else "" (CaseService queues nothing then)."""
    mail_from = (mail_from or "").strip()
    return mail_from if mail_from and works_alone(store) else ""
