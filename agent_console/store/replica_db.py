"""The console store's side of a sync round: the transactions a pull writes in (plain, or with bulk-load settings)
as DB-API cursors for the replica's writer (:mod:`agent_console.sync.replica`), and the raw statements the sync engine
runs on such a cursor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def raw_cursor(session) -> Iterator:
    """A DB-API cursor on the connection of ``session``'s transaction (closed at the end of the block)."""
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


@contextmanager
def pull_transaction(store) -> Iterator:
    """A write transaction on the store, as a DB-API cursor."""
    with store.transaction() as session, raw_cursor(session) as cursor:
        yield cursor


@contextmanager
def bulk_pull_transaction(store, first_sync: bool) -> Iterator:
    """A write transaction for applying a long run of feed pages, as a DB-API cursor.

    For its duration only: no foreign-key checks (every reference a change carries is resolved to a local id, or
    the row is skipped as an orphan), a larger page cache, and the search indexes (replies, cases)
    updated once at the end. ``first_sync`` also sets the big tables' secondary indexes aside and rebuilds them at
    the end. Everything is put back inside the transaction, so an interrupted pull leaves the schema as it was.
    """
    from agent_console.store import bulk

    with store.write_engine.connect() as conn:
        raw = conn.connection.driver_connection
        # PRAGMA foreign_keys is a no-op inside a transaction: set it before BEGIN.
        settings = {name: raw.execute(f"PRAGMA {name}").fetchone()[0]
                    for name in ("foreign_keys", "cache_size")}
        # synchronous stays NORMAL: in WAL mode commits already skip fsync, and OFF would also skip it at
        # checkpoints, where an operating-system crash could then corrupt a store holding the agent's pending ops.
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("PRAGMA cache_size = -262144")
        try:
            with conn.begin():
                restore_indexes = bulk.drop_secondary_indexes(conn, keep_unique=True) if first_sync else None
                finish_search = bulk.defer_search(conn)
                cursor = raw.cursor()
                try:
                    yield cursor
                finally:
                    cursor.close()
                if finish_search is not None:
                    finish_search()
                if restore_indexes is not None:
                    restore_indexes()
        finally:
            try:
                for name, value in settings.items():
                    raw.execute(f"PRAGMA {name} = {int(value)}")
            except Exception:  # noqa: BLE001 - a broken connection must not be reused with bulk settings
                conn.invalidate()


def write_state_on(cursor, key: str, value: str) -> None:
    """:func:`agent_console.store.sync_state.write_state` on the DB-API cursor of a pull's transaction."""
    cursor.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                   "excluded.value", (key, value))


def set_case_key(cursor, case_uid: str, key: str) -> None:
    cursor.execute("UPDATE cases SET key = ? WHERE uid = ?", (key, case_uid))


def adopt_server_customer(cursor, case_uid: str, server_customer: str, local_customer: str) -> None:
    """The server knew the customer of a case made here by their contact already: the case belongs to the server's
    customer record (when this store has it), or the local record takes the server's uid."""
    found = cursor.execute("SELECT id FROM customers WHERE uid = ?", (server_customer,)).fetchone()
    if found:
        cursor.execute("UPDATE cases SET customer_id = ? WHERE uid = ?", (found[0], case_uid))
    else:
        cursor.execute("UPDATE customers SET uid = ? WHERE uid = ?", (server_customer, local_customer))


# --- the replica writer's statements (sync/replica.py decides what to write; the SQL is here) ----------------------

_CHUNK = 500
#: Rows that belong to a case, child tables first (follow-ups point at escalations).
_CASE_CHILDREN = ("follow_ups", "escalations", "mail_outbox", "messages", "handling_segments", "handling_corrections", "sla_events",
                  "case_article_links", "surveys", "drafts", "help_contacts")


def upsert_statement(table: str, key: str, columns: list[str]) -> str:
    """``INSERT … ON CONFLICT(key) DO UPDATE`` of ``columns`` (every one but the key is updated)."""
    # Names quoted: a column may be an SQL keyword (mail_outbox.references).
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != key)
    names = ", ".join(f'"{c}"' for c in columns)
    return (f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))}) "
            f'ON CONFLICT("{key}") DO UPDATE SET {updates}')


