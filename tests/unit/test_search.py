"""KB search: ranking on a fixed corpus, stemming, folding, typos, hostile input, snippets, index in step."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import insert, text

from agent_console.domain.kb import KnowledgeBase
from agent_console.store import search
from agent_console.store.models import KBArticle

CORPUS = [
    ("de-ruecksendung", "de", "ruecksendung,retoure",
     "Rücksendung eines Artikels",
     "Kunden können Artikel innerhalb von 30 Tagen zurückschicken. Das Rücksendeetikett steht im Kundenkonto unter "
     "Bestellungen. Die Erstattung erfolgt nach Eingang der Ware im Lager."),
    ("de-rechnung-korrigieren", "de", "rechnung,buchhaltung",
     "Rechnung korrigieren lassen",
     "Ist die Rechnungsadresse falsch, erstellt die Buchhaltung eine neue Rechnung. Bitte die Bestellnummer und die "
     "richtige Adresse notieren und den Fall an die Buchhaltung weiterleiten."),
    ("de-lieferadresse", "de", "versand,adresse",
     "Lieferadresse ändern",
     "Solange die Bestellung noch nicht versendet wurde, kann die Lieferadresse geändert werden. Straße, Hausnummer "
     "und Postleitzahl prüfen. Nach dem Versand ist keine Änderung mehr möglich."),
    ("de-passwort", "de", "konto,login",
     "Passwort zurücksetzen",
     "Über den Link 'Passwort vergessen' erhält der Kunde eine E-Mail. Der Link ist 24 Stunden gültig. Kommt keine "
     "E-Mail an, den Spam-Ordner prüfen lassen."),
    ("de-lieferzeit", "de", "versand",
     "Lieferzeiten und Versandkosten",
     "Standardversand dauert zwei bis vier Werktage. Expressversand wird am nächsten Werktag zugestellt. Ab 50 Euro "
     "Bestellwert ist der Versand kostenlos."),
    ("de-gutschein", "de", "zahlung,gutschein",
     "Gutschein einlösen",
     "Gutscheine werden im Warenkorb eingelöst. Pro Bestellung ist ein Gutschein möglich; Restguthaben bleibt "
     "erhalten. Abgelaufene Gutscheine können nicht verlängert werden."),
    ("de-kuendigung", "de", "vertrag,abo",
     "Abonnement kündigen",
     "Das Abo kann jederzeit zum Ende des Monats gekündigt werden. Die Kündigung bestätigen wir per E-Mail. Bereits "
     "bezahlte Zeiträume werden nicht erstattet."),
    ("de-defekt", "de", "garantie,reklamation",
     "Defekter Artikel – Reklamation",
     "Bei einem Defekt innerhalb der Gewährleistung tauschen wir den Artikel aus. Bitte Fotos des Schadens und die "
     "Seriennummer anfordern. Die Rückgabe ist kostenlos."),
    ("de-zahlungsarten", "de", "zahlung",
     "Zahlungsarten",
     "Wir akzeptieren Kreditkarte, PayPal, Rechnung und Lastschrift. Kauf auf Rechnung ist ab der zweiten "
     "Bestellung möglich."),
    ("de-datenschutz", "de", "datenschutz,konto",
     "Kundenkonto löschen (Datenschutz)",
     "Auf Wunsch löschen wir das Kundenkonto und alle personenbezogenen Daten. Rechnungen müssen wir aus "
     "steuerlichen Gründen zehn Jahre aufbewahren."),
    ("en-refund", "en", "refund,billing",
     "Refund policy",
     "Customers get a refund to the original payment method within five business days after the returned item "
     "arrives at our warehouse. Shipping costs are refunded for defective items."),
    ("en-return-label", "en", "returns",
     "Printing a return label",
     "Return labels can be printed from the customer account under Orders. Customers without a printer can show the "
     "QR code at the post office."),
    ("en-password-reset", "en", "account,login",
     "Resetting a password",
     "Send the customer to 'Forgot password'. The reset e-mail expires after 24 hours. If nothing arrives, ask them "
     "to check the spam folder."),
    ("en-shipping-times", "en", "shipping",
     "Shipping times and costs",
     "Standard shipping takes two to four business days; express shipping arrives the next business day. Orders "
     "over 50 euros ship free."),
    ("en-change-address", "en", "shipping,address",
     "Changing the delivery address",
     "The delivery address can be changed until the order has shipped. Check street, house number and postcode."),
    ("en-invoice-copy", "en", "billing,invoice",
     "Getting a copy of an invoice",
     "Invoices are available as PDF in the customer account. Billing can send a corrected invoice if the billing "
     "address was wrong."),
    ("en-cancel-subscription", "en", "subscription",
     "Cancelling a subscription",
     "A subscription can be cancelled at any time to the end of the month. We confirm the cancellation by e-mail."),
    ("en-warranty", "en", "warranty,complaint",
     "Warranty claims for damaged goods",
     "Damaged or defective goods are replaced under warranty. Ask for photos of the damage and the serial number."),
    ("en-gift-card", "en", "payment,gift card",
     "Redeeming gift cards",
     "Gift cards are redeemed at checkout. One gift card per order; the remaining balance stays on the card."),
    ("en-payment-methods", "en", "payment",
     "Payment methods",
     "We accept credit card, PayPal, invoice and direct debit. Paying by invoice is possible from the second order."),
]


@pytest.fixture(scope="module")
def kb_store(tmp_path_factory):
    """The corpus, built once for the read-only tests of this module."""
    from datetime import datetime, timezone

    from agent_console.domain.clock import FrozenClock
    from agent_console.store.db import open_store

    store = open_store(tmp_path_factory.mktemp("kb") / "kb.db")
    kb = KnowledgeBase(store, FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)))
    for slug, language, tags, title, body in CORPUS:
        kb.create(slug=slug, title=title, body=body, language=language, tags=tags)
    yield store
    store.dispose()


@pytest.fixture
def fresh_kb_store(store, clock):
    kb = KnowledgeBase(store, clock)
    for slug, language, tags, title, body in CORPUS:
        kb.create(slug=slug, title=title, body=body, language=language, tags=tags)
    return store


def top(store, query, **kwargs):
    with store.session() as session:
        hits = search.search_articles(session, query, **kwargs)
    return [h.slug for h in hits]


@pytest.mark.parametrize("query, expected", [
    ("Rücksendung", "de-ruecksendung"),
    ("Rechnung korrigieren", "de-rechnung-korrigieren"),
    ("Lieferadresse ändern", "de-lieferadresse"),
    ("Passwort vergessen", "de-passwort"),
    ("Versandkosten", "de-lieferzeit"),
    ("Gutschein", "de-gutschein"),
    ("Abo kündigen", "de-kuendigung"),
    ("Reklamation defekt", "de-defekt"),
    ("Kundenkonto löschen", "de-datenschutz"),
    ("refund", "en-refund"),
    ("return label", "en-return-label"),
    ("reset password", "en-password-reset"),
    ("shipping times", "en-shipping-times"),
    ("delivery address", "en-change-address"),
    ("invoice copy", "en-invoice-copy"),
    ("cancel subscription", "en-cancel-subscription"),
    ("warranty damaged", "en-warranty"),
    ("gift card", "en-gift-card"),
    ("payment methods", "en-payment-methods"),
])
def test_the_right_article_ranks_first(kb_store, query, expected):
    assert top(kb_store, query)[:1] == [expected]


@pytest.mark.parametrize("query, expected", [
    ("Rücksendungen", "de-ruecksendung"),      # German plural -> singular
    ("Rechnungen korrigiert", "de-rechnung-korrigieren"),
    ("refunds", "en-refund"),                  # English plural
    ("refunding", "en-refund"),
    ("cancelled subscriptions", "en-cancel-subscription"),
])
def test_stemming(kb_store, query, expected):
    assert top(kb_store, query)[:1] == [expected]


@pytest.mark.parametrize("query, expected", [
    ("Rueckgabe", "de-defekt"),        # body says "Rückgabe"
    ("Strasse Hausnummer", "de-lieferadresse"),  # body says "Straße"
    ("RUECKSENDUNG", "de-ruecksendung"),
    ("loeschen Kundenkonto", "de-datenschutz"),
])
def test_umlaut_and_sharp_s_folding(kb_store, query, expected):
    assert top(kb_store, query)[:1] == [expected]


def test_folding_also_works_the_other_way(store, clock):
    KnowledgeBase(store, clock).create(slug="strasse", title="Strassenname fehlt", body="Die Strasse fehlt.",
                                       language="de")
    assert top(store, "Straßenname") == ["strasse"]


@pytest.mark.parametrize("query, expected", [
    ("Rechnugn", "de-rechnung-korrigieren"),
    ("Gutshein", "de-gutschein"),
    ("pasword reset", "en-password-reset"),
    ("warrenty", "en-warranty"),
])
def test_typo_fallback(kb_store, query, expected):
    with kb_store.session() as session:
        result = search.search_kb(session, query)
    assert result.mode == "typo"
    assert result.corrections
    assert [h.slug for h in result.hits][:1] == [expected] or expected in [h.slug for h in result.hits][:3]


def test_typo_fallback_ranks_the_closest_article_first(kb_store):
    assert top(kb_store, "Rechnugn korrigieren")[:1] == ["de-rechnung-korrigieren"]


def test_no_match_at_all_gives_nothing(kb_store):
    assert top(kb_store, "xylophonorchester") == []


def test_any_word_when_not_all_match(kb_store):
    with kb_store.session() as session:
        result = search.search_kb(session, "Gutschein Zebrastreifen")
    assert result.mode == "any"
    assert result.hits[0].slug == "de-gutschein"


HOSTILE = [
    '"', '""', '"unclosed', "AND", "OR", "NOT", "AND OR NOT", "NEAR(", "NEAR(a b, 3)", "*", "refund*", "(", ")",
    "((refund", "-", "- refund", "^", "^refund", "title:x", "body:refund", ":", "{title body}: x", "", "   ",
    "\t\n", "a" * 5000, "refund " * 500, "'; DROP TABLE kb_articles; --", "\x00\x1b[31m", "🙂", "ß", "_", "%",
    "NEAR", "col:*", "+", "refund AND", "OR refund", "NOT NOT", "\\", "[]", "'", "ü ö ä",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(kb_store, query):
    with kb_store.session() as session:
        for language in (None, "de", "en"):
            search.search_kb(session, query, language=language, prefix_last=True)
            search.search_articles(session, query, language=language, tags=[query])
            search.search_replies(session, query, language=language)
        assert session.scalar(text("SELECT count(*) FROM kb_articles")) == len(CORPUS)


def test_operators_are_plain_words(kb_store):
    # "refund AND" must not be a syntax error and must still find the refund article.
    assert top(kb_store, "refund AND")[:1] == ["en-refund"]
    assert top(kb_store, '"refund"')[:1] == ["en-refund"]
    assert top(kb_store, "title:refund")[:1] == ["en-refund"]


def test_language_filter(kb_store):
    assert set(top(kb_store, "PayPal")) == {"de-zahlungsarten", "en-payment-methods"}
    assert top(kb_store, "PayPal", language="de") == ["de-zahlungsarten"]
    assert top(kb_store, "PayPal", language="en") == ["en-payment-methods"]


def test_tag_filter(kb_store):
    assert top(kb_store, "Rechnung", tags=["buchhaltung"]) == ["de-rechnung-korrigieren"]
    assert top(kb_store, "invoice", tags=["payment"]) == ["en-payment-methods"]
    assert top(kb_store, "invoice", tags=["gift card"]) == []
    assert top(kb_store, "gift", tags=["gift card"]) == ["en-gift-card"]


def test_limit(kb_store):
    assert len(top(kb_store, "Bestellung", limit=2)) == 2


def test_snippet_shows_the_original_text_with_highlights(kb_store):
    with kb_store.session() as session:
        hit = search.search_articles(session, "Rueckgabe kostenlos")[0]
    assert hit.slug == "de-defekt"
    assert "Rückgabe" in hit.snippet.text  # original spelling, not the folded/stemmed index form
    assert hit.snippet.highlighted() == ["Rückgabe", "kostenlos"]
    assert hit.score > 0


def test_snippet_highlights_stemmed_matches(kb_store):
    with kb_store.session() as session:
        hit = search.search_articles(session, "refunds")[0]
    assert set(hit.snippet.highlighted()) == {"refund", "refunded"}
    assert hit.title_spans == ((0, 6),)


def test_prefix_search_while_typing(kb_store):
    with kb_store.session() as session:
        assert search.search_kb(session, "Gutsch").mode != "exact"
        result = search.search_kb(session, "Gutsch", prefix_last=True)
        assert search.search_kb(session, "Gutsch ", prefix_last=True).mode != "exact"  # the word is complete
    assert result.mode == "exact"
    assert result.hits[0].slug == "de-gutschein"


def test_make_snippet_windows_long_text():
    body = " ".join(f"word{i}" for i in range(200)) + " target " + " ".join(f"tail{i}" for i in range(100))
    snippet = search.make_snippet(body, {200})
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    assert snippet.highlighted() == ["target"]


def test_normalise_keeps_one_token_per_word():
    original = "Straße, Größe & Maße: 3D-Drucker – naïve café ½ ﬁle x²"
    assert len(search.normalise(original, "de").split(" ")) == len(search.words(original))


# --- the index follows the table -----------------------------------------------------------------------------------


def test_index_follows_orm_insert_update_delete(store, clock):
    kb = KnowledgeBase(store, clock)
    kb.create(slug="a", title="Kaffeemaschine entkalken", body="Alle vier Wochen entkalken.", language="de")
    assert top(store, "Kaffeemaschinen") == ["a"]
    kb.update("a", title="Teekocher entkalken")
    assert top(store, "Kaffeemaschine") == []
    assert top(store, "Teekocher") == ["a"]
    with store.transaction() as session:  # a plain ORM change, not through the KnowledgeBase service
        article = session.get(KBArticle, kb.get("a").id)
        article.body = "Zitronensäure verwenden."
    assert top(store, "Zitronensaeure") == ["a"]
    assert top(store, "Wochen") == []
    kb.delete("a")
    assert top(store, "Teekocher") == []


def test_index_follows_core_bulk_insert_and_raw_sql(store):
    with store.transaction() as session:
        session.execute(insert(KBArticle), [
            {"uid": f"u{i}", "slug": f"bulk-{i}", "title": f"Massenimport {i}", "body": "Lieferscheine drucken",
             "tags": "", "language": "de", "helpful_votes": 0, "version": 1} for i in range(50)
        ])
    assert len(top(store, "Lieferschein", limit=100)) == 50
    with store.transaction() as session:
        session.execute(text("DELETE FROM kb_articles WHERE slug LIKE 'bulk-1%'"))
        session.execute(text("UPDATE kb_articles SET body = 'Paketschein' WHERE slug = 'bulk-2'"))
    assert len(top(store, "Lieferschein", limit=100)) == 50 - 11 - 1
    assert top(store, "Paketscheine") == ["bulk-2"]


def test_reindex_rebuilds_from_the_table(fresh_kb_store):
    kb_store = fresh_kb_store
    with kb_store.transaction() as session:
        session.execute(text("DELETE FROM kb_fts"))
    assert top(kb_store, "refund") == []
    with kb_store.transaction() as session:
        result = search.reindex(session)
    assert result.articles == len(CORPUS)
    assert top(kb_store, "refund")[:1] == ["en-refund"]
    assert search.reindex(kb_store).articles == len(CORPUS)


def test_register_functions_on_a_raw_connection(fresh_kb_store):
    kb_store = fresh_kb_store
    raw = sqlite3.connect(kb_store.path)
    try:
        with pytest.raises(sqlite3.OperationalError):
            raw.execute("UPDATE kb_articles SET title = 'x' WHERE slug = 'en-refund'")
        search.register_functions(raw)
        raw.execute("UPDATE kb_articles SET title = 'Money back' WHERE slug = 'en-refund'")
        raw.commit()
    finally:
        raw.close()
    assert top(kb_store, "money back") == ["en-refund"]


# --- resolved cases' replies ---------------------------------------------------------------------------------------


def test_replies_of_resolved_cases_only_outbound_and_not_internal(store, clock, agents):
    from agent_console.domain.cases import CaseService

    anna = CaseService(store, clock, agents["anna"])
    done = anna.create_case(customer="a@example.de", channel="email", queue="q", subject="Paket fehlt",
                            body="Mein Paket mit der Sendungsnummer fehlt", language="de")
    anna.reply(done.key, "Wir haben einen Nachforschungsauftrag für Ihr Paket gestartet.")
    anna.note(done.key, "Nachforschungsauftrag intern vermerkt")
    anna.resolve(done.key)
    pending = anna.create_case(customer="b@example.de", channel="email", queue="q", subject="Paket?", body="?",
                               language="de")
    anna.reply(pending.key, "Nachforschungsauftrag läuft noch.")

    def found(query, **kwargs):
        with store.session() as session:
            return [(h.case_key, h.snippet.highlighted()) for h in search.search_replies(session, query, **kwargs)]

    assert found("Nachforschungsaufträge") == [(done.key, ["Nachforschungsauftrag"])]
    assert found("Sendungsnummer") == []  # inbound text is not an answer
    assert found("intern vermerkt") == []  # internal notes never show
    assert found("Paket", language="en") == []
    anna.resolve(pending.key)  # resolving later makes its replies findable without reindexing
    assert {key for key, _ in found("Nachforschungsauftrag")} == {done.key, pending.key}
    with store.transaction() as session:
        session.execute(text("DELETE FROM messages WHERE body LIKE 'Nachforschungsauftrag läuft%'"))
    assert {key for key, _ in found("Nachforschungsauftrag")} == {done.key}
    with store.transaction() as session:
        assert search.reindex(session).replies == 1


def test_snippet_drops_markdown_and_keeps_highlights_on_their_words():
    body = "## Refund  **policy**\n\nAsk for the `order` number, then *refund*   it."
    snippet = search.make_snippet(body, {1, 5, 8})
    assert snippet.text == "Refund policy Ask for the order number, then refund it."
    assert snippet.highlighted() == ["policy", "order", "refund"]


def test_highlights_come_from_the_indexed_tokens_of_the_top_hits(kb_store):
    with kb_store.session() as session:
        typed = search.search_kb(session, "Gutsch", prefix_last=True).hits[0]
    assert typed.slug == "de-gutschein"
    assert typed.title_spans == ((0, 9),)
    assert set(typed.snippet.highlighted()) == {"Gutscheine", "Gutschein"}
