"""Reads for the CLI's ``case list --json`` and ``case show --json`` straight through ``sqlite3``.

A short command spends most of its run importing SQLAlchemy and the ORM models; these reads need neither. They give
the same values the ORM path gives (aware UTC datetimes, booleans), as plain objects with the models' attribute
names, so the CLI builds its JSON the same way from either (tests/cli/test_case_fast_read.py compares the bytes).
Only a plain SQLite store file already at the schema head is read here; anything else (a missing, older, foreign or
PostgreSQL store, the ``mine`` view, which needs the acting agent) is left to the ORM path, which explains problems
and migrates.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from agent_console.i18n import _
from agent_console.store.schema_head import APPLICATION_ID, SCHEMA_HEAD

_SQLITE_HEADER = b"SQLite format 3\x00"


def open_at_head(path: Path | str) -> sqlite3.Connection | None:
    """A read-only connection to the store file when it is ours and at the schema head, else None."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError:
        return None
    if not header.startswith(_SQLITE_HEADER) or int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        con.execute("PRAGMA busy_timeout = 5000")
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    if row is None or row[0] != SCHEMA_HEAD:
        con.close()
        return None
    return con


def _utc(value):
    if value is None:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)


def _bool(value):
    return None if value is None else bool(value)


_CONVERT = {"DATETIME": _utc, "BOOLEAN": _bool}


def _converters(con: sqlite3.Connection, table: str) -> dict[str, object]:
    """Column name -> converter, from the declared types the migrations gave the table."""
    return {row[1]: _CONVERT[row[2]] for row in con.execute(f"PRAGMA table_info({table})") if row[2] in _CONVERT}


def _rows(con: sqlite3.Connection, sql: str, args: tuple | list, converters: dict) -> list[dict]:
    cursor = con.execute(sql, args)
    names = [d[0] for d in cursor.description]
    result = []
    for values in cursor:
        row = dict(zip(names, values))
        for name, convert in converters.items():
            if name in row:
                row[name] = convert(row[name])
        result.append(row)
    return result


def _case_converters(con) -> dict:
    return _converters(con, "cases")


def queue_case_ids(con: sqlite3.Connection, *, view: str, queue: str | None, channel: str | None,
                   limit: int) -> list[int]:
    """``queries.queue_case_ids`` for the views ``open``, ``unassigned`` and ``all`` in the default (SLA) order."""
    if view not in ("open", "unassigned", "all"):
        raise ValueError(f"the fast read path has no view {view!r}")
    conditions, args = [], []
    if view != "all":
        conditions.append("is_open = 1")
    if view == "unassigned":
        conditions.append("assignee_id IS NULL")
    if queue:
        conditions.append("queue = ?")
        args.append(queue)
    if channel:
        conditions.append("channel = ?")
        args.append(channel)
    where = " AND ".join(conditions)
    if view == "all":
        sql = (f"SELECT id FROM cases {'WHERE ' + where if where else ''} "
               "ORDER BY sla_due_at IS NULL, sla_due_at, created_at, id LIMIT ?")
        return [row[0] for row in con.execute(sql, [*args, limit])]
    # The default queue order: running targets by due time (ties by id), then the rest, oldest first.
    ids = [row[0] for row in con.execute(
        f"SELECT id FROM cases WHERE {where} AND sla_due_at IS NOT NULL ORDER BY sla_due_at, id LIMIT ?",
        [*args, limit])]
    if len(ids) < limit:
        ids += [row[0] for row in con.execute(
            f"SELECT id FROM cases WHERE {where} AND sla_due_at IS NULL ORDER BY created_at, id LIMIT ?",
            [*args, limit])]
    return ids[:limit]


_QUEUE_ROW_SQL = """
SELECT c.id, c.key, c.priority, c.channel, c.queue, c.subject, c.status, c.tier, c.created_at, c.sla_due_at,
       c.first_response_due, c.first_response_at, c.next_update_due, c.resolution_due, c.sla_paused_at, c.is_open,
       c.assignee_id, c.language, cu.name AS customer_name, a.login AS assignee_login
FROM cases AS c JOIN customers AS cu ON cu.id = c.customer_id LEFT OUTER JOIN agents AS a ON a.id = c.assignee_id
WHERE c.id IN ({marks})
"""


def queue_rows(con: sqlite3.Connection, ids: list[int]) -> dict[int, dict]:
    """``queries.queue_rows``: the queue table's columns for the given case ids, keyed by id."""
    if not ids:
        return {}
    sql = _QUEUE_ROW_SQL.format(marks=", ".join("?" * len(ids)))
    return {row["id"]: row for row in _rows(con, sql, ids, _case_converters(con))}


def all_policies(con: sqlite3.Connection) -> dict[tuple[str, str | None], SimpleNamespace]:
    """``queries.all_policies``: every SLA policy by (channel, priority), with the model's attribute names."""
    rows = _rows(con, "SELECT * FROM sla_policies ORDER BY id", (), _converters(con, "sla_policies"))
    return {(row["channel"], row["priority"]): SimpleNamespace(**row) for row in rows}


class CaseNotFound(LookupError):
    pass


