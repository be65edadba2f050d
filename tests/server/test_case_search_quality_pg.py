"""Issue #21 point 6 on the server's PostgreSQL: the same customer-worded queries over the same demo data (German and
English, typos, umlauts written as ae/oe/ue/ss, numbers in other formats), the case meant in the top 3, with the
index, its vocabulary and the near terms PostgreSQL keeps (migrations 0019 and 0026). Where not every word is in
the case meant ("Textor Urlaub Lieferung": 'Lieferung' is not in it, and common), the rows holding more of the rarer
words rank first, as BM25 ranks them on SQLite."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from tests.unit.test_case_search_quality import (  # noqa: F401 — the tests, run here over PostgreSQL
    CASE_QUERIES, found, test_who_the_customer_is_finds_their_cases_first,
)


@pytest.mark.parametrize("query, expected", CASE_QUERIES)
def test_the_case_meant_is_in_the_top_3_on_postgresql(demo, query, expected):
    keys = [key for key, _ in found(demo, query, 3)]
    assert expected in keys, keys


@pytest.fixture(scope="module")
def demo(postgres_cluster):
    """The demo data seeded straight into PostgreSQL (the same rows as the SQLite demo store: seed 42)."""
    from agent_console.admin.seed import seed_demo
    from agent_console.domain.clock import FrozenClock
    from agent_console.store.db import open_store

    store = open_store(postgres_cluster.create_database(f"case_quality_{uuid.uuid4().hex[:10]}"))
    seed_demo(store, FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)), kb=0, seed=42)
    with store.session() as session:
        rows = session.connection().execute(text(
            "SELECT c.id, c.key, cu.name FROM cases c JOIN customers cu ON cu.id = c.customer_id")).all()
    yield store, {row.id: (row.key, row.name) for row in rows}
    store.dispose()


def test_a_typo_is_answered_from_the_vocabulary_postgresql_keeps(demo):
    from agent_console.store.search import search_case_index

    store, cases = demo
    with store.session() as session:
        result = search_case_index(session, "Winkelr Rechnung", limit=3)
    assert result.mode == "typo" and "winkelr" in {word.lower() for word in result.corrections}
    assert "AC-001843" in [cases[match.case_id][0] for match in result.matches]

