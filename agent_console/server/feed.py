"""The change feed over HTTP: pages as ready-to-send JSON (with a cache of encoded rows), and telling listeners it
advanced. What a change looks like and every statement on ``change_log`` are in :mod:`agent_console.store.server_feed`.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Callable

import orjson

from agent_console.store.db import KeptConnection
from agent_console.store.server_feed import FULL_ROWS, SEQ_AND_UID, append_missing, latest_seq, notify, page_rows, \
    rows_between

# --- paging -------------------------------------------------------------------------------------------------------

DEFAULT_LIMIT = 500
MAX_LIMIT = 5000


def changes_page(conn, cursor: int, limit: int, queues: list[str] | None, *,
                 max_reads: int | None = None) -> bytes | None:
    """One page of the feed after ``cursor`` as ready-to-send JSON bytes (``data`` is spliced in unparsed).

    The database decides which rows the page holds (sequence, queue filter, what is committed); each row's encoded
    JSON comes from the engine's :class:`FragmentCache` when an earlier page already read it, else from the database.
    None when more than ``max_reads`` of the page's rows are not cached (nothing read beyond the page's sequence).
    A page far behind the feed's head (a console's first sync) is read in one query and not cached: its rows would
    only push out the ones the floor is pulling.
    """
    cache = fragment_cache(conn.engine)
    if cache.behind_window(cursor):
        if max_reads is not None:
            return None
        rows, next_cursor, has_more = page_rows(conn, FULL_ROWS, cursor, limit, queues)
        return _page_body([_fragment(*row) for row in rows], next_cursor, has_more)
    rows, next_cursor, has_more = page_rows(conn, SEQ_AND_UID, cursor, limit, queues)
    if rows:
        cache.saw(rows[-1][0])
    fragments = cache.fragments(conn, rows, queues, max_reads)
    if fragments is None:
        return None
    return _page_body(fragments, next_cursor, has_more)


def _page_body(fragments: list[bytes], next_cursor: int, has_more: bool) -> bytes:
    return b'{"changes":[%b],"next_cursor":%d,"has_more":%b}' % (
        b",".join(fragments), next_cursor, b"true" if has_more else b"false")


def _fragment(seq: int, entity: str, uid: str, at, data: str) -> bytes:
    return b'{"seq":%d,"entity":%b,"uid":%b,"at":%b,"data":%b}' % (
        seq, orjson.dumps(entity), orjson.dumps(uid), _iso_at(at), data.encode())


class FragmentCache:
    """The encoded JSON of feed rows already read, by sequence number, newest kept (bounded in bytes).

    Sound because a committed ``change_log`` row never changes (rows are only ever appended), and only rows a page's
    query returned are cached, i.e. committed ones. Which rows a page holds is always decided by the database; each
    cached entry also keeps its row's uid, and a row whose uid differs (a database restored under a running server,
    whose sequence numbers now name other changes) empties the cache. One per engine: a worker process has its own.
    """

    #: Pages starting more rows than this behind the newest row seen are not cached (a minute of a busy floor).
    WINDOW_ROWS = 20_000

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        #: The newest sequence number a page has shown (or the broadcaster announced): where the floor pulls.
        self.newest = 0
        self._entries: OrderedDict[int, tuple[str, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def saw(self, seq: int) -> None:
        if seq > self.newest:
            self.newest = seq

    def behind_window(self, cursor: int) -> bool:
        return cursor < max(self.newest, broadcaster.latest) - self.WINDOW_ROWS

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def fragments(self, conn, rows, queues: list[str] | None, max_reads: int | None = None) -> list[bytes] | None:
        """Encoded changes for the page's ``(seq, uid)`` rows, in their order; rows not cached are read (and cached),
        unless there are more than ``max_reads`` of them (then None)."""
        get = self._entries.get
        with self._lock:
            found = [get(seq) for seq, _uid in rows]
        fragments: list[bytes | None] = []
        missing: list[int] = []
        stale = False
        for (seq, uid), entry in zip(rows, found):
            if entry is not None and entry[0] == uid:
                fragments.append(entry[1])
                continue
            stale = stale or entry is not None
            fragments.append(None)
            missing.append(seq)
        if stale:
            self.clear()
        if not missing:
            return fragments  # type: ignore[return-value]
        if max_reads is not None and len(missing) > max_reads:
            return None
        read = self._read(conn, missing, queues)
        position = {seq: i for i, (seq, _uid) in enumerate(rows)}
        for seq, (uid, fragment) in read.items():
            fragments[position[seq]] = fragment
        self._add(read)
        return fragments  # type: ignore[return-value]

    @staticmethod
    def _read(conn, missing: list[int], queues: list[str] | None) -> dict[int, tuple[str, bytes]]:
        # One range scan; rows of the range already cached (or invisible) are read and dropped.
        wanted = set(missing) if len(missing) < missing[-1] - missing[0] + 1 else None
        read = {}
        for seq, entity, uid, at, data in rows_between(conn, missing[0], missing[-1], queues):
            if wanted is None or seq in wanted:
                read[seq] = (uid, _fragment(seq, entity, uid, at, data))
        if len(read) != len(missing):
            # The page's first query saw these rows committed, and committed rows are never removed.
            raise RuntimeError(f"change_log rows vanished while paging: {sorted(set(missing) - set(read))[:5]}")
        return read

    def _add(self, read: dict[int, tuple[str, bytes]]) -> None:
        with self._lock:
            entries = self._entries
            for seq, entry in read.items():
                if seq not in entries:
                    entries[seq] = entry
                    self._bytes += len(entry[1])
            while self._bytes > self.max_bytes and entries:
                _seq, (_uid, fragment) = entries.popitem(last=False)
                self._bytes -= len(fragment)


class LoopPager:
    """Serves feed pages on the event loop, over a connection of its own, while they are cheap: a SQLite page whose
    rows are (nearly all) cached costs less than handing the request to a worker thread and back (the hand-over,
    two thread wake-ups, was a fifth of the server's CPU per page). :meth:`page` returns None for a page that would
    read many rows' JSON (a console's first sync): that one belongs in a worker thread, where it may take its time.
    Only ever used from the event loop's thread, so the one connection is never shared between threads."""

    #: Uncached rows a page may read on the event loop (a few floor seconds of changes: ~0.2 ms of reading).
    MAX_READS = 100

    def __init__(self, engine) -> None:
        self._loop_connection = KeptConnection(engine)

    def page(self, cursor: int, limit: int, queues: list[str] | None) -> bytes | None:
        return self._loop_connection.read(changes_page, cursor, limit, queues, max_reads=self.MAX_READS)

    def close(self) -> None:
        self._loop_connection.close()