def case_view(con: sqlite3.Connection, key: str):
    """(case, customer, assignee or None, messages) as plain objects with the models' attribute names."""
    cases = _rows(con, "SELECT * FROM cases WHERE key = ? ORDER BY id LIMIT 1", (key,), _case_converters(con))
    if not cases:
        raise CaseNotFound(_("no case {key}").format(key=repr(key)))
    case = SimpleNamespace(**cases[0])
    [customer] = _rows(con, "SELECT * FROM customers WHERE id = ?", (case.customer_id,),
                       _converters(con, "customers"))
    assignee = None
    if case.assignee_id:
        found = _rows(con, "SELECT * FROM agents WHERE id = ?", (case.assignee_id,), _converters(con, "agents"))
        assignee = SimpleNamespace(**found[0]) if found else None
    messages = _rows(con, "SELECT * FROM messages WHERE case_id = ? ORDER BY created_at, id", (case.id,),
                     _converters(con, "messages"))
    return case, SimpleNamespace(**customer), assignee, [SimpleNamespace(**m) for m in messages]


def case_mail_states(con: sqlite3.Connection, case_id: int) -> dict[int, SimpleNamespace]:
    """``mail_outbox.mail_states`` of a case's messages without the ORM: message id -> its outbox row."""
    rows = _rows(con, "SELECT * FROM mail_outbox WHERE case_id = ?", (case_id,), _converters(con, "mail_outbox"))
    return {row["message_id"]: SimpleNamespace(**row) for row in rows}


def case_attachments(con: sqlite3.Connection, case_id: int) -> dict[int, list[tuple]]:
    """``mail_receipts.attachments_by_message`` of a case's messages without the ORM: message id -> (file name, type,
    size, omitted reason) of each file, without the contents."""
    found: dict[int, list[tuple]] = {}
    for message_id, *listed in con.execute(
            "SELECT a.message_id, a.filename, a.content_type, a.size, a.omitted_reason FROM message_attachments AS a "
            "JOIN messages AS m ON m.id = a.message_id WHERE m.case_id = ? ORDER BY a.id", (case_id,)):
        found.setdefault(message_id, []).append(tuple(listed))
    return found


def case_escalations(con: sqlite3.Connection, case_id: int) -> list[dict]:
    """``queries.case_escalations`` without the ORM: the same keys, the same order."""
    return _rows(con, "SELECT e.kind, e.from_tier, e.to_tier, e.from_queue, e.to_queue, e.reason, e.created_at, "
                      "a.login AS by_login, a.name AS by_name FROM escalations AS e "
                      "LEFT OUTER JOIN agents AS a ON a.id = e.created_by_id "
                      "WHERE e.case_id = ? ORDER BY e.created_at, e.id", (case_id,), {"created_at": _utc})


CASE_CALLS_SQL = ("SELECT c.call_id, c.direction, c.number, c.withheld, c.from_number, c.to_number, c.first_seen_at, "
                  "c.started_at, c.answered_at, c.ended_at, c.cause, c.missed, a.login AS answered_login "
                  "FROM calls AS c LEFT JOIN agents AS a ON a.id = c.answered_by_id "
                  "WHERE c.case_id = ? ORDER BY c.first_seen_at, c.id")
CALL_TIMES = {"first_seen_at": _utc, "started_at": _utc, "answered_at": _utc, "ended_at": _utc}


def case_calls(con: sqlite3.Connection, case_id: int) -> list[dict]:
    """The calls taken on the case, oldest first (``call_queries.case_call_rows`` without the ORM)."""
    return _rows(con, CASE_CALLS_SQL, (case_id,), CALL_TIMES)


def case_follow_ups(con: sqlite3.Connection, case_id: int) -> list[dict]:
    """``queries.case_follow_ups`` without the ORM: the same keys, the same order."""
    return _rows(con, "SELECT f.due_at, f.done_at, f.note, a.login AS agent_login, a.name AS agent_name "
                      "FROM follow_ups AS f JOIN agents AS a ON a.id = f.agent_id "
                      "WHERE f.case_id = ? ORDER BY f.due_at, f.id", (case_id,),
                 {"due_at": _utc, "done_at": _utc})


def case_merge_state(con: sqlite3.Connection, case) -> tuple[str | None, list[dict]]:
    """(the key of the case it was merged into or None, its links as ``case_merge.shown_links`` gives them: the
    other case and what it is to this one — a parent link reads "child" from the parent's side)."""
    merged_into = None
    if case.merged_into_id is not None:
        row = con.execute("SELECT key FROM cases WHERE id = ?", (case.merged_into_id,)).fetchone()
        merged_into = row[0] if row else None
    links = _rows(con, "SELECT CASE WHEN l.kind = 'parent' THEN CASE WHEN l.case_id = ?1 THEN 'child' ELSE 'parent' "
                       "END ELSE l.kind END AS kind, c.key, c.subject, c.status, c.uid FROM case_links AS l "
                       "JOIN cases AS c ON c.id = CASE WHEN l.case_id = ?1 THEN l.other_id ELSE l.case_id END "
                       "WHERE l.case_id = ?1 OR l.other_id = ?1 ORDER BY l.created_at, l.id", (case.id,), {})
    return merged_into, links
