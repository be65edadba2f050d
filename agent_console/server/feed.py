"""The change feed: what a change looks like in ``change_log``, paging it, and telling listeners it advanced.

A row's ``data`` is the entity's full current JSON. Local integer ids never leave the server: references to other
entities are given by uid (``case_uid``, ``customer_uid``, ``escalation_uid``, ``article_uid``) or, for agents, by
login (``assignee_login``, ``author_login``, ``agent_login`` …). An agent's password hash is never in the feed.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial

import orjson
from sqlalchemy import String, func, or_, select, text, type_coerce

from agent_console.store import feed_format
from agent_console.store.db import KeptConnection
from agent_console.store.models import Case, ChangeLogEntry

#: Entity classes whose changes go into the feed, and their names there.
TRACKED: dict[type, str] = {model: name for name, model in feed_format.ENTITIES.items()}
ENTITY_NAMES = tuple(feed_format.ENTITIES)

_REFS = {cls: feed_format.references(cls.__table__) for cls in TRACKED}
_COLUMNS = {cls: feed_format.plain_columns(cls.__table__) for cls in TRACKED}


def _lookup(session, objects) -> dict[str, dict[int, object]]:
    """Referenced ids -> their uid/login, one query per referenced table."""
    wanted: dict[str, set[int]] = {}
    for obj in objects:
        for ref in _REFS[type(obj)]:
            value = getattr(obj, ref.column)
            if value is not None:
                wanted.setdefault(ref.target, set()).add(value)
    return lookup_references(session, wanted)


def lookup_references(session, wanted: dict[str, set[int]]) -> dict[str, dict[int, object]]:
    """Referenced table -> {id: uid or login} for the wanted ids; ``case_queue`` also maps case ids to queues."""
    # Case rows also need their queue (for the visibility of case-related rows).
    found: dict[str, dict[int, object]] = {}
    for target, ids in wanted.items():
        key_column, _suffix = feed_format.REFERENCES[target]
        table = next(cls.__table__ for cls in TRACKED if cls.__tablename__ == target)
        columns = [table.c.id, table.c[key_column]] + ([table.c.queue] if target == "cases" else [])
        rows = session.execute(select(*columns).where(table.c.id.in_(ids))).all()
        found[target] = {row[0]: row[1] for row in rows}
        if target == "cases":
            found["case_queue"] = {row[0]: row[2] for row in rows}
    return found


def entity_dict(obj, refs: dict[str, dict[int, object]]) -> dict:
    return row_dict(type(obj), partial(getattr, obj), refs)


def row_dict(cls: type, value_of: Callable[[str], object], refs: dict[str, dict[int, object]]) -> dict:
    """The feed's dict of an entity from its column values (``value_of(column)``; foreign keys as local ids)."""
    data = {name: value_of(name) for name in _COLUMNS[cls]}
    for ref in _REFS[cls]:
        value = value_of(ref.column)
        data[ref.field] = None if value is None else refs.get(ref.target, {}).get(value)
    return data


def serialise_changes(session, objects, moved_cases: dict[str, set[str]] | None = None, deleted=frozenset()
                      ) -> list[tuple[str, str, str, str | None]]:
    """(entity, uid, JSON, queue) for each changed object; ``queue`` None means visible to every agent.
    A deleted entity is ``{"uid": …, "deleted": true}``. A case that moved (``moved_cases``: uid -> the queues it
    left) gets a row in its new queue and the same row once in each queue it left: agents of the old queue learn of
    the move (and drop the case), nobody else sees it, and later rows of the case are in its new queue only."""
    moved_cases = moved_cases or {}
    live = [obj for obj in objects if id(obj) not in deleted]
    refs = _lookup(session, live)
    rows = []
    for obj in objects:
        cls = type(obj)
        if id(obj) in deleted:
            rows.append((TRACKED[cls], obj.uid, orjson.dumps({"uid": obj.uid, "deleted": True}).decode(), None))
            continue
        data = entity_dict(obj, refs)
        if cls is Case:
            queue = obj.queue
            encoded = orjson.dumps(data).decode()
            for left in sorted(moved_cases.get(obj.uid, ())):
                if left and left != queue:
                    rows.append((TRACKED[cls], obj.uid, encoded, left))
            rows.append((TRACKED[cls], obj.uid, encoded, queue))
            continue
        elif hasattr(obj, "case_id") and obj.case_id is not None:
            queue = refs.get("case_queue", {}).get(obj.case_id)
        else:
            queue = None
        rows.append((TRACKED[cls], obj.uid, orjson.dumps(data).decode(), queue))
    return rows


