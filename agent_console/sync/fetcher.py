"""Fetching the change feed one page ahead, so the next page is on its way while this one is applied."""

from __future__ import annotations

import threading

from agent_console.sync.client import FeedPage, SyncClient


class PageFetcher:
    """Fetches feed pages one ahead in a thread, so the next page is on its way while this one is applied."""

    def __init__(self, client: SyncClient, cursor: int, page_size: int, max_pages: int | None) -> None:
        import queue

        self._queue: "queue.Queue" = queue.Queue(maxsize=3)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._fetch, args=(client, cursor, page_size, max_pages),
                                        name="sync-pages", daemon=True)
        self._thread.start()

    def _fetch(self, client, cursor, page_size, max_pages) -> None:
        import queue

        fetched = 0
        while not self._stop.is_set():
            try:
                item = client.changes(cursor, page_size)
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
                item = exc
            while not self._stop.is_set():
                try:
                    self._queue.put(item, timeout=0.1)
                    break
                except queue.Full:
                    continue
            fetched += 1
            if isinstance(item, BaseException) or not item.has_more or \
                    (max_pages is not None and fetched >= max_pages):
                return
            cursor = item.next_cursor

    def next(self) -> FeedPage | None:
        """The next page; None past the last page allowed (``max_pages``)."""
        while True:
            try:
                item = self._queue.get(timeout=0.1)
            except Exception:  # noqa: BLE001 - queue.Empty: is the fetcher still at it?
                if not self._thread.is_alive() and self._queue.empty():
                    return None
                continue
            if isinstance(item, BaseException):
                raise item
            return item

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
