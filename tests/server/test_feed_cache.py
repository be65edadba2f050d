"""The feed's cache of encoded changes: a page is the same, byte for byte, whether its rows come from the cache, the
database or both; the database alone decides which rows a page holds (sequence, queue filter, committed)."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone

import orjson
import pytest
from sqlalchemy import delete, insert, select

from agent_console.server import feed
from agent_console.server.db import open_server_store
from agent_console.store.models import ChangeLogEntry
from tests.server.conftest import migrate_database

CL = ChangeLogEntry.__table__.c
START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
QUEUES = ["Billing", "General", None, "Returns"]
FILTERS = [None, ["General"], ["Billing", "Returns"], ["Nobody"]]


@pytest.fixture(params=["sqlite", "postgresql"])
def server_store(request, databases):
    url = databases.new(request.param)
    migrate_database(url)
    store = open_server_store(url)
    yield store
    store.dispose()


def _rows(first: int, count: int) -> list[dict]:
    return [{"entity": "message" if i % 3 else "case", "uid": str(uuid.uuid4()),
             "data": orjson.dumps({"body": f"reply {i} \"quoted\" ü", "n": i}).decode(),
             "at": START + timedelta(seconds=i, microseconds=(i % 2) * 250000),
             "queue": QUEUES[i % len(QUEUES)]} for i in range(first, first + count)]


def _append(store, count: int, first: int = 0) -> None:
    with store.transaction() as session:
        session.execute(insert(ChangeLogEntry.__table__), _rows(first, count))


def _expected(store, cursor: int, limit: int, queues) -> dict:
    """The page as the database holds it, computed without the feed's code."""
    query = select(CL.seq, CL.entity, CL.uid, CL.at, CL.data, CL.queue).where(CL.seq > cursor).order_by(CL.seq)
    with store.engine.connect() as conn:
        everything = conn.execute(query).all()
    visible = [row for row in everything if not queues or row.queue is None or row.queue in queues]
    page = visible[:limit]
    if page:
        next_cursor = page[-1].seq
    elif queues:
        next_cursor = max([cursor] + [row.seq for row in everything])
    else:
        next_cursor = cursor
    return {"changes": [{"seq": r.seq, "entity": r.entity, "uid": r.uid,
                         "at": orjson.dumps(r.at).decode().strip('"'), "data": orjson.loads(r.data)} for r in page],
            "next_cursor": next_cursor, "has_more": len(visible) > limit}


def _page(store, cursor: int, limit: int, queues) -> bytes:
    with store.engine.connect() as conn:
        return feed.changes_page(conn, cursor, limit, queues)


def _cache(store) -> feed.FragmentCache:
    return feed.fragment_cache(store.engine)


def test_pages_are_the_same_from_the_database_the_cache_or_both(server_store):
    _append(server_store, 120)
    cache = _cache(server_store)
    for queues in FILTERS:
        for cursor, limit in [(0, 1), (0, 25), (17, 40), (60, 500), (119, 5), (120, 5), (500, 5)]:
            cache.clear()
            cold = _page(server_store, cursor, limit, queues)
            warm = _page(server_store, cursor, limit, queues)
            assert warm == cold
            assert orjson.loads(cold) == _expected(server_store, cursor, limit, queues), (cursor, limit, queues)


def test_a_page_that_starts_in_the_cache_and_ends_outside_it(server_store):
    _append(server_store, 200)
    cache = _cache(server_store)
    cache.clear()
    _page(server_store, 0, 50, None)  # caches seqs up to ~50
    _page(server_store, 120, 10, ["General"])  # a few cached rows with gaps between them
    assert 50 < len(cache) < 200
    for queues in FILTERS:
        for cursor in (0, 30, 45, 115):
            assert orjson.loads(_page(server_store, cursor, 100, queues)) == _expected(server_store, cursor, 100, queues)


def test_rows_filtered_out_for_one_agent_reach_another_from_the_database(server_store):
    _append(server_store, 80)
    _cache(server_store).clear()
    general = orjson.loads(_page(server_store, 0, 500, ["General"]))
    everything = orjson.loads(_page(server_store, 0, 500, None))
    assert {c["seq"] for c in general["changes"]} < {c["seq"] for c in everything["changes"]}
    assert everything == _expected(server_store, 0, 500, None)
    # The filter stays in SQL: a warm cache shows an agent no other queue's rows.
    assert orjson.loads(_page(server_store, 0, 500, ["General"])) == general
    assert {c["data"]["n"] % 4 for c in general["changes"]} == {1, 2}