#: Per worker process: ~50,000 floor-sized changes (minutes of a busy floor's feed; agents pull the last seconds).
FRAGMENT_CACHE_BYTES = 32 * 1024 * 1024
_fragment_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_fragment_caches_lock = threading.Lock()


def fragment_cache(engine) -> FragmentCache:
    """The engine's cache (each store/database has its own sequence numbers)."""
    cache = _fragment_caches.get(engine)
    if cache is None:
        with _fragment_caches_lock:
            cache = _fragment_caches.get(engine)
            if cache is None:
                cache = _fragment_caches[engine] = FragmentCache(FRAGMENT_CACHE_BYTES)
    return cache


def _iso_at(value) -> bytes:
    """A change's time as JSON, as ``orjson.dumps`` writes an aware UTC datetime (microseconds only when not 0),
    from a stored naive-UTC ``YYYY-MM-DD HH:MM:SS.ffffff`` (SQLite) or a naive datetime (PostgreSQL)."""
    if isinstance(value, str) and len(value) == 26 and value[10] == " ":
        time = value[11:19] if value.endswith(".000000") else value[11:]
        return f'"{value[:10]}T{time}+00:00"'.encode()
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is None:
        return b"null"
    return orjson.dumps(value.replace(tzinfo=timezone.utc))


