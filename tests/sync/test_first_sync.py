"""A console's first sync in bulk mode (big transactions, indexes and search triggers set aside, no foreign-key
checks) ends exactly where a page-by-page pull ends, and an interrupted one leaves a whole store that resumes."""

from __future__ import annotations

import sqlite3

import pytest

from agent_console.sync.client import Offline
from agent_console.sync.engine import FIRST_SYNC, read_state, stored_cursor
from tests.sync.conftest import canonical_dump


def make_work(console, count: int, tag: str) -> None:
    """Cases with a reply (search-indexed), a note and a resolution, pushed to the server."""
    service = console.cases()
    for i in range(count):
        case = service.create_case(customer=f"{tag}-{i}@example.com", channel="email", queue="General",
                                   subject=f"{tag} {i}", body=f"Where is parcel {i}?")
        service.claim(case.id)
        service.reply(case.id, f"Your {tag} parcel number {i} left the warehouse today.")
        service.note(case.id, f"Checked with the carrier ({i}).")
        service.resolve(case.id)
    console.sync()


def schema(path) -> list:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall())


def indexed_replies(path) -> set:
    with sqlite3.connect(path) as conn:
        return set(conn.execute("SELECT m.uid, f.body FROM reply_fts f JOIN messages m ON m.id = f.rowid"))


def foreign_key_problems(path) -> list:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA foreign_key_check").fetchall()


def test_a_bulk_first_sync_ends_as_a_page_by_page_pull(team):
    make_work(team.console("sue"), 12, "bulk")
    bulk = team.console("ben", page_size=10, bulk_pages=2)
    plain = team.console("ben", page_size=10, bulk_pages=1)

    report = bulk.engine.pull()
    plain.engine.pull()

    assert report.pages >= 8  # transactions of 2, 4, 8 … pages: several index rebuilds, each over all rows so far
    assert canonical_dump(bulk.store) == canonical_dump(plain.store)
    replies = indexed_replies(bulk.path)
    assert replies == indexed_replies(plain.path)
    assert sum("bulk parcel number" in body for _uid, body in replies) == 12
    # Indexes and search triggers are back, exactly as a store that never set them aside.
    assert schema(bulk.path) == schema(plain.path)
    assert foreign_key_problems(bulk.path) == []
    assert read_state(bulk.store, FIRST_SYNC) == ""
    assert stored_cursor(bulk.store) == stored_cursor(plain.store) == report.cursor


def test_an_interrupted_first_sync_keeps_its_pages_and_resumes_in_bulk(team):
    make_work(team.console("sue"), 8, "resume")
    plain = team.console("ben", page_size=10, bulk_pages=1)
    plain.engine.pull()
    bulk = team.console("ben", page_size=10, bulk_pages=2)

    # Stopped after 3 pages: the first transaction (2 pages) and part of the second (1 of 4) are stored.
    bulk.engine.pull(max_pages=3)
    after_three = stored_cursor(bulk.store)
    assert 0 < after_three < stored_cursor(plain.store)
    assert read_state(bulk.store, FIRST_SYNC) == "1"
    assert schema(bulk.path) == schema(plain.path)  # a whole store in between: nothing is left set aside

    # The server goes away in the middle of the next transaction: the pages applied before are kept.
    real_changes = bulk.engine.client.changes
    calls = []

    def failing_changes(cursor, limit):
        calls.append(cursor)
        if len(calls) == 4:
            raise Offline("the server went away")
        return real_changes(cursor, limit)

    bulk.engine.client.changes = failing_changes
    with pytest.raises(Offline):
        bulk.engine.pull()
    assert calls[0] == after_three
    assert stored_cursor(bulk.store) == calls[-1] > after_three
    assert bulk.engine.status.cursor == stored_cursor(bulk.store)
    assert read_state(bulk.store, FIRST_SYNC) == "1"
    assert schema(bulk.path) == schema(plain.path)

    bulk.engine.client.changes = real_changes
    bulk.engine.pull()
    assert read_state(bulk.store, FIRST_SYNC) == ""
    assert canonical_dump(bulk.store) == canonical_dump(plain.store)
    assert indexed_replies(bulk.path) == indexed_replies(plain.path)
    assert schema(bulk.path) == schema(plain.path)
    assert foreign_key_problems(bulk.path) == []
