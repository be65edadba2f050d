"""One search over every case: keys, subjects, every message and note, customers' names, addresses and numbers;
filters; the index follows every write in the writer's transaction (triggers and bulk loads alike)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from agent_console.domain.case_search import search_cases
from agent_console.domain.cases import CaseService
from agent_console.store import bulk
from agent_console.store.search import FilterError, search_case_index


@pytest.fixture
def cases(store, clock, agents):
    service = CaseService(store, clock, agents["anna"])
    made = {
        "boiler": service.create_case(
            customer="kerstin.mueller@example.de", customer_name="Kerstin Müller", customer_phone="030 1234567",
            channel="phone", queue="Technik", subject="Heizung", language="de",
            body="Die Therme im Keller zeigt Störung F28 und die Wohnung bleibt kalt."),
        "invoice": service.create_case(
            customer="john.smith@example.com", customer_name="John Smith", channel="email", queue="Billing",
            subject="Question about my bill", language="en",
            body="The invoice for order 558812 charges shipping twice."),
        "parcel": service.create_case(
            customer="+44 161 891 0069", customer_name="Zoe Ramos", channel="chat", queue="Delivery",
            subject="Where is my parcel", language="en", body="Tracking has shown nothing for five days."),
    }
    service.note(made["invoice"].key, "Called the warehouse: the duplicate line is a known glitch.")
    return {name: case.key for name, case in made.items()}


def keys(store, query, *, exact=False, **options):
    """The keys found, best first; with ``exact`` only what every word matched as written (no near words)."""
    with store.session() as session:
        result = search_case_index(session, query, **options)
        ids = [m.case_id for m in result.matches] if result.mode == "exact" or not exact else []
        by_id = dict(session.connection().execute(text("SELECT id, key FROM cases")).all())
    return [by_id[i] for i in ids]


@pytest.mark.parametrize("query, case", [
    ("Therme kalt", "boiler"),                    # words of an incoming message
    ("Stoerung", "boiler"),                       # ö written as oe
    ("Mueller", "boiler"), ("Müller", "boiler"),  # the customer's name either way
    ("kerstin.mueller@example.de", "boiler"),     # the e-mail address
    ("+49 30 1234567", "boiler"), ("030/123 45 67", "boiler"), ("0049301234567", "boiler"),  # one number, any form
    ("0161 8910069", "parcel"), ("+441618910069", "parcel"),
    ("invoices shipping", "invoice"),             # stemmed English
    ("warehouse glitch", "invoice"),              # an internal note
    ("558812", "invoice"),                        # an order number in a message
])
def test_finds_the_case(store, cases, query, case):
    assert keys(store, query)[:1] == [cases[case]]


def test_finds_the_case_despite_a_typo(store, cases):
    # The near terms come from the index's vocabulary: fts5vocab on SQLite, case_fts_vocab + pg_trgm on PostgreSQL.
    assert keys(store, "invocie")[:1] == [cases["invoice"]]


def test_case_key_with_or_without_its_prefix_and_zeros(store, cases):
    key = cases["parcel"]
    assert keys(store, key)[:1] == [key]
    assert keys(store, str(int(key.split("-")[1])))[:1] == [key]


def test_filters_combine_with_words(store, cases):
    assert keys(store, "status:new channel:chat parcel") == [cases["parcel"]]
    assert keys(store, "status:open parcel") == [cases["parcel"]]  # every open state
    assert keys(store, "status:closed parcel") == []
    assert keys(store, "channel:email parcel") == []
    assert keys(store, "queue:billing invoice") == [cases["invoice"]]
    assert keys(store, "queue:delivery invoice") == []
    assert keys(store, "customer:müller Heizung") == [cases["boiler"]]
    assert keys(store, "customer:smith Heizung") == []
    assert keys(store, "customer:smith") == [cases["invoice"]]
    assert keys(store, 'customer:"030 1234567"') == [cases["boiler"]]
    assert keys(store, "after:2000-01-01 before:2999-01-01 parcel") == [cases["parcel"]]
    assert keys(store, "before:2000-01-01 parcel") == []
    with pytest.raises(FilterError):
        keys(store, "before:yesterday parcel")


def test_only_the_queues_allowed(store, cases):
    assert keys(store, "invoice", allowed_queues=["Billing"]) == [cases["invoice"]]
    assert keys(store, "invoice", allowed_queues=["Delivery"]) == []


@pytest.mark.parametrize("query", ['"', 'NEAR(a b', 'body:x', '* AND OR NOT -', "'; DROP TABLE cases; --", "\x00",
                                   "status:", "customer:", "((((", "ä" * 3000])
def test_any_input_is_safe(store, cases, query):
    keys(store, query)


def test_index_follows_every_write(store, clock, agents, cases):
    service = CaseService(store, clock, agents["anna"])
    service.reply(cases["parcel"], "Your Kühlschrank leaves our depot tomorrow.")
    assert keys(store, "Kuehlschrank") == [cases["parcel"]]
    with store.transaction() as session:
        conn = session.connection()
        # A merge moves a message to another case: the row follows it.
        conn.execute(text("UPDATE messages SET case_id = (SELECT id FROM cases WHERE key = :to) "
                          "WHERE body LIKE '%Kühlschrank%'"), {"to": cases["boiler"]})
        conn.execute(text("UPDATE customers SET name = 'Zoe Ramirez' WHERE name = 'Zoe Ramos'"))
        conn.execute(text("UPDATE cases SET subject = 'Parcel lost in transit' WHERE key = :k"), {"k": cases["parcel"]})
        conn.execute(text("UPDATE messages SET body = 'Hot water is back.' WHERE body LIKE 'Die Therme%'"))
    assert keys(store, "Kuehlschrank") == [cases["boiler"]]
    assert keys(store, "Ramirez") == [cases["parcel"]] and keys(store, "Ramos", exact=True) == []
    assert keys(store, "transit") == [cases["parcel"]]
    assert keys(store, "Therme", exact=True) == [] and keys(store, "hot water") == [cases["boiler"]]
    with store.transaction() as session:
        session.connection().execute(text("DELETE FROM messages WHERE case_id = (SELECT id FROM cases WHERE key = :k)"),
                                     {"k": cases["invoice"]})
    assert keys(store, "warehouse", exact=True) == []
    assert keys(store, cases["invoice"])[:1] == [cases["invoice"]]  # the case itself is still found


def _index_rows(store):
    with store.session() as session:
        return sorted(session.connection().execute(
            text("SELECT rowid, subject, body, people, ids FROM case_fts")).all())


def test_a_deferred_bulk_load_indexes_what_the_triggers_would(store, clock, agents, cases):
    with store.write_engine.connect() as conn, conn.begin():
        finish = bulk.defer_search(conn)
        assert finish is not None
        conn.exec_driver_sql("INSERT INTO messages (uid, case_id, direction, channel, author_name, body, is_internal,"
                             " created_at) SELECT 'bulk-1', id, 'in', 'email', '', 'Die Waschmaschine läuft aus', 0,"
                             " created_at FROM cases WHERE key = ?", (cases["boiler"],))
        conn.exec_driver_sql("UPDATE customers SET email = 'z.ramos@example.org' WHERE name = 'Zoe Ramos'")
        conn.exec_driver_sql("UPDATE cases SET subject = 'Bill explained' WHERE key = ?", (cases["invoice"],))
        finish()
    deferred = _index_rows(store)
    assert keys(store, "Waschmaschine") == [cases["boiler"]]
    assert keys(store, "z.ramos@example.org") == [cases["parcel"]]
    with store.transaction() as session:
        search_rebuild = session.connection().connection.driver_connection
        from agent_console.store.search import fill_case_index

        fill_case_index(search_rebuild.cursor())
    assert _index_rows(store) == deferred


def test_hits_carry_status_queue_channel_and_sla(store, clock, cases):
    with store.session() as session:
        found = search_cases(session, "parcel", clock.now())
    hit = found.hits[0]
    assert (hit.key, hit.status, hit.queue, hit.channel, hit.customer) == (
        cases["parcel"], "new", "Delivery", "chat", "Zoe Ramos")
    assert str(hit.sla.state) in ("ok", "at_risk", "breached")
    assert hit.as_dict()["sla_state"] == str(hit.sla.state)
    assert hit.subject_spans and hit.subject[slice(*hit.subject_spans[0])] == "parcel"


def test_a_word_in_very_many_rows_lists_the_newest_first(store, clock, agents, cases, monkeypatch):
    from agent_console.store.search import cases as case_search

    service = CaseService(store, clock, agents["anna"])
    service.reply(cases["boiler"], "Ihre Bestellung ist unterwegs.")
    service.reply(cases["parcel"], "Your Bestellung left today.")
    assert set(keys(store, "Bestellung")) == {cases["boiler"], cases["parcel"]}
    monkeypatch.setattr(case_search, "RANK_AT_MOST", 0)
    assert keys(store, "Bestellung") == [cases["parcel"], cases["boiler"]]  # the newest message first
    assert keys(store, "Bestellung", limit=1) == [cases["parcel"]]
