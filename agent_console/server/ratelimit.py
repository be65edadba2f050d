"""Failed log-ins per login name and per client address, in a sliding window.

Counted in the server's database (``login_failures``), so the limit is the same however many worker processes answer
log-ins: with a count per process, each of N workers would allow its own five attempts. Each attempt is counted as a
failure *before* its password is checked (and the count taken back when it succeeds): checking a password takes
tens of milliseconds, and a burst of simultaneous guesses must not all pass the check before the first is counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, insert, or_, select

from agent_console.server.db import LOGIN_LOCK_KEY
from agent_console.store.models import LoginFailure

_F = LoginFailure.__table__


@dataclass(frozen=True)
class Attempt:
    #: Seconds until another attempt is allowed when this one is refused; None when it may go ahead.
    retry_after: int | None
    #: The rows that count this attempt as a failure until it succeeds.
    failure_ids: tuple[int, ...] = ()


class LoginLimiter:
    def __init__(self, store, clock, max_failures: int = 5, window_seconds: float = 60.0) -> None:
        self.store = store
        self.clock = clock
        self.max_failures = max_failures
        self.window = timedelta(seconds=window_seconds)

    def attempt(self, *keys: str) -> Attempt:
        """Refuses the attempt when any key has ``max_failures`` failures in the window; otherwise counts it as a
        failure under every key at once (log-in attempts are serialised, so simultaneous ones see each other)."""
        now = self.clock.now()
        with self.store.write_connection(lock_key=LOGIN_LOCK_KEY) as conn:
            # Failures older than the window never count again: the table holds the last window's failures only.
            conn.execute(delete(_F).where(_F.c.at <= now - self.window))
            rows = conn.execute(select(_F.c.key, _F.c.at).where(_F.c.key.in_(keys))
                                .order_by(_F.c.key, _F.c.at.desc())).all()
            wait = self._wait(rows, now)
            if wait is not None:
                return Attempt(wait)
            ids = conn.execute(insert(_F).returning(_F.c.id), [{"key": key, "at": now} for key in keys]).scalars()
            return Attempt(None, tuple(ids))

    def _wait(self, rows, now) -> int | None:
        recent: dict[str, list] = {}
        for key, at in rows:
            recent.setdefault(key, []).append(at)
        wait = 0.0
        for times in recent.values():
            if len(times) >= self.max_failures:
                # Under the limit again once the max-th newest failure leaves the window.
                frees_at = times[self.max_failures - 1] + self.window
                wait = max(wait, (frees_at - now).total_seconds())
        return max(1, math.ceil(wait)) if wait > 0 else None

    def succeeded(self, attempt: Attempt, login_key: str) -> None:
        """The password was right: the login's failures are forgiven, and this attempt no longer counts for the
        address (the address's earlier failures still do)."""
        with self.store.write_connection(lock_key=LOGIN_LOCK_KEY) as conn:
            conn.execute(delete(_F).where(or_(_F.c.key == login_key, _F.c.id.in_(attempt.failure_ids))))
