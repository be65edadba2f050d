"""Failed log-ins per login name and per client address, in a sliding window.

Counted in the server's database (``login_failures``), so the limit is the same however many worker processes answer
log-ins: with a count per process, each of N workers would allow its own five attempts.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import delete, insert, select

from agent_console.store.models import LoginFailure

_F = LoginFailure.__table__


class LoginLimiter:
    def __init__(self, store, clock, max_failures: int = 5, window_seconds: float = 60.0) -> None:
        self.store = store
        self.clock = clock
        self.max_failures = max_failures
        self.window = timedelta(seconds=window_seconds)

    def retry_after(self, *keys: str) -> int | None:
        """Seconds until another attempt is allowed, or None when every key is under its limit."""
        now = self.clock.now()
        with self.store.read_engine.connect() as conn:
            rows = conn.execute(select(_F.c.key, _F.c.at).where(_F.c.key.in_(keys), _F.c.at > now - self.window)
                                .order_by(_F.c.key, _F.c.at.desc())).all()
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

    def failed(self, *keys: str) -> None:
        now = self.clock.now()
        with self.store.write_connection() as conn:
            conn.execute(insert(_F), [{"key": key, "at": now} for key in keys])
            # Failures older than the window never count again: the table holds the last window's failures only.
            conn.execute(delete(_F).where(_F.c.at <= now - self.window))

    def succeeded(self, login_key: str) -> None:
        with self.store.write_connection() as conn:
            conn.execute(delete(_F).where(_F.c.key == login_key))