def local_ids(cursor, table: str, key: str, values: list[str]) -> Iterator[tuple[str, int]]:
    """(key value, local id) of the rows of ``table`` whose ``key`` is one of ``values``."""
    for start in range(0, len(values), _CHUNK):
        chunk = values[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        yield from cursor.execute(f"SELECT {key}, id FROM {table} WHERE {key} IN ({marks})", chunk)


def drop_cases(cursor, case_uids: list[str]) -> list[str]:
    """Remove cases and every row of theirs from this store (the agent may no longer see them) — except a case with
    the agent's unsent work: a draft with text, or an op still waiting in the outbox. Such a case stays, showing
    where it went, so the text is never lost (:func:`drop_cases_outside` removes it once the work is gone).
    Returns the uids removed."""
    pending = [payload for (payload,) in cursor.execute("SELECT payload FROM outbox WHERE status = 'pending'")]
    removed: list[str] = []
    for start in range(0, len(case_uids), _CHUNK):
        chunk = case_uids[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = cursor.execute(
            f"SELECT id, uid FROM cases WHERE uid IN ({marks}) AND NOT EXISTS "
            "(SELECT 1 FROM drafts WHERE drafts.case_id = cases.id AND trim(drafts.body) != '')", chunk).fetchall()
        rows = [(case_id, uid) for case_id, uid in rows if not any(uid in payload for payload in pending)]
        if not rows:
            continue
        case_ids = [case_id for case_id, _uid in rows]
        id_marks = ",".join("?" * len(case_ids))
        cursor.execute(f"DELETE FROM message_attachments WHERE message_id IN "
                       f"(SELECT id FROM messages WHERE case_id IN ({id_marks}))", case_ids)
        for table in _CASE_CHILDREN:
            cursor.execute(f"DELETE FROM {table} WHERE case_id IN ({id_marks})", case_ids)
        cursor.execute(f"DELETE FROM case_links WHERE case_id IN ({id_marks}) OR other_id IN ({id_marks})",
                       case_ids + case_ids)
        cursor.execute(f"UPDATE cases SET merged_into_id = NULL WHERE merged_into_id IN ({id_marks})", case_ids)
        # A call stays in the call log (it may ring for this agent again); it only loses the case it was on.
        cursor.execute(f"UPDATE calls SET case_id = NULL WHERE case_id IN ({id_marks})", case_ids)
        cursor.execute(f"DELETE FROM cases WHERE id IN ({id_marks})", case_ids)
        removed += [uid for _case_id, uid in rows]
    return removed


def drop_cases_outside(cursor, visible_queues: frozenset[str]) -> list[str]:
    """Remove the cases of other queues that :func:`drop_cases` kept for unsent work that is gone now."""
    marks = ",".join("?" * len(visible_queues))
    uids = [uid for (uid,) in cursor.execute(f"SELECT uid FROM cases WHERE queue NOT IN ({marks})",
                                             sorted(visible_queues))]
    return drop_cases(cursor, uids) if uids else []


def provisional_key(uid: str) -> str:
    return f"LOCAL-{uid[:8]}"


def free_case_keys(cursor, keys_and_uids: list[tuple[str, str]]) -> None:
    """A case made offline got a provisional key from this console; when the server hands that key to another case,
    the local one steps aside (it gets its real key once the server has it)."""
    wanted = dict(keys_and_uids)
    keys = list(wanted)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        clashes = [(row_id, key, uid) for row_id, key, uid in
                   cursor.execute(f"SELECT id, key, uid FROM cases WHERE key IN ({marks})", chunk).fetchall()
                   if wanted[key] != uid]
        for row_id, _key, uid in clashes:
            cursor.execute("UPDATE cases SET key = ? WHERE id = ?", (provisional_key(uid), row_id))


def replace_other_channel_policies(cursor, policies: list[tuple[str, str | None, str]]) -> None:
    """One policy per channel and priority: each (channel, priority, uid) removes any other policy of its channel
    and priority (the team's replaces a console's own default)."""
    from agent_console.store import bulk

    bulk.write_rows(cursor, "DELETE FROM sla_policies WHERE channel = ? AND priority IS ? AND uid != ?", policies)


def step_aside_names(cursor, table: str, column: str, names_and_uids: list[tuple[str, str]]) -> None:
    """Another row of ``table`` holding one of these unique names (shortcut, slug) under another uid gets a suffix
    of its uid, so the incoming row can take the name."""
    from agent_console.store import bulk

    bulk.write_rows(cursor, f"UPDATE {table} SET {column} = {column} || '~' || substr(uid, 1, 8) "
                    f"WHERE {column} = ? AND uid != ?", names_and_uids)


def replace_local_mail_rows(cursor, message_and_row_uids: list[tuple[str, str]]) -> None:
    """The server's word on how a message's mail stands replaces the row this store queued for it itself while it
    worked alone (the message's one mail row: a message is mailed once)."""
    from agent_console.store import bulk

    bulk.write_rows(cursor, "DELETE FROM mail_outbox WHERE message_id = (SELECT id FROM messages WHERE uid = ?) "
                    "AND uid != ?", message_and_row_uids)


def case_uids_of_messages(cursor, message_uids: set[str]) -> set[str]:
    """The uids of the cases these messages (by uid) are on."""
    found: set[str] = set()
    wanted = sorted(message_uids)
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        found.update(uid for (uid,) in cursor.execute(
            f"SELECT cases.uid FROM messages JOIN cases ON cases.id = messages.case_id WHERE messages.uid IN ({marks})",
            chunk))
    return found


def delete_kb_article(cursor, uid: str) -> None:
    """The article with its links to cases and its helpful votes; the help center's answers about it stay, without it."""
    cursor.execute("DELETE FROM case_article_links WHERE article_id IN (SELECT id FROM kb_articles WHERE uid = ?)",
                   (uid,))
    cursor.execute("UPDATE help_feedback SET article_id = NULL WHERE article_id IN "
                   "(SELECT id FROM kb_articles WHERE uid = ?)", (uid,))
    cursor.execute("DELETE FROM kb_helpful_votes WHERE article_id IN (SELECT id FROM kb_articles WHERE uid = ?)",
                   (uid,))
    cursor.execute("DELETE FROM kb_articles WHERE uid = ?", (uid,))


def point_merged_cases(cursor, targets_and_uids: list[tuple[str, str]]) -> None:
    """Each (target uid, case uid): the case points to the case it was merged into."""
    from agent_console.store import bulk

    bulk.write_rows(cursor, "UPDATE cases SET merged_into_id = (SELECT id FROM cases WHERE uid = ?) WHERE uid = ?",
                    targets_and_uids)


def fold_merged_drafts(cursor, merges: list[tuple[str, str]]) -> None:
    """Each (case uid, separator): this console's drafts on a case merged elsewhere go onto the case it was merged
    into, as ``case_links.fold_drafts`` does on the console that merged (appended after ``separator`` to a draft of
    the same agent and kind, else moved). Drafts stay on their console; the sync never carries them."""
    for uid, separator in merges:
        row = cursor.execute("SELECT id, merged_into_id FROM cases WHERE uid = ?", (uid,)).fetchone()
        if row is None or row[1] is None:
            continue
        source_id, target_id = row
        cursor.execute(
            "UPDATE drafts AS kept SET body = rtrim(kept.body, ' ' || char(9, 10, 13)) || ? || d.body, "
            "updated_at = max(kept.updated_at, d.updated_at) FROM drafts AS d "
            "WHERE d.case_id = ? AND kept.case_id = ? AND kept.agent_id = d.agent_id AND kept.kind = d.kind "
            "AND trim(d.body) != ''", (separator, source_id, target_id))
        cursor.execute("DELETE FROM drafts WHERE case_id = ? AND EXISTS (SELECT 1 FROM drafts AS kept WHERE "
                       "kept.case_id = ? AND kept.agent_id = drafts.agent_id AND kept.kind = drafts.kind)",
                       (source_id, target_id))
        cursor.execute("UPDATE drafts SET case_id = ? WHERE case_id = ?", (target_id, source_id))


def step_aside_case_links(cursor, pairs_and_uids: list[tuple[int, int, str]]) -> None:
    """One link per pair of cases: a link this console made offline between the same two cases as an incoming
    one (under another uid) gives way to it."""
    from agent_console.store import bulk

    bulk.write_rows(cursor, "DELETE FROM case_links WHERE ((case_id = ?1 AND other_id = ?2) OR "
                    "(case_id = ?2 AND other_id = ?1)) AND uid != ?3", pairs_and_uids)


def delete_by_uid(cursor, table: str, uid: str) -> None:
    cursor.execute(f"DELETE FROM {table} WHERE uid = ?", (uid,))
