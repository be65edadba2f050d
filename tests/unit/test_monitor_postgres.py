"""The same hand-computed floor on PostgreSQL: the team server computes its monitor with the same function."""

from __future__ import annotations

import pytest

from agent_console.domain.monitor import compute_snapshot
from test_monitor import UTC, assert_drills_match_the_figures, build_floor

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store(postgres_cluster):
    import uuid

    from agent_console.store.db import open_store

    store = open_store(postgres_cluster.create_database(f"monitor_{uuid.uuid4().hex[:8]}"))
    yield store
    store.dispose()


def test_figures_on_postgresql_match_the_hand_computed_ones(pg_store, clock):
    from agent_console.domain.agents import upsert_agent

    agents = {login: upsert_agent(pg_store, clock, login=login, name=name, role=role, tier=tier)[0]
              for login, name, role, tier in (("anna", "Anna Agent", "agent", 1), ("ben", "Ben Second", "agent", 2),
                                              ("sue", "Sue Supervisor", "supervisor", 3))}
    floor = build_floor(pg_store, clock, agents)
    snap = compute_snapshot(pg_store, clock, tz=UTC)
    billing, delivery, f = snap.queue("Billing"), snap.queue("Delivery"), snap.floor
    assert (billing.open_cases, billing.waiting, billing.longest_wait_s) == (4, 3, 600)
    assert (billing.at_risk, billing.breached, billing.escalations) == (1, 2, 1)
    assert billing.service_level == pytest.approx(1 / 3) and billing.aht_s == pytest.approx(300)
    assert delivery.aht_s == pytest.approx(1560) and delivery.fcr == 1.0 and delivery.csat == 1.0
    assert f.service_level == pytest.approx(2 / 5) and f.aht_s == pytest.approx(930) and f.csat == 0.5
    assert snap.agent("anna").current_case_key == floor["c3"].key and snap.agent("ben").aht_s == pytest.approx(1560)
    assert (snap.due_total, snap.overdue_total) == (2, 2)
    # Every figure's drill-down lists exactly its cases on PostgreSQL too.
    assert assert_drills_match_the_figures(pg_store, clock.now(), snap) > 20
    assert snap.agent("anna").open_cases == 1 and snap.follow_ups_due == 1
