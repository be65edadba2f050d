"""The case search's query tests (``tests/unit/test_case_search.py``) over a store on PostgreSQL: the same cases,
the same queries, the same expected cases, with the index the PostgreSQL triggers write (migration 0019)."""

from __future__ import annotations

import uuid

import pytest

from agent_console.store.db import open_store
from agent_console.store.search import search_case_index
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


def _pg_index_rows(store):
    from sqlalchemy import text

    with store.session() as session:
        return sorted(session.connection().execute(text("SELECT rowid, case_id, doc::text FROM case_fts")).all())


def test_a_deferred_bulk_load_indexes_set_based_what_the_triggers_would(store, cases):
    from agent_console.store import bulk
    from agent_console.store.search.case_pg_schema import HEAD_ROWS, MESSAGE_ROWS

    with store.write_engine.connect() as conn, conn.begin():
        finish = bulk.defer_search(conn)
        assert finish is not None
        rows_before = conn.exec_driver_sql("SELECT count(*) FROM case_fts").scalar()
        conn.exec_driver_sql("INSERT INTO messages (uid, case_id, direction, channel, author_name, body, is_internal,"
                             " created_at) SELECT 'bulk-1', id, 'in', 'email', '', 'Die Waschmaschine läuft aus', "
                             "false, created_at FROM cases WHERE key = %s", (cases["boiler"],))
        conn.exec_driver_sql("UPDATE customers SET email = 'z.ramos@example.org' WHERE name = 'Zoe Ramos'")
        conn.exec_driver_sql("UPDATE cases SET subject = 'Bill explained' WHERE key = %s", (cases["invoice"],))
        conn.exec_driver_sql("DELETE FROM messages WHERE body LIKE %s", ("%warehouse%",))
        # Nothing was indexed row by row while the load ran: the new message has no row, the deleted note still has.
        assert conn.exec_driver_sql("SELECT count(*) FROM case_fts").scalar() == rows_before
        assert conn.exec_driver_sql("SELECT count(*) FROM case_fts WHERE rowid IN (SELECT id FROM messages WHERE "
                                    "uid = 'bulk-1')").scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM case_fts WHERE rowid > 0 AND rowid NOT IN "
                                    "(SELECT id FROM messages)").scalar() == 1
        finish()
    deferred = _pg_index_rows(store)
    assert keys(store, "Waschmaschine") == [cases["boiler"]]
    assert keys(store, "z.ramos@example.org") == [cases["parcel"]]
    assert keys(store, "explained") == [cases["invoice"]]
    assert keys(store, "warehouse glitch") == []
    assert keys(store, "Waschmaschiene")[:1] == [cases["boiler"]]  # the vocabulary has the load's words
    with store.transaction() as session:
        conn = session.connection()
        conn.exec_driver_sql("DELETE FROM case_fts")
        conn.exec_driver_sql(f"INSERT INTO case_fts (rowid, case_id, doc) {HEAD_ROWS}")
        conn.exec_driver_sql(f"INSERT INTO case_fts (rowid, case_id, doc) {MESSAGE_ROWS}")
    assert _pg_index_rows(store) == deferred
    # Writers after the load index row by row again.
    assert keys(store, "Störung")[:1] == [cases["boiler"]]


def test_a_write_after_a_deferred_load_is_indexed_by_the_triggers(store, clock, agents, cases):
    from agent_console.domain.cases import CaseService
    from agent_console.store import bulk

    with store.write_engine.connect() as conn, conn.begin():
        bulk.defer_search(conn)()
    CaseService(store, clock, agents["anna"]).reply(cases["parcel"], "Das Paket liegt in der Packstation.")
    assert keys(store, "Packstation") == [cases["parcel"]]


def test_a_word_written_as_one_or_apart_matches_every_spelling(store, clock, agents):
    from agent_console.domain.cases import CaseService

    service = CaseService(store, clock, agents["anna"])
    spelled = {spelling: service.create_case(
        customer=f"router{number}@example.com", customer_name=f"Robin Router{number}", channel="email",
        queue="Technik", subject="Router", language="en", body=f"The router drops the {spelling} every hour.").key
        for number, spelling in enumerate(("WiFi", "Wi-Fi", "wi fi"))}
    for query in ("wifi", "WIFI", "Wi-Fi", "wi fi", "router wifi"):
        assert sorted(keys(store, query, exact=True)) == sorted(spelled.values()), query
    with store.session() as session:
        match = search_case_index(session, "wifi", limit=5).matches[0]
    assert match.snippet.spans  # the words it matched as are highlighted in the message


def test_when_not_every_word_matches_the_rows_with_more_rare_words_rank_first(store, clock, agents):
    from agent_console.domain.cases import CaseService

    service = CaseService(store, clock, agents["anna"])
    meant = service.create_case(customer="heini.textor@example.net", customer_name="Heini Textor", channel="email",
                                queue="Logistik", subject="Lieferstatus", language="de",
                                body="Wann kommt meine Bestellung? Ich bin nächste Woche im Urlaub.").key
    for number in range(8):  # newer cases with the common word, many times and in the subject
        service.create_case(customer=f"kunde{number}@example.net", customer_name=f"Kunde {number}", channel="email",
                            queue="Logistik", subject="Lieferung Lieferung verspätet", language="de",
                            body="Die Lieferung ist verspätet, die Lieferung fehlt, wo ist die Lieferung?")
    with store.session() as session:
        result = search_case_index(session, "Textor Urlaub Lieferung", limit=3)
    assert result.mode == "any"
    assert keys(store, "Textor Urlaub Lieferung", limit=3)[:1] == [meant]
