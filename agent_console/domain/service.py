"""What every domain service holds: the store it writes to, the clock it reads, and the agent acting.

A service either opens its own transactions on ``store`` (the console's screens and the CLI: the call is the edge),
or runs every call in a ``session`` its caller opened (the server's op batch, a sync round), constructed with
:meth:`Service.in_session`. The rules are the same either way; only who owns the transaction differs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from agent_console.domain.clock import Clock
from agent_console.store.db import Store
from agent_console.store.models import Agent


@contextmanager
def transaction_of(store: Store | None, session) -> Iterator:
    """``session`` when the caller owns the transaction, else a new transaction of ``store`` (committed at the end)."""
    if session is not None:
        yield session
        return
    with store.transaction() as own:
        yield own


@contextmanager
def reading_of(store: Store | None, session) -> Iterator:
    """``session`` when the caller has one, else a read-only session of ``store``."""
    if session is not None:
        yield session
        return
    with store.session() as own:
        yield own


class SessionBound:
    """``_transaction()`` / ``_reading()`` for a service with ``store`` and an optional caller's ``session``."""

    store: Store | None
    session: object | None

    @classmethod
    def in_session(cls, session, clock: Clock, actor: Agent | None = None, **options):
        """This service working inside ``session`` (the caller commits or rolls back)."""
        return cls(None, clock, actor, session=session, **options)

    def _transaction(self):
        return transaction_of(self.store, self.session)

    def _reading(self):
        return reading_of(self.store, self.session)


@dataclass
class Service(SessionBound):
    store: Store | None
    clock: Clock
    #: The agent acting; None for system actions (imports, integrations).
    actor: Agent | None = None
    #: The caller's session: every call runs in it instead of a transaction of its own.
    session: object | None = field(default=None, kw_only=True)

    @property
    def actor_id(self) -> int | None:
        return self.actor.id if self.actor else None
