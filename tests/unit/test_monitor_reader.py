"""The monitor keeps one SQLite connection per store between refreshes: every refresh must still see every commit."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace
from datetime import timezone

import pytest

from agent_console.domain import metrics, monitor
from agent_console.domain.cases import CaseService
from agent_console.domain.monitor import compute_snapshot
from tests.unit.test_monitor import at, build_floor, metric_rows_by_group

UTC = timezone.utc


@pytest.fixture
def floor(store, clock, agents):
    return build_floor(store, clock, agents)


def _kept_connection(store):
    return monitor._READERS[store].kept.connection


def test_refreshes_reuse_one_connection_and_see_every_commit(store, store_path, clock, agents, floor):
    first = compute_snapshot(store, clock, tz=UTC)
    kept = _kept_connection(store)
    assert kept is not None and not kept.in_transaction()  # no read snapshot held between refreshes

    # A change through the store (another connection of this process) …
    CaseService(store, clock, agents["anna"]).claim(floor["c1"].id)
    second = compute_snapshot(store, clock, tz=UTC)
    assert second.queue("Billing").waiting == first.queue("Billing").waiting - 1
    # … and one by another program writing the file.
    other = sqlite3.connect(store_path, isolation_level=None)
    try:
        other.execute("UPDATE cases SET assignee_id = NULL, status = 'open' WHERE id = ?", (floor["c1"].id,))
    finally:
        other.close()
    third = compute_snapshot(store, clock, tz=UTC)
    assert third.queue("Billing").waiting == first.queue("Billing").waiting
    assert _kept_connection(store) is kept


def test_disposing_the_store_closes_the_kept_connection(store, clock, agents, floor):
    before = compute_snapshot(store, clock, tz=UTC)
    kept = _kept_connection(store)
    store.dispose()
    assert kept.closed and _kept_connection(store) is None
    after = compute_snapshot(store, clock, tz=UTC)  # the store still works: the next refresh connects again
    assert _kept_connection(store) is not None and not _kept_connection(store).closed
    assert replace(after, compute_ms=0) == replace(before, compute_ms=0)


def test_a_refresh_while_another_runs_reads_through_its_own_session(store, clock, agents, floor):
    expected = replace(compute_snapshot(store, clock, tz=UTC), compute_ms=0)
    reader = monitor._READERS[store]
    with reader.lock:  # another thread is in the middle of a refresh
        assert replace(compute_snapshot(store, clock, tz=UTC), compute_ms=0) == expected
    results, errors = [], []

    def refresh():
        try:
            for _ in range(5):
                results.append(replace(compute_snapshot(store, clock, tz=UTC), compute_ms=0))
        except Exception as exc:  # reported below: a failure in a thread would otherwise pass silently
            errors.append(exc)

    threads = [threading.Thread(target=refresh) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 15 and all(result == expected for result in results)


def test_a_failed_refresh_drops_the_connection_and_the_next_one_reconnects(store, clock, agents, floor):
    compute_snapshot(store, clock, tz=UTC)
    kept = _kept_connection(store)
    # A thresholds object whose levels() fails after the reads: the error reaches the caller.
    broken = monitor.Thresholds({"Billing": {"waiting": ("x", "y")}})
    with pytest.raises(TypeError):
        compute_snapshot(store, clock, tz=UTC, thresholds=broken)
    assert kept.closed and _kept_connection(store) is None
    assert compute_snapshot(store, clock, tz=UTC).queue("Billing").waiting == 3


def test_csat_is_metrics_csat_for_every_grouping(store, clock, agents, floor):
    from agent_console.store.models import Survey

    with store.transaction() as session:
        session.add(Survey(case_id=floor["c3"].id, csat=4, created_at=at(8, 59)))
        session.add(Survey(case_id=floor["c2"].id, csat=None, nps=9, created_at=at(8, 59)))  # no CSAT answer
    snap = compute_snapshot(store, clock, tz=UTC)
    with store.session() as session:
        for g, row in metric_rows_by_group(session, snap, clock.now(), metrics.csat):
            assert (g.surveys_today, g.csat) == ((row.count, row.value / 100) if row else (0, None)), g.name
        (everyone,) = metrics.csat(session, snap.day_start, clock.now())
    assert (snap.floor.surveys_today, snap.floor.csat) == (everyone.count, everyone.value / 100)
    assert (everyone.count, everyone.value) == (3, pytest.approx(100 * 2 / 3))  # c5: 5, c6: 2, c3: 4
    assert snap.queue("Billing").csat == 0.5  # c6 answered 2, c3 answered 4


def test_the_day_rolls_over_between_two_refreshes_on_the_kept_connection(store, clock, agents, floor):
    clock.set(at(23, 59))
    evening = compute_snapshot(store, clock, tz=UTC)
    clock.set(at(0, 1, day=24))
    morning = compute_snapshot(store, clock, tz=UTC)
    assert _kept_connection(store) is not None
    assert evening.floor.created_today == 6 and evening.floor.resolved_today == 2  # c1–c5, c7; c5 and c6
    assert evening.floor.handled_today == 2
    assert (morning.day_start, morning.floor.created_today, morning.floor.resolved_today) == (at(0, day=24), 0, 0)
    assert morning.floor.handled_today == 0 and morning.floor.service_level is None and morning.floor.csat is None
    assert morning.floor.open_cases == evening.floor.open_cases == 5  # what is open stays open
