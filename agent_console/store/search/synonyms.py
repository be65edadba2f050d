"""Words customers use for what the articles call by another name.

A customer writes "the money has not reached my account", the article says "refund"; "my parcel", the article says
"delivery"; "mein Paket", the article "Sendung". A query word also matches the other words of its group (each
normalised like any query word), so the customer's own words find the article. Groups hold folded words (lower case,
ä→ae, ß→ss); a word may appear in one group of a language only. Keep the groups to words that mean the same thing to a customer:
a group that only shares a topic ("order" with "delivery") would let one word match half the knowledge base.
"""

from __future__ import annotations

#: Per language: a word's synonyms are words of its own language, so an English query does not pull German articles.
GROUPS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (
        ("money", "refund", "reimbursement", "repayment"),
        ("charged", "debited", "billed"),
        ("parcel", "package", "shipment"),
        ("arrive", "arrived", "reach", "reached", "received"),
        ("late", "overdue", "delayed"),
        ("broken", "defect", "defective", "faulty"),
        ("bill", "invoice"),
        ("cancel", "terminate"),
        ("wifi", "wireless"),
        ("login", "log", "signin"),
        ("voucher", "coupon"),
        ("store", "shop", "branch"),
        ("plan", "tariff"),
    ),
    "de": (
        ("geld", "erstattung", "rueckerstattung", "gutschrift"),
        ("abgebucht", "belastet", "abbuchung"),
        ("paket", "paeckchen", "sendung"),
        ("angekommen", "ankommen", "eingegangen"),
        ("verspaetet", "ueberfaellig", "verzoegert", "verzoegerung"),
        ("kaputt", "defekt", "defekte"),
        ("kuendigen", "kuendigung"),
        ("wlan", "wifi"),
        ("anmelden", "anmeldung", "einloggen"),
        ("gutschein", "gutscheincode"),
        ("abmelden", "abbestellen"),
        ("filiale", "laden", "geschaeft"),
        ("tarif", "tarife"),
    ),
}

_BY_WORD = {language: {word: group for group in groups for word in group} for language, groups in GROUPS.items()}


def synonyms(folded: str, language: str) -> tuple[str, ...]:
    """The other words of ``folded``'s group in ``language`` (empty when it has none)."""
    return tuple(word for word in _BY_WORD.get(language, {}).get(folded, ()) if word != folded)
