"""The store's one bulk writer (store/bulk.py): what its fast path writes reads back exactly as what SQLAlchemy
writes, and a row that leaves out a column with a default still gets the default."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select

from agent_console.store import bulk
from agent_console.store.models import Queue

BERLIN = timezone(timedelta(hours=1))


def test_fast_path_rows_read_back_as_sqlalchemy_rows(store):
    at = datetime(2026, 3, 6, 14, 5, 7, 123456, tzinfo=BERLIN)
    table = Queue.__table__
    with store.transaction() as session:
        conn = session.connection()
        conn.execute(insert(table), [{"uid": "u-orm", "name": "Orm", "description": "d", "created_at": at}])
        written = bulk.insert_rows(conn, table, [{"uid": "u-bulk", "name": "Bulk", "description": "d",
                                                   "created_at": at}])
    assert written == 1
    with store.session() as session:
        rows = {r.name: r for r in session.connection().execute(select(table))}
    assert rows["Bulk"].created_at == rows["Orm"].created_at == at
    assert rows["Bulk"].created_at.tzinfo == timezone.utc


def test_rows_without_a_defaulted_column_get_the_default(store):
    table = Queue.__table__
    with store.transaction() as session:
        bulk.insert_rows(session.connection(), table, [{"name": "NoUid"}, {"name": "WithUid", "uid": "u-1"}])
    with store.session() as session:
        rows = {r.name: r for r in session.connection().execute(select(table))}
    assert rows["WithUid"].uid == "u-1"
    assert rows["NoUid"].uid and len(rows["NoUid"].uid) == 36


def test_update_rows_counts_versions_up(store):
    from agent_console.store.models import KBArticle

    table = KBArticle.__table__
    now = datetime(2026, 3, 6, tzinfo=timezone.utc)
    with store.transaction() as session:
        conn = session.connection()
        bulk.insert_rows(conn, table, [{"uid": "k1", "slug": "a", "title": "A", "body": "b", "tags": "",
                                        "language": "en", "helpful_votes": 0, "created_at": now, "updated_at": now,
                                        "version": 1}])
        row_id = bulk.next_id(conn, table) - 1
        bulk.update_rows(conn, table, [{"_id": row_id, "title": "A2"}])
    with store.session() as session:
        row = session.connection().execute(select(table.c.title, table.c.version)).one()
    assert tuple(row) == ("A2", 2)
