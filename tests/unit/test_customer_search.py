"""The new-case form's customer lookup: phone numbers by their digits and their end, e-mail and name."""

from __future__ import annotations

import pytest

from agent_console.store.customer_search import looks_like_phone, phone_core, search_customers
from agent_console.store.models import Customer


@pytest.fixture
def customers(store, clock):
    rows = {
        "berlin": Customer(name="Karl Kunde", email="Karl.Kunde@Example.de", phone="0301234567"),
        "intl": Customer(name="Petra Phone", email=None, phone="+49401112233"),
        "other": Customer(name="Mia Miller", email="mia@example.com", phone="+4930999888"),
        "noph": Customer(name="Karla Ohnetelefon", email="karla@example.org", phone=None),
        "wild": Customer(name="100% Sicher_GmbH", email="info@sicher.de", phone=None),
    }
    with store.transaction() as session:
        session.add_all(rows.values())
        session.flush()
        ids = {key: row.id for key, row in rows.items()}
    return ids


def names(store, text: str) -> list[str]:
    with store.session() as session:
        return [match.name for match in search_customers(session, text)]


def test_an_international_number_finds_the_national_one_stored(store, customers):
    assert names(store, "+49 30 1234567") == ["Karl Kunde"]
    assert names(store, "0049 (30) 123-4567") == ["Karl Kunde"]


def test_a_national_number_finds_the_international_one_stored(store, customers):
    assert names(store, "040 111 22 33") == ["Petra Phone"]


def test_digits_typed_so_far_match_inside_a_number(store, customers):
    assert names(store, "030 12") == ["Karl Kunde"]
    assert set(names(store, "30")) == set()  # fewer than three digits: no search yet
    assert names(store, "999") == ["Mia Miller"]


def test_a_short_stored_number_does_not_match_the_end_of_every_typed_number(store, clock):
    with store.transaction() as session:
        session.add(Customer(name="Shorty", phone="567"))
    assert names(store, "+49 30 1234567") == []


def test_email_is_case_insensitive_and_names_match_by_prefix_first(store, customers):
    assert names(store, "KARL.kunde@example.DE") == ["Karl Kunde"]
    assert names(store, "karl") == ["Karl Kunde", "Karla Ohnetelefon"]
    assert names(store, "kunde") == ["Karl Kunde"]
    assert names(store, "miller") == ["Mia Miller"]


def test_like_wildcards_in_the_text_are_literal(store, customers):
    assert names(store, "100%") == ["100% Sicher_GmbH"]
    assert names(store, "k_rl") == []  # as a wildcard it would find Karl
    assert names(store, "%") == ["100% Sicher_GmbH"]


def test_what_counts_as_a_phone_number():
    assert looks_like_phone("+49 (30) 123-4567")
    assert not looks_like_phone("karl 1")
    assert not looks_like_phone("+-/")
    assert phone_core("+49 030") == "49030"
    assert phone_core("0049 30") == "4930"
