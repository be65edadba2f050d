"""The store side of file imports (``admin/importer.py``): the look-ups an import matches its records by and the
rows it reads before it writes, all inside the import's one transaction. Writing goes through ``store/bulk.py``.
"""

from __future__ import annotations

from sqlalchemy import select

from agent_console.store.models import Case, Customer, Queue, SlaPolicy, Survey


def rows_by_key(conn, table, key_column: str, fields: list[str]) -> dict:
    """key -> {id, key, fields…} of every row of the table."""
    columns = [table.c.id, table.c[key_column]] + [table.c[f] for f in fields if f != key_column]
    return {row._mapping[key_column]: dict(row._mapping) for row in conn.execute(select(*columns))}


def ids_by_key(conn, table, key_column: str) -> dict:
    return {key: row_id for key, row_id in conn.execute(select(table.c[key_column], table.c.id))}


def customer_emails(conn) -> dict[str, str]:
    """lower(e-mail) -> the e-mail as stored."""
    table = Customer.__table__
    return {e.lower(): e for (e,) in conn.execute(select(table.c.email).where(table.c.email.is_not(None)))}


def customers_by_contact(conn) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """(lower(e-mail) -> (id, name, language), phone -> (id, name, language)) of every customer."""
    table = Customer.__table__
    by_email = {e.lower(): (i, n, lang) for i, e, n, lang in conn.execute(
        select(table.c.id, table.c.email, table.c.name, table.c.language).where(table.c.email.is_not(None)))}
    by_phone = {p: (i, n, lang) for i, p, n, lang in conn.execute(
        select(table.c.id, table.c.phone, table.c.name, table.c.language).where(table.c.phone.is_not(None)))}
    return by_email, by_phone


def case_ids(conn) -> tuple[dict[str, int], dict[str, int]]:
    """(external id -> case id, key -> case id) of every case."""
    table = Case.__table__
    by_external, by_key = {}, {}
    for case_id, external_id, key in conn.execute(select(table.c.id, table.c.external_id, table.c.key)):
        if external_id:
            by_external[external_id] = case_id
        by_key[key] = case_id
    return by_external, by_key


def cases_by_id(conn, ids: list[int], chunk: int = 500) -> dict[int, dict]:
    """id -> the case row (a mapping of its columns), in chunks of ``chunk`` ids."""
    table = Case.__table__
    found = {}
    for start in range(0, len(ids), chunk):
        for row in conn.execute(select(table).where(table.c.id.in_(ids[start:start + chunk]))):
            found[row.id] = row._mapping
    return found


def surveys_by_case(conn) -> dict[int, dict]:
    table = Survey.__table__
    return {r.case_id: dict(r._mapping) for r in conn.execute(select(table))}


def sla_policies(session) -> dict[tuple[str, str | None], SlaPolicy]:
    """(channel, priority) -> policy; a priority of None is the channel's fallback."""
    return {(p.channel, p.priority): p for p in session.scalars(select(SlaPolicy)).all()}


def add_queues(session, names, now) -> None:
    session.add_all(Queue(name=name, created_at=now) for name in names)
