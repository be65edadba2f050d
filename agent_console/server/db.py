"""The HTTP server's store: :class:`~agent_console.store.server_db.ServerStore` with the change-feed broadcaster of
this process listening to its commits."""

from __future__ import annotations

from agent_console.store import server_db
from agent_console.store.server_db import ServerStore


def open_server_store(url: str, *, clock=None, migrate: bool = False) -> ServerStore:
    """Open the server's database (see :func:`agent_console.store.server_db.open_server_store`); every write
    transaction that adds to the feed wakes this process's ``/events`` streams after its commit."""
    from agent_console.server.feed import broadcaster

    store = server_db.open_server_store(url, clock=clock, migrate=migrate)
    store.announcer = broadcaster.publish_threadsafe
    return store


def install_server_defaults(url: str, clock=None) -> int:
    """A server database without SLA policies (new, or never given any) gets the default set, the same as the demo
    store's, through the server's write path so consoles receive them in the change feed. Returns how many."""
    from agent_console.domain.sla import install_default_policies
    from agent_console.store.server_db import has_sla_policies

    store = open_server_store(url, clock=clock)
    try:
        with store.transaction() as session:
            if has_sla_policies(session):
                return 0
            return install_default_policies(session)
    finally:
        store.dispose()
