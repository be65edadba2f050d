"""The case index holds each fact once (issue #21 point 5): a case's subject, customer and ids in its head row, a
message's text in its own row. Queries whose words are split between the two still find the case (and only it), a
case's new language re-stems its messages on either write path, and migration 0025 converts an existing store."""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from sqlalchemy import text

from agent_console.domain.cases import CaseService
from agent_console.store import bulk
from agent_console.store.db import alembic_config, open_store, sqlite_url
from agent_console.store.search import fill_case_index, register_functions, search_case_index


@pytest.fixture
def cases(store, clock, agents):
    service = CaseService(store, clock, agents["anna"])
    made = {
        "moran_parcel": service.create_case(
            customer="nancy.moran@example.com", customer_name="Nancy Moran", customer_phone="+44 117 882 2384",
            channel="email", queue="Delivery", subject="Delivery problem", language="en",
            body="The parcel arrived damaged and the box was crushed."),
        "smith_parcel": service.create_case(
            customer="john.smith@example.com", customer_name="John Smith", channel="email", queue="Delivery",
            subject="Broken delivery", language="en", body="My parcel arrived damaged too."),
        "moran_printer": service.create_case(
            customer="nancy.moran@example.com", customer_name="Nancy Moran", channel="phone", queue="Technik",
            subject="Printer", language="en", body="The printer stopped printing after the update."),
        "waschmaschine": service.create_case(
            customer="joerg.weiss@example.de", customer_name="Jörg Weiß", channel="email", queue="Technik",
            subject="Gerät defekt", language="de", body="Die Waschmaschinen laufen aus."),
    }
    return {name: case.key for name, case in made.items()}


def keys(store, query):
    with store.session() as session:
        result = search_case_index(session, query)
        by_id = dict(session.connection().execute(text("SELECT id, key FROM cases")).all())
        return [by_id[match.case_id] for match in result.matches] if result.mode == "exact" else []


def index_rows(store):
    with store.session() as session:
        return sorted(session.connection().execute(
            text("SELECT rowid, subject, body, people, ids, case_tag FROM case_fts")).all())


def test_message_rows_hold_only_their_text_and_the_case_tag(store, cases):
    rows = index_rows(store)
    messages = [row for row in rows if row[0] > 0]
    assert messages and all(row[1] == row[3] == row[4] == "" and row[2] for row in messages)
    heads = [row for row in rows if row[0] < 0]
    assert len(heads) == len(cases) and all(row[2] == "" and row[3] for row in heads)
    assert all(row[5] == f"_c{abs(row[0])}" for row in heads)


@pytest.mark.parametrize("query, case", [
    ("Moran parcel", "moran_parcel"),              # the customer's name in the head, a word of her message
    ("Nancy Moran damaged crushed", "moran_parcel"),
    ("Smith parcel damaged", "smith_parcel"),
    ("0117 882 2384 crushed", "moran_parcel"),     # the number in the head, a word in the message
    ("customer:moran parcel", "moran_parcel"),     # the filter only on the case's customer
    ("delivery crushed", "moran_parcel"),          # a word of the subject and one of the message
    ("Moran printer update", "moran_printer"),
])
def test_words_split_between_the_case_and_one_message_find_that_case_only(store, cases, query, case):
    assert keys(store, query) == [cases[case]]


def test_words_from_two_different_cases_do_not_combine(store, cases):
    assert keys(store, "Smith crushed") == []   # crushed is in Moran's message, Smith is another customer
    assert keys(store, "Moran update parcel") == []  # both words in Moran's cases, but in two different cases


def _stemmed_body(store, key):
    with store.session() as session:
        return session.connection().execute(text(
            "SELECT f.body FROM case_fts f JOIN messages m ON m.id = f.rowid JOIN cases c ON c.id = m.case_id "
            "WHERE c.key = :key"), {"key": key}).scalar()


def test_a_new_language_re_stems_the_case_messages_by_trigger_and_in_a_bulk_load(store, cases):
    key = cases["waschmaschine"]
    german = _stemmed_body(store, key)
    with store.transaction() as session:
        session.connection().execute(text("UPDATE cases SET language = 'en' WHERE key = :key"), {"key": key})
    english = _stemmed_body(store, key)
    assert english != german
    with store.write_engine.connect() as conn, conn.begin():
        finish = bulk.defer_search(conn)
        conn.exec_driver_sql("UPDATE cases SET language = 'de' WHERE key = ?", (key,))
        finish()
    assert _stemmed_body(store, key) == german
    deferred = index_rows(store)
    with store.transaction() as session:
        fill_case_index(session.connection().connection.driver_connection.cursor())
    assert index_rows(store) == deferred


def test_migration_0025_converts_an_existing_index_and_downgrades(tmp_path, clock, cases, store):
    path = tmp_path / "existing.db"
    store.dispose()
    with sqlite3.connect(store.path) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
    url = sqlite_url(path)
    command.downgrade(alembic_config(url), "0022")
    raw = sqlite3.connect(path)
    register_functions(raw)  # the 0016 triggers call the index functions
    try:
        old_message_rows = raw.execute("SELECT people FROM case_fts WHERE rowid > 0").fetchall()
        assert old_message_rows and all(people for (people,) in old_message_rows)  # the 0016 layout: repeated
        with raw:  # written under the 0016 triggers
            raw.execute("INSERT INTO messages (uid, case_id, direction, channel, author_name, body, is_internal, "
                        "created_at) SELECT 'old-layout', id, 'in', 'email', '', 'The courier left it outside.', 0, "
                        "'2026-11-23 09:00:00.000000' FROM cases WHERE key = ?", (cases["smith_parcel"],))
    finally:
        raw.close()
    upgraded = open_store(path)  # upgrades to head: 0025 rebuilds the index from the rows
    try:
        rows = index_rows(upgraded)
        assert all(row[3] == "" for row in rows if row[0] > 0)
        assert keys(upgraded, "Smith courier") == [cases["smith_parcel"]]
        with upgraded.transaction() as session:
            fill_case_index(session.connection().connection.driver_connection.cursor())
        assert index_rows(upgraded) == rows
    finally:
        upgraded.dispose()