def entity_json(session, obj) -> dict:
    """The feed's JSON of one entity (used for an op's conflict answer)."""
    return orjson.loads(orjson.dumps(entity_dict(obj, _lookup(session, [obj]))))


# --- paging -------------------------------------------------------------------------------------------------------

CL = ChangeLogEntry.__table__.c
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
        rows, next_cursor, has_more = _page_rows(conn, _FULL_ROWS, cursor, limit, queues)
        return _page_body([_fragment(*row) for row in rows], next_cursor, has_more)
    rows, next_cursor, has_more = _page_rows(conn, (CL.seq, CL.uid), cursor, limit, queues)
    if rows:
        cache.saw(rows[-1][0])
    fragments = cache.fragments(conn, rows, queues, max_reads)
    if fragments is None:
        return None
    return _page_body(fragments, next_cursor, has_more)


#: A change's columns for its encoded JSON (``at`` as the database hands it over: no datetime parsing per row).
_FULL_ROWS = (CL.seq, CL.entity, CL.uid, type_coerce(CL.at, String), CL.data)


def _page_rows(conn, columns, cursor: int, limit: int, queues: list[str] | None) -> tuple[list, int, bool]:
    """The page's rows (``columns``, in sequence order), its next cursor and whether more rows follow."""
    query = select(*columns).where(CL.seq > cursor)
    if queues:
        query = query.where(or_(CL.queue.is_(None), CL.queue.in_(queues)))
        # Read before the page: every row up to it was committed when the page was read (writers are serialised,
        # so rows commit in sequence order), which makes it safe to skip to when the page finds nothing visible.
        latest = latest_seq(conn)
    rows = conn.execute(query.order_by(CL.seq).limit(limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    if rows:
        next_cursor = rows[-1][0]
    elif queues:
        # Nothing visible to this agent after the cursor: jump to the end so the next pull starts there.
        next_cursor = max(cursor, latest)
    else:
        next_cursor = cursor
    return rows, next_cursor, has_more


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
        # One range scan over the primary key; rows of the range already cached (or invisible) are read and dropped.
        query = select(*_FULL_ROWS).where(CL.seq >= missing[0], CL.seq <= missing[-1])
        if queues:
            query = query.where(or_(CL.queue.is_(None), CL.queue.in_(queues)))
        wanted = set(missing) if len(missing) < missing[-1] - missing[0] + 1 else None
        read = {}
        for seq, entity, uid, at, data in conn.execute(query):
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


def latest_seq(conn) -> int:
    return conn.execute(select(func.max(CL.seq))).scalar() or 0


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

    async def wait_beyond(self, seq: int, timeout: float, ended: asyncio.Event | None = None) -> int:
        """The newest sequence number once it is beyond ``seq``, or the current one after ``timeout`` seconds or
        once ``ended`` is set (then woken by :meth:`wake`)."""
        if self.latest > seq or self._changed is None or (ended is not None and ended.is_set()):
            return self.latest
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(
                    lambda: self.latest > seq or (ended is not None and ended.is_set())), timeout)
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
        import psycopg

        from agent_console.server.db import NOTIFY_CHANNEL

        dsn = self.store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            if note.payload.isdigit():
                                broadcaster.publish_threadsafe(int(note.payload))
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
    from sqlalchemy import insert

    counts: dict[str, int] = {}
    with store.transaction() as session:
        known: set[tuple[str, str]] = set()
        if not everything:
            known = {(e, u) for e, u in session.execute(select(CL.entity, CL.uid).distinct())}
        now = store.clock.now() if getattr(store, "clock", None) else None
        if now is None:
            from datetime import timezone

            now = datetime.now(timezone.utc)
        for cls, entity in TRACKED.items():
            last_id = 0
            while True:
                objects = session.scalars(select(cls).where(cls.id > last_id).order_by(cls.id).limit(chunk)).all()
                if not objects:
                    break
                last_id = objects[-1].id
                wanted = [obj for obj in objects if (entity, obj.uid) not in known]
                if wanted:
                    rows = serialise_changes(session, wanted)
                    session.execute(insert(ChangeLogEntry.__table__),
                                    [{"entity": e, "uid": u, "data": d, "at": now, "queue": q} for e, u, d, q in rows])
                    counts[entity] = counts.get(entity, 0) + len(rows)
                session.expunge_all()
        # Rows written with Core: the session saw no ORM change, so announce them here.
        session.info.pop("changed", None)
    with store.engine.connect() as conn:
        broadcaster.publish_threadsafe(latest_seq(conn))
    if store.dialect == "postgresql" and counts:
        from agent_console.server.db import NOTIFY_CHANNEL

        with store.engine.begin() as conn:
            conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": NOTIFY_CHANNEL, "p": str(latest_seq(conn))})
    return counts