def test_pages_stay_right_while_rows_are_committed_and_the_cache_evicts(server_store, monkeypatch):
    monkeypatch.setattr(feed, "FRAGMENT_CACHE_BYTES", 6_000)  # a few dozen rows: constant eviction
    feed._fragment_caches.pop(server_store.engine, None)
    _append(server_store, 40)
    batches, batch = 30, 13
    failures: list[str] = []
    done = threading.Event()

    def writer():
        try:
            for i in range(batches):
                _append(server_store, batch, first=40 + i * batch)
        finally:
            done.set()

    def reader(queues, limit):
        try:
            pulled, cursor = [], 0
            while True:
                finished = done.is_set()
                page = orjson.loads(_page(server_store, cursor, limit, queues))
                pulled += page["changes"]
                cursor = page["next_cursor"]
                if finished and not page["has_more"]:
                    break
            expected = _expected(server_store, 0, 10**6, queues)["changes"]
            if pulled != expected:
                failures.append(f"{queues} {limit}: {len(pulled)} pulled, {len(expected)} expected")
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            failures.append(repr(exc))

    threads = [threading.Thread(target=writer)] + [
        threading.Thread(target=reader, args=(queues, limit)) for queues in FILTERS for limit in (7, 50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    cache = _cache(server_store)
    assert cache._bytes <= 6_000 and 0 < len(cache) < 40 + batches * batch


def test_a_sequence_number_that_now_names_another_change_is_read_again(server_store):
    """A database restored under a running server: the same seq, another change."""
    _append(server_store, 10)
    before = orjson.loads(_page(server_store, 0, 10, None))
    last = before["changes"][-1]["seq"]
    replacement = _rows(500, 1)[0]
    with server_store.transaction() as session:
        session.execute(delete(ChangeLogEntry.__table__).where(CL.seq == last))
        session.execute(insert(ChangeLogEntry.__table__), [{**replacement, "seq": last}])
    after = orjson.loads(_page(server_store, 0, 10, None))
    assert after == _expected(server_store, 0, 10, None)
    assert after["changes"][-1]["uid"] == replacement["uid"] != before["changes"][-1]["uid"]


def test_each_database_has_its_own_cache(server_store, databases):
    other_url = databases.new("sqlite")
    migrate_database(other_url)
    other = open_server_store(other_url)
    try:
        _append(server_store, 5)
        _append(other, 5, first=1000)
        mine, theirs = _page(server_store, 0, 5, None), _page(other, 0, 5, None)
        assert [c["seq"] for c in orjson.loads(mine)["changes"]] == [c["seq"] for c in orjson.loads(theirs)["changes"]]
        assert orjson.loads(theirs) == _expected(other, 0, 5, None)
        assert orjson.loads(mine) == _expected(server_store, 0, 5, None)
    finally:
        other.dispose()


def test_the_event_loop_pager_serves_cached_pages_and_leaves_cold_ones_to_a_thread(databases):
    url = databases.new("sqlite")
    migrate_database(url)
    store = open_server_store(url)
    pager = feed.LoopPager(store.engine)
    try:
        _append(store, feed.LoopPager.MAX_READS + 50)
        _cache(store).clear()
        assert pager.page(0, 500, None) is None, "too many rows to read on the event loop"
        assert len(_cache(store)) == 0
        pooled = _page(store, 0, 500, None)
        assert pager.page(0, 500, None) == pooled
        _append(store, 10, first=1000)  # a few new rows: read right there
        for queues in FILTERS:
            assert orjson.loads(pager.page(0, 500, queues)) == _expected(store, 0, 500, queues)
        # The pager's reads end: a row committed after a page is in the next one.
        _append(store, 1, first=2000)
        assert orjson.loads(pager.page(0, 500, None)) == _expected(store, 0, 500, None)
    finally:
        pager.close()
        store.dispose()


def test_pages_far_behind_the_head_are_read_whole_and_not_cached(server_store, monkeypatch):
    monkeypatch.setattr(feed.FragmentCache, "WINDOW_ROWS", 30)
    _append(server_store, 120)
    cache = _cache(server_store)
    cache.clear()
    _page(server_store, 110, 50, None)  # the floor at the head
    assert cache.newest == _expected(server_store, 0, 500, None)["changes"][-1]["seq"]
    cached = len(cache)
    pager = feed.LoopPager(server_store.engine)
    try:
        for queues in FILTERS:
            for cursor, limit in [(0, 25), (5, 500), (60, 7)]:
                assert cache.behind_window(cursor)
                assert orjson.loads(_page(server_store, cursor, limit, queues)) == _expected(
                    server_store, cursor, limit, queues), (cursor, limit, queues)
                assert pager.page(cursor, limit, queues) is None, "a first sync's page belongs in a thread"
    finally:
        pager.close()
    assert len(cache) == cached
    # Both ways give the same bytes.
    far = _page(server_store, 60, 40, ["General"])
    monkeypatch.setattr(feed.FragmentCache, "WINDOW_ROWS", 10**9)
    assert _page(server_store, 60, 40, ["General"]) == far
