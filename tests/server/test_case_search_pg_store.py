"""The case search's query tests (``tests/unit/test_case_search.py``) over a store on PostgreSQL: the same cases,
the same queries, the same expected cases, with the index the PostgreSQL triggers write (migration 0019)."""

from __future__ import annotations

import uuid

import pytest

from agent_console.store.db import open_store
from tests.unit.test_case_search import (  # noqa: F401 — the tests and their fixture, run here over PostgreSQL
    cases, keys, test_any_input_is_safe, test_finds_the_case_despite_a_typo, test_a_word_in_very_many_rows_lists_the_newest_first,
    test_case_key_with_or_without_its_prefix_and_zeros, test_filters_combine_with_words, test_finds_the_case,
    test_hits_carry_status_queue_channel_and_sla, test_index_follows_every_write, test_only_the_queues_allowed,
)


@pytest.fixture
def store(postgres_cluster):
    url = postgres_cluster.create_database(f"case_search_{uuid.uuid4().hex[:10]}")
    opened = open_store(url)
    yield opened
    opened.dispose()


def test_the_index_is_a_postgresql_table_written_by_triggers(store, cases):
    from sqlalchemy import text

    with store.session() as session:
        conn = session.connection()
        rows = conn.execute(text("SELECT count(*) FROM case_fts")).scalar()
        messages = conn.execute(text("SELECT count(*) FROM messages")).scalar()
        heads = conn.execute(text("SELECT count(*) FROM cases")).scalar()
    assert rows == messages + heads


def test_migration_0019_downgrades_and_fills_the_index_from_existing_rows(store, cases):
    from alembic import command
    from sqlalchemy import text

    from agent_console.store.db import alembic_config, upgrade

    command.downgrade(alembic_config(store.url), "0016")
    with store.session() as session:
        assert session.connection().execute(text("SELECT to_regclass('case_fts')")).scalar() is None
    upgrade(store.url)
    assert keys(store, "Therme kalt") == [cases["boiler"]]  # the rows written before the index are in it
