"""Applying the server's change feed to the local store: upsert each entity by its uid (agents by login).

Changes carry the entity's full current state; references to other rows come by uid (``case_uid``,
``customer_uid`` …) or, for agents, by login (``assignee_login``, ``author_login`` …) and are mapped to local ids
here. Applying the same change twice gives the same rows (idempotent), so a pull cut off half-way is simply repeated
from the stored cursor.

Large pulls (a new console's first sync of 100,000s of rows) are cheap per row: a page's changes of one entity are
decoded together by msgspec straight into structs of that table's columns (no dict per change), and written through
SQLite's DB-API ``executemany`` with ``INSERT … ON CONFLICT DO UPDATE``, with values already in the form
``UTCDateTime`` stores them (naive UTC text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import msgspec
import orjson

from agent_console.store import bulk, feed_format, replica_db
from agent_console.store.models import Agent
from agent_console.store.replica_db import drop_cases, free_case_keys
from agent_console.store.types import UTCDateTime
from agent_console.sync.client import Change

ENTITIES = feed_format.ENTITIES


@dataclass
class _TableInfo:
    table: object
    key: str
    columns: list[str]            # plain columns taken from the feed (no id, no foreign keys)
    datetimes: frozenset[str]
    references: list[feed_format.Reference]
    #: Positions of the datetime columns in ``columns``.
    time_positions: tuple[int, ...] = ()
    #: ``INSERT … ON CONFLICT DO UPDATE`` over ``columns`` and then the references' local id columns.
    upsert: str = ""
    #: Decodes a JSON array of this entity's changes into structs whose fields are ``columns``, then the
    #: references' feed fields, then ``deleted`` (missing fields are None).
    decoder: Any = None
    #: Rows that belong to a case (``case_uid``).
    case_bound: bool = False

    def __post_init__(self) -> None:
        self.case_bound = any(ref.field == "case_uid" for ref in self.references)
        fields = [(name, Any, None) for name in self.columns + [ref.field for ref in self.references]]
        row_type = msgspec.defstruct(f"{self.table.name}_change", [*fields, ("deleted", bool, False)], gc=False)
        self.decoder = msgspec.json.Decoder(list[row_type])
        self.time_positions = tuple(i for i, name in enumerate(self.columns) if name in self.datetimes)
        self.upsert = replica_db.upsert_statement(self.table.name, self.key,
                                                  self.columns + [ref.column for ref in self.references])


def _table_info(model) -> _TableInfo:
    table = model.__table__
    datetimes = frozenset(c.name for c in table.columns if isinstance(c.type, UTCDateTime))
    return _TableInfo(table, "login" if model is Agent else "uid", feed_format.plain_columns(table), datetimes,
                      feed_format.references(table))


_INFO = {name: _table_info(model) for name, model in ENTITIES.items()}
_UTC = timezone.utc


def stored_time(value) -> str | None:
    """An ISO time from the feed as ``UTCDateTime`` stores it on SQLite: naive UTC ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    if value is None:
        return None
    # The two forms the server sends (UTC, without or with microseconds), cheaply: a first sync converts millions.
    size = len(value)
    if size == 25 and value[19:] == "+00:00":
        return value[:19].replace("T", " ", 1) + ".000000"
    if size == 32 and value[26:] == "+00:00":
        return value[:26].replace("T", " ", 1)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_UTC)
    return parsed.astimezone(_UTC).isoformat(" ", "microseconds")[:26]


@dataclass
class ApplyReport:
    changes: int = 0
    #: uids of cases whose row, thread or history changed (screens showing them refresh).
    case_uids: set[str] = field(default_factory=set)
    #: (entity, uid) of rows skipped because something they need is not in this store (e.g. a case outside the
    #: agent's queues).
    orphans: list[tuple[str, str]] = field(default_factory=list)
    #: case uid -> the version the applied change carried.
    case_versions: dict[str, int] = field(default_factory=dict)
    #: uids of cases removed because they moved out of the agent's queues.
    dropped_case_uids: set[str] = field(default_factory=set)
    #: uids of calls that changed (a call ringing, answered or ended: the screen pop follows them).
    call_uids: set[str] = field(default_factory=set)

    def merge(self, other: "ApplyReport") -> None:
        self.changes += other.changes
        self.case_uids |= other.case_uids
        self.call_uids |= other.call_uids
        self.dropped_case_uids |= other.dropped_case_uids
        self.orphans.extend(other.orphans)
        self.case_versions.update(other.case_versions)


class _Ids:
    """uid/login -> local id of referenced rows, looked up in chunks and remembered for one transaction."""

    def __init__(self, cursor) -> None:
        self.cursor = cursor
        self.known: dict[str, dict[str, int]] = {}

    def resolve(self, target: str, key: str, values: set[str]) -> dict[str, int]:
        known = self.known.setdefault(target, {})
        missing = [v for v in values if v not in known]
        known.update(replica_db.local_ids(self.cursor, target, key, missing))
        return known

    def forget(self, target: str, values) -> None:
        known = self.known.get(target, {})
        for value in values:
            known.pop(value, None)


def apply_changes(session, changes: list[dict]) -> ApplyReport:
    """Apply changes given as dicts (``entity``, ``uid``, ``data``) inside the caller's write transaction."""
    with replica_db.raw_cursor(session) as cursor:
        return apply_changes_with(cursor, [Change(c["entity"], c["uid"], msgspec.Raw(orjson.dumps(c["data"])))
                                           for c in changes])


