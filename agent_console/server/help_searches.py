"""The help center's searches, recorded for the self-service figures ("top searches without results") in groups.

Each search on ``/help`` used to be a write transaction of its own, waiting for the database's one writer beside the
floor's ops. ``SearchRecorder`` keeps them in memory and writes them in one transaction every ``every_seconds``, or as
soon as ``most`` are waiting; ``stop`` writes what is left (the server's shutdown), and ``flush`` writes at once
(before the self-service report reads the figures, so they always count every search of this process).
"""

from __future__ import annotations

import logging
import threading

from agent_console.domain.selfservice import record_searches

EVERY_SECONDS = 1.0
MOST_WAITING = 500
#: Searches kept while the database cannot be written; beyond that the oldest are dropped.
KEPT_AT_MOST = 100_000

log = logging.getLogger(__name__)


class SearchRecorder:
    def __init__(self, store, clock, *, every_seconds: float = EVERY_SECONDS, most: int = MOST_WAITING) -> None:
        self.store = store
        self.clock = clock
        self.every_seconds = every_seconds
        self.most = most
        self._waiting: list[tuple] = []
        self._lock = threading.Lock()
        #: Only one group is written at a time, so the searches reach the table in the order they were made.
        self._write_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def record(self, query: str, hits: int, language: str, visit: str | None) -> None:
        """Counts one search (written with the next group)."""
        with self._lock:
            self._waiting.append((self.clock.now(), query, hits, language, visit))
            full = len(self._waiting) >= self.most
        if self._thread is None:  # not started (or stopped): nothing would write it later
            self.flush()
        elif full:
            self._wake.set()

    def flush(self) -> int:
        """Writes the waiting searches now, in one transaction; how many were written."""
        with self._write_lock:
            with self._lock:
                group, self._waiting = self._waiting, []
            if not group:
                return 0
            try:
                with self.store.transaction() as session:
                    return record_searches(session, group)
            except BaseException:
                with self._lock:  # kept for the next try, up to a bound while the database cannot be written
                    self._waiting[:0] = group
                    del self._waiting[:-KEPT_AT_MOST]
                raise

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="help-search-recorder", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Writes what is waiting and ends the writing thread."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.flush()

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(self.every_seconds)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - e.g. the database is briefly locked: the group is tried again
                log.exception("could not record the help center's searches; retrying")
