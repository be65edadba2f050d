"""Failed log-ins per login name and per client address, in a sliding window (per server process)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque


class LoginLimiter:
    def __init__(self, max_failures: int = 5, window_seconds: float = 60.0, now=time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._now = now
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        entries = self._failures.get(key)
        if entries is None:
            return deque()
        while entries and entries[0] <= now - self.window:
            entries.popleft()
        if not entries:
            del self._failures[key]
        return entries

    def retry_after(self, *keys: str) -> int | None:
        """Seconds until another attempt is allowed, or None when every key is under its limit."""
        now = self._now()
        wait = 0.0
        with self._lock:
            for key in keys:
                entries = self._recent(key, now)
                if len(entries) >= self.max_failures:
                    wait = max(wait, entries[0] + self.window - now)
        return max(1, math.ceil(wait)) if wait > 0 else None

    def failed(self, *keys: str) -> None:
        now = self._now()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)
            if len(self._failures) > 100_000:  # bound the memory an attacker can make us use
                for key in list(self._failures)[:50_000]:
                    del self._failures[key]

    def succeeded(self, login_key: str) -> None:
        with self._lock:
            self._failures.pop(login_key, None)