def apply_changes_with(cursor, changes: list[Change], visible_queues: frozenset[str] | None = None) -> ApplyReport:
    """Apply one page of the feed on a DB-API cursor of the caller's write transaction. With ``visible_queues``
    (an agent limited to queues), a case whose newest row puts it in another queue — it was moved out of the
    agent's queues, the last the server tells this agent of it — is removed from this store with everything of it."""
    report = ApplyReport(changes=len(changes))
    latest: dict[str, dict[str, msgspec.Raw]] = {}
    for change in changes:
        entity = change.entity
        rows = latest.get(entity)
        if rows is None:
            if entity not in ENTITIES:
                continue
            rows = latest[entity] = {}
        uid = change.uid
        if uid in rows:
            # Only the newest state of a row matters; a row changed twice in a page is written once, in the
            # place of its last change.
            del rows[uid]
        rows[uid] = change.data
    if latest:
        ids = _Ids(cursor)
        for entity, info in _INFO.items():
            rows = latest.get(entity)
            if rows:
                _apply_entity(cursor, ids, entity, info, info.decoder.decode(b"[" + b",".join(rows.values()) + b"]"),
                              report)
        if visible_queues is not None and "case" in latest:
            moved_out = [uid for uid, data in latest["case"].items()
                         if (queue := msgspec.json.decode(data).get("queue")) is not None
                         and queue not in visible_queues]
            if moved_out:
                gone = drop_cases(cursor, moved_out)
                ids.forget("cases", gone)
                report.dropped_case_uids.update(gone)
    return report


def _apply_entity(cursor, ids: _Ids, entity: str, info: _TableInfo, rows: list, report: ApplyReport) -> None:
    table = info.table.name
    live = []
    for row in rows:
        if row.deleted:
            _delete(cursor, ids, entity, getattr(row, info.key))
        else:
            live.append(row)
    if not live:
        return
    width = len(info.columns)
    references = []
    for position, ref in enumerate(info.references, start=width):
        wanted = {value for row in live if (value := getattr(row, ref.field)) is not None}
        references.append((position, ids.resolve(ref.target, ref.key, wanted) if wanted else {}, ref.required))
    times = info.time_positions
    as_tuple = msgspec.structs.astuple
    values = []
    kept = []
    for row in live:
        fields = as_tuple(row)
        stored = list(fields[:width])
        for position in times:
            value = stored[position]
            if value is not None:
                stored[position] = stored_time(value)
        for position, resolved, required in references:
            value = fields[position]
            local_id = None if value is None else resolved.get(value)
            if local_id is None and required:
                report.orphans.append((entity, getattr(row, info.key)))
                break
            stored.append(local_id)
        else:
            values.append(stored)
            kept.append(row)
    if not values:
        return
    if entity == "mail_delivery":
        replica_db.replace_local_mail_rows(cursor, [(row.message_uid, row.uid) for row in kept])
    elif entity == "message_attachment":
        # Listed under their message: the thread of the message's case refreshes.
        report.case_uids.update(replica_db.case_uids_of_messages(cursor, {row.message_uid for row in kept}))
    if entity == "call":
        report.call_uids.update(row.uid for row in kept)
        report.case_uids.update(row.case_uid for row in kept if row.case_uid)
    elif entity == "case":
        report.case_uids.update(row.uid for row in kept)
        report.case_versions.update((row.uid, row.version) for row in kept if isinstance(row.version, int))
        free_case_keys(cursor, [(row.key, row.uid) for row in live])
    elif entity == "case_link":
        report.case_uids.update(uid for row in kept for uid in (row.case_uid, row.other_uid))
        replica_db.step_aside_case_links(cursor, [(stored[-3], stored[-2], row.uid)
                                                  for stored, row in zip(values, kept)])
    elif info.case_bound:
        report.case_uids.update(row.case_uid for row in kept if row.case_uid)
    elif entity == "sla_policy":
        # One policy per channel and priority: the team's replaces a console's own default.
        replica_db.replace_other_channel_policies(cursor, [(row.channel, row.priority, row.uid) for row in live])
    elif entity in ("canned_response", "kb_article"):
        column = "shortcut" if entity == "canned_response" else "slug"
        replica_db.step_aside_names(cursor, table, column, [(getattr(row, column), row.uid) for row in live])
    # The store's one bulk writer (store/bulk.py), in the first sync's bulk load the engine opened.
    bulk.write_rows(cursor, info.upsert, values)
    if entity == "case":
        # A merged case may come in the same page as the case it went into, which had no local id yet.
        merged = [(row.merged_into_uid, row.uid) for row in kept if row.merged_into_uid]
        if merged:
            replica_db.point_merged_cases(cursor, merged)
            from agent_console.domain.case_merge import draft_separator

            replica_db.fold_merged_drafts(cursor, [(row.uid, draft_separator(row.key)) for row in kept
                                                   if row.merged_into_uid])


def _delete(cursor, ids: _Ids, entity: str, uid: str) -> None:
    if entity == "kb_article":
        replica_db.delete_kb_article(cursor, uid)
        ids.forget("kb_articles", [uid])
    elif entity == "canned_response":
        replica_db.delete_by_uid(cursor, "canned_responses", uid)
    elif entity == "case_link":
        replica_db.delete_by_uid(cursor, "case_links", uid)
    elif entity == "sla_policy":
        # `server sla remove`: the console's cases follow the channel's default (or the built-in one), as the team's.
        replica_db.delete_by_uid(cursor, "sla_policies", uid)


def apply_case_state(session, case: dict, customer: dict | None = None) -> ApplyReport:
    """The server's current state of one case (from a conflict answer or ``GET /cases``), applied like a change."""
    changes = []
    if customer:
        changes.append({"entity": "customer", "uid": customer["uid"], "data": customer})
    changes.append({"entity": "case", "uid": case["uid"], "data": case})
    return apply_changes(session, changes)
