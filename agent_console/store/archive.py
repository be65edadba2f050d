"""The store side of whole-case exports and imports (``admin/case_archive.py``, ``admin/case_archive_import.py``):
rows by id, uid or other column in chunks, a case's child rows, and the writes of a whole-case import, all inside
the caller's transaction."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import insert, select, update

from agent_console.store.models import Agent, Customer

#: Values per ``IN (…)`` look-up.
CHUNK = 500


def agent_logins(conn) -> dict[int, str]:
    """id -> login of every agent."""
    return dict(conn.execute(select(Agent.__table__.c.id, Agent.__table__.c.login)).all())


def agent_ids(conn) -> dict[str, int]:
    """login -> id of every agent."""
    return dict(conn.execute(select(Agent.__table__.c.login, Agent.__table__.c.id)).all())


def _distinct(values: Iterable) -> list:
    return list({v for v in values if v is not None})


def ids_by(conn, table, column: str, values: Iterable) -> dict:
    """value -> id of the rows whose ``column`` is one of ``values``."""
    found = {}
    values = _distinct(values)
    for start in range(0, len(values), CHUNK):
        chunk = values[start:start + CHUNK]
        for key, row_id in conn.execute(select(table.c[column], table.c.id).where(table.c[column].in_(chunk))):
            found[key] = row_id
    return found


def rows_by(conn, table, column: str, values: Iterable) -> dict:
    """value -> the row (a mapping of its columns) whose ``column`` is one of ``values``."""
    found = {}
    values = _distinct(values)
    for start in range(0, len(values), CHUNK):
        for row in conn.execute(select(table).where(table.c[column].in_(values[start:start + CHUNK]))):
            found[row._mapping[column]] = row._mapping
    return found


def children_of(conn, table, case_ids: list[int]) -> list:
    """The rows of a case's child table for these cases, by id."""
    return conn.execute(select(table).where(table.c.case_id.in_(case_ids)).order_by(table.c.id)).all()


def customer_ids_by_email(conn) -> dict[str, int]:
    """lower(e-mail) -> id (the first customer with that address)."""
    table = Customer.__table__
    found: dict[str, int] = {}
    for email, row_id in conn.execute(select(table.c.email, table.c.id).where(table.c.email.is_not(None))):
        found.setdefault(email.lower(), row_id)
    return found


def insert_returning_ids(conn, table, rows: list[dict]) -> dict[str, int]:
    """Insert rows (in their order, so ids keep it) and return uid -> new id; the database assigns the ids (on
    PostgreSQL its sequences stay in step)."""
    if not rows:
        return {}
    statement = insert(table).returning(table.c.uid, table.c.id, sort_by_parameter_order=True)
    return {uid: row_id for uid, row_id in conn.execute(statement, rows)}


def insert_in_order(conn, table, rows: list[dict]) -> None:
    """Insert rows in their order (their ids keep it)."""
    if rows:
        conn.execute(insert(table), rows)


def update_row(conn, table, row_id: int, changes: dict) -> None:
    conn.execute(update(table).where(table.c.id == row_id).values(changes))