# --- fan-out ------------------------------------------------------------------------------------------------------


class Broadcaster:
    """Tells every waiting ``/events`` stream of this process the feed's newest sequence number.

    Writers call :meth:`publish_threadsafe` from any thread (after commit, the PostgreSQL LISTEN thread, the poller);
    streams wait in :meth:`wait_beyond` on the event loop.
    """

    def __init__(self) -> None:
        self.latest = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed: asyncio.Condition | None = None
        self._lock = threading.Lock()

    def bind(self, loop: asyncio.AbstractEventLoop, latest: int) -> None:
        self._loop = loop
        self._changed = asyncio.Condition()
        self.latest = max(self.latest, latest)

    def publish_threadsafe(self, seq: int) -> None:
        with self._lock:
            if seq <= self.latest:
                return
            self.latest = seq
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self._wake()))
            except RuntimeError:
                pass

    async def _wake(self) -> None:
        if self._changed is None:
            return
        async with self._changed:
            self._changed.notify_all()

    async def wake(self) -> None:
        """Wakes every waiting stream (each checks whether it has ended)."""
        await self._wake()

    async def wait_beyond(self, seq: int, timeout: float, ended: asyncio.Event | None = None,
                          also: Callable[[], bool] | None = None) -> int:
        """The newest sequence number once it is beyond ``seq``, or the current one after ``timeout`` seconds or
        once ``ended`` is set or ``also()`` holds (then woken by :meth:`wake`)."""

        def done() -> bool:
            return self.latest > seq or (ended is not None and ended.is_set()) or (also is not None and also())

        if self._changed is None or done():
            return self.latest
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(done), timeout)
            except TimeoutError:
                pass
        return self.latest


broadcaster = Broadcaster()


class FeedWatcher:
    """Feeds the broadcaster with changes made by other processes: PostgreSQL LISTEN, plus a slow poll of the
    newest sequence number (covers SQLite writers outside the server, e.g. the admin CLI)."""

    def __init__(self, store, poll_seconds: float = 2.0) -> None:
        self.store = store
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._threads.append(threading.Thread(target=self._poll, name="feed-poll", daemon=True))
        if self.store.dialect == "postgresql":
            self._threads.append(threading.Thread(target=self._listen, name="feed-listen", daemon=True))
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _poll(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                with self.store.read_engine.connect() as conn:
                    broadcaster.publish_threadsafe(latest_seq(conn))
            except Exception:  # noqa: BLE001 - the database being briefly away must not end the watcher
                continue

    def _listen(self) -> None:
        from agent_console.store.server_feed import feed_notifications

        while not self._stop.is_set():
            try:
                for seq in feed_notifications(self.store.engine, self._stop):
                    broadcaster.publish_threadsafe(seq)
            except Exception:  # noqa: BLE001 - reconnect after a lost connection
                self._stop.wait(1.0)


def isoformat(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- publishing data written outside the server -------------------------------------------------------------------


def publish_missing(store, *, everything: bool = False, chunk: int = 2000) -> dict[str, int]:
    """Append feed rows for entities the feed has never shown (or, with ``everything``, for all entities).

    For data written into the server's database by other means than the server (``agent-console --db <server URL>
    seed | kb import | canned import …``): after it, consoles pulling the feed receive that data too.
    """
    with store.transaction() as session:
        now = store.clock.now() if getattr(store, "clock", None) else datetime.now(timezone.utc)
        counts = append_missing(session, now, everything=everything, chunk=chunk)
        # Rows written with Core: the session saw no ORM change, so announce them here.
        session.info.pop("changed", None)
    with store.engine.connect() as conn:
        broadcaster.publish_threadsafe(latest_seq(conn))
    if store.dialect == "postgresql" and counts:
        with store.engine.begin() as conn:
            notify(conn, latest_seq(conn))
    return counts
