"""The server's change feed in the database: what a change looks like in ``change_log``, appending it, and reading it.

A row's ``data`` is the entity's full current JSON. Local integer ids never leave the server: references to other
entities are given by uid (``case_uid``, ``customer_uid``, ``escalation_uid``, ``article_uid``) or, for agents, by
login (``assignee_login``, ``author_login``, ``agent_login`` …). An agent's password hash is never in the feed.

Paging, caching and telling listeners (the HTTP side) live in :mod:`agent_console.server.feed`; every statement they
need is here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from functools import partial

import orjson
from sqlalchemy import Connection, String, func, insert, or_, select, text, type_coerce
from sqlalchemy.orm import defer

from agent_console.store import feed_format
from agent_console.store.models import Case, ChangeLogEntry, MessageAttachment

#: Entity classes whose changes go into the feed, and their names there.
TRACKED: dict[type, str] = {model: name for name, model in feed_format.ENTITIES.items()}
ENTITY_NAMES = tuple(feed_format.ENTITIES)
#: The PostgreSQL channel on which a writer announces the feed's newest sequence number.
NOTIFY_CHANNEL = "agent_console_changes"

_REFS = {cls: feed_format.references(cls.__table__) for cls in TRACKED}
_COLUMNS = {cls: feed_format.plain_columns(cls.__table__) for cls in TRACKED}
#: Columns the feed never sends (attachment contents, up to megabytes each) are not even loaded when it is rebuilt.
_NOT_SENT_UNLOADED = {cls: [defer(getattr(cls, name))
                            for name in feed_format.SERVER_ONLY_COLUMNS.get(cls.__tablename__, ())] for cls in TRACKED}
CL = ChangeLogEntry.__table__.c


# --- what a change looks like ---------------------------------------------------------------------------------------


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
        elif target == "messages":
            # Rows that hang on a message (its attachments) are visible where the message's case is.
            cases = Case.__table__.c
            found["message_queue"] = dict(session.execute(
                select(table.c.id, cases.queue).join(Case.__table__, cases.id == table.c.case_id)
                .where(table.c.id.in_(ids))).all())
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
        elif cls is MessageAttachment:
            queue = refs.get("message_queue", {}).get(obj.message_id)
        else:
            queue = None
        rows.append((TRACKED[cls], obj.uid, orjson.dumps(data).decode(), queue))
    return rows


def entity_json(session, obj) -> dict:
    """The feed's JSON of one entity (used for an op's conflict answer)."""
    return orjson.loads(orjson.dumps(entity_dict(obj, _lookup(session, [obj]))))


# --- appending --------------------------------------------------------------------------------------------------------

_INSERT_CHANGES = insert(ChangeLogEntry.__table__).returning(CL.seq)
#: Key in a Core write connection's ``info``: the feed's newest seq, to NOTIFY with the COMMIT (see server_db).
NOTIFY_AT_COMMIT = "agent_console_notify_at_commit"


def append_change_log(executor, dialect: str, rows, clock=None) -> int:
    """Appends ``(entity, uid, data, queue)`` rows to the feed in the writer's transaction (a Session or Connection
    holding the write lock) and returns the newest sequence number; PostgreSQL listeners hear of it at commit."""
    at = clock.now() if clock is not None else datetime.now(timezone.utc)
    result = executor.execute(_INSERT_CHANGES, [{"entity": e, "uid": u, "data": d, "at": at, "queue": q}
                                                for e, u, d, q in rows])
    last_seq = max(result.scalars().all())
    if dialect == "postgresql":
        if isinstance(executor, Connection) and NOTIFY_AT_COMMIT in executor.info:
            executor.info[NOTIFY_AT_COMMIT] = last_seq
        else:
            notify(executor, last_seq)
    return last_seq


def notify(executor, last_seq: int) -> None:
    """Tells PostgreSQL listeners (at the commit of ``executor``'s transaction) that the feed reached ``last_seq``."""
    executor.execute(text("SELECT pg_notify(:channel, :payload)"),
                     {"channel": NOTIFY_CHANNEL, "payload": str(last_seq)})


def append_missing(session, now: datetime, *, everything: bool = False, chunk: int = 2000) -> dict[str, int]:
    """Feed rows for entities the feed has never shown (or, with ``everything``, for all), in ``session``'s
    transaction, written with Core (the session records no ORM change for them). Returns the count per entity."""
    counts: dict[str, int] = {}
    known: set[tuple[str, str]] = set()
    if not everything:
        known = {(e, u) for e, u in session.execute(select(CL.entity, CL.uid).distinct())}
    for cls, entity in TRACKED.items():
        last_id = 0
        while True:
            objects = session.scalars(select(cls).where(cls.id > last_id).order_by(cls.id).limit(chunk)
                                      .options(*_NOT_SENT_UNLOADED[cls])).all()
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
    return counts


def changed_since_shown(session, model) -> list[tuple[str, str, str, str | None]]:
    """Feed rows for the rows of ``model`` whose current state differs from their newest feed row (or that the feed
    has never shown)."""
    entity = TRACKED[model]
    newest = (select(CL.uid, func.max(CL.seq).label("seq")).where(CL.entity == entity).group_by(CL.uid)
              .subquery())
    shown = {uid: orjson.loads(data) for uid, data in session.execute(
        select(CL.uid, CL.data).join(newest, CL.seq == newest.c.seq))}
    objects = session.scalars(select(model).order_by(model.id)).all()
    return [row for row in serialise_changes(session, objects) if shown.get(row[1]) != orjson.loads(row[2])]


def snapshot_at_version(session, entity: str, uid: str, version: int) -> dict | None:
    """The entity as the feed showed it at ``version`` (None when the feed never had that version)."""
    for (data,) in session.execute(
        select(CL.data).where(CL.entity == entity, CL.uid == uid).order_by(CL.seq.desc())
    ):
        snapshot = orjson.loads(data)
        if snapshot.get("version") == version:
            return snapshot
        if snapshot.get("version", 0) < version:
            return None
    return None


# --- reading ----------------------------------------------------------------------------------------------------------

#: A change's columns for its encoded JSON (``at`` as the database hands it over: no datetime parsing per row).
FULL_ROWS = (CL.seq, CL.entity, CL.uid, type_coerce(CL.at, String), CL.data)
#: A change's sequence number and uid (what a cached page checks its cache against).
SEQ_AND_UID = (CL.seq, CL.uid)


def latest_seq(conn) -> int:
    return conn.execute(select(func.max(CL.seq))).scalar() or 0


def page_rows(conn, columns, cursor: int, limit: int, queues: list[str] | None) -> tuple[list, int, bool]:
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


def feed_notifications(engine, stop, wait_seconds: float = 1.0) -> Iterator[int]:
    """The sequence numbers PostgreSQL writers announce (NOTIFY), heard on a connection of its own until ``stop``
    (an Event) is set. A lost connection raises; the caller listens again."""
    import psycopg

    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        while not stop.is_set():
            for note in conn.notifies(timeout=wait_seconds):
                if note.payload.isdigit():
                    yield int(note.payload)


def rows_between(conn, first: int, last: int, queues: list[str] | None):
    """Every visible change from ``first`` to ``last`` (sequence numbers, inclusive) as :data:`FULL_ROWS`: one range
    scan over the primary key."""
    query = select(*FULL_ROWS).where(CL.seq >= first, CL.seq <= last)
    if queues:
        query = query.where(or_(CL.queue.is_(None), CL.queue.in_(queues)))
    return conn.execute(query)
