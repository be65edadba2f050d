"""Other customers' data is masked in reused replies ("Answered before"); the current customer's own data is not."""

from __future__ import annotations

from agent_console.domain.cases import CaseService
from agent_console.domain.kb import KnowledgeBase
from agent_console.domain.privacy import Identity, mask_other_customer, mask_spans

OTTO = Identity(name="Otto Peter Alt", email="otto.alt@example.de", phone="+49 171 1234567", case_key="AC-000012")
KARL = Identity(name="Karl Kunde", email="karl@example.de", phone="030 7654321", case_key="AC-000099")


def test_the_other_customers_name_email_phone_and_case_key_are_masked():
    text = ("Hallo Otto Peter Alt,\nlieber Herr Alt: wir haben OTTO.ALT@example.de und 0171 1234567 notiert "
            "(Fall AC-000012).")
    assert mask_other_customer(text, OTTO, KARL) == (
        "Hallo [customer],\nlieber Herr [customer]: wir haben [email] und [phone] notiert (Fall [case]).")


def test_addresses_numbers_and_keys_it_does_not_know_are_masked_by_their_shape():
    text = "Schreiben Sie an info@shop.example oder rufen Sie +49 (0)30 123456-7 an, wie in AC-000345."
    assert mask_other_customer(text, Identity(), KARL) == (
        "Schreiben Sie an [email] oder rufen Sie [phone] an, wie in [case].")


def test_amounts_dates_and_order_numbers_are_not_phone_numbers():
    text = "Betrag 1.234,56 EUR am 2026-11-23, Bestellung 4711-2023, Paket 123456789."
    assert mask_other_customer(text, OTTO, KARL) == text


def test_the_current_customers_own_data_stays():
    text = "Karl Kunde, karl@example.de, +49 30 7654321, AC-000099"
    assert mask_other_customer(text, OTTO, KARL) == text
    # ...even when the other case was theirs too (same name): nothing of theirs is masked.
    assert mask_other_customer("Hallo Karl Kunde", Identity(name="Karl Kunde"), KARL) == "Hallo Karl Kunde"


def test_highlights_move_with_the_masked_text():
    text, spans = mask_spans("Hallo Otto Alt, die Erstattung kommt", [(6, 10), (20, 30)], OTTO)
    assert text == "Hallo [customer], die Erstattung kommt"
    assert [text[a:b] for a, b in spans] == ["[customer]", "Erstattung"]


def test_answered_before_search_masks_other_customers(store, clock, agents):
    anna = CaseService(store, clock, agents["anna"])
    old = anna.create_case(customer="otto.alt@example.de", customer_name="Otto Alt", channel="email",
                           queue="Billing", subject="Erstattung für Otto Alt", body="Geld fehlt", language="de")
    anna.reply(old.key, f"Hallo Otto Alt, die Erstattung zu {old.key} ist unterwegs; Rückfragen an "
                        "otto.alt@example.de oder 0171 1234567.")
    anna.resolve(old.key)
    current = anna.create_case(customer="karl@example.de", customer_name="Karl Kunde", channel="email",
                               queue="Billing", subject="Erstattung?", body="?", language="de")
    kb = KnowledgeBase(store, clock, agents["anna"])
    [hit] = kb.search_replies("Erstattung", for_case_id=current.id).hits
    assert hit.case_key == "[case]"
    assert hit.subject == "Erstattung für [customer]"
    assert hit.body == ("Hallo [customer], die Erstattung zu [case] ist unterwegs; Rückfragen an [email] oder "
                        "[phone].")
    assert "Otto" not in hit.snippet.text and "Erstattung" in hit.snippet.highlighted()
    # Karl's own earlier case keeps Karl's data (it is his), and its key.
    own = anna.create_case(customer="karl@example.de", channel="email", queue="Billing", subject="Erstattung alt",
                           body="?", language="de")
    anna.reply(own.key, "Hallo Karl Kunde, Ihre Erstattung ist da.")
    anna.resolve(own.key)
    hits = {h.subject: h for h in kb.search_replies("Erstattung", for_case_id=current.id).hits}
    assert hits["Erstattung alt"].body == "Hallo Karl Kunde, Ihre Erstattung ist da."
    assert hits["Erstattung alt"].case_key == own.key
