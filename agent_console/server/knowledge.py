"""``agent-console server import kb|canned``: canned responses and KB articles into the server's database, and into
the change feed in the same transaction, so every console receives them at its next pull.

The files are read and checked by the same importer as the console's ``import kb|canned`` (same formats, same
messages, all or nothing). After the importer's writes, and before the commit, every article or canned response
whose current state differs from its newest feed row (or that the feed has never shown) gets a feed row.
"""

from __future__ import annotations

from pathlib import Path

from agent_console.store.models import CannedResponse, KBArticle
from agent_console.store.server_db import ServerStore
from agent_console.store.server_feed import append_change_log, changed_since_shown

MODELS = {"kb": KBArticle, "canned": CannedResponse}


def publish_changed(session, dialect: str, model, clock=None) -> int:
    """Append feed rows for the rows of ``model`` whose state the feed does not show yet; returns how many."""
    rows = changed_since_shown(session, model)
    if not rows:
        return 0
    session.info["last_seq"] = append_change_log(session, dialect, rows, clock)
    return len(rows)


def import_to_server(store: ServerStore, clock, kind: str, path: Path | str, *, fmt: str | None = None):
    """Import a kb/canned file (or a kb folder) into the server's database; returns (ImportResult, feed rows).
    Raises the importer's ImportFailed (nothing written, nothing published)."""
    from agent_console.admin.importer import import_file

    if kind not in MODELS:
        raise ValueError(f"unknown kind {kind!r}; expected kb or canned")
    published = 0

    def publish(session) -> None:
        nonlocal published
        published = publish_changed(session, store.dialect, MODELS[kind], store.clock)

    result = import_file(store, clock, kind, path, fmt=fmt, before_commit=publish)
    return result, published
