"""Phone numbers folded for the case search: the same number written any way gives a common token.

People write one number many ways: "+49 30 1234567", "0049 30 1234567", "030/123 45 67", "(030) 1234567". Only the
digits count. A stored number is indexed by every ending of its digits from ``MIN_INDEXED_DIGITS`` on (so the
national form inside an international one matches); a typed number is looked up by its digits without the trunk or
international zeros and by its endings of at least ``MIN_ENDING_DIGITS`` that drop up to ``MAX_COUNTRY_DIGITS``
leading digits (a country code typed for a number stored in national form). Endings that start with a zero are never looked up: a national number's core
does not start with one.

Two small functions, :func:`phone_index_tokens` and :func:`phone_query_forms`: a region-aware normaliser (E.164 by
``phonenumbers``) can take their place without touching the index's schema or the query code.
"""

from __future__ import annotations

import re

#: Fewer digits than this are not a phone number in a query (a case number, a year, an amount).
MIN_QUERY_DIGITS = 6
#: The shortest ending of a stored number that is indexed.
MIN_INDEXED_DIGITS = 6
#: Leading digits a typed number may have beyond the stored one (a country code, up to three digits).
MAX_COUNTRY_DIGITS = 3
#: The shortest ending of a typed number looked up without its first digits (shorter ones collide too often).
MIN_ENDING_DIGITS = 8
#: A run of text in a query that is written like a phone number: digits with the punctuation people put in them.
PHONE_IN_TEXT = re.compile(r"(?<![\w+])\+?\(?\d[\d ()./-]*\d(?![\w])")


def digits_of(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() and ch.isascii())


def phone_index_tokens(phone: str | None) -> list[str]:
    """The tokens a stored number is indexed by: every ending of its digits with at least MIN_INDEXED_DIGITS."""
    digits = digits_of(phone or "")
    if len(digits) < MIN_INDEXED_DIGITS:
        return [digits] if digits else []
    return [digits[start:] for start in range(len(digits) - MIN_INDEXED_DIGITS + 1)]


def phone_query_forms(typed: str) -> tuple[str, ...]:
    """The tokens any of which identifies the typed number (empty when it has too few digits to be one)."""
    digits = digits_of(typed)
    if len(digits) < MIN_QUERY_DIGITS:
        return ()
    core = digits.lstrip("0")
    forms = [digits, core]
    for dropped in range(1, MAX_COUNTRY_DIGITS + 1):
        ending = core[dropped:]
        if len(ending) >= MIN_ENDING_DIGITS and not ending.startswith("0"):
            forms.append(ending)
    return tuple(dict.fromkeys(form for form in forms if form))


def phone_runs(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` written like phone numbers (at least MIN_QUERY_DIGITS digits, more than one group or a
    leading + or 0), in order."""
    spans = []
    for match in PHONE_IN_TEXT.finditer(text):
        run = match.group(0)
        digits = digits_of(run)
        if len(digits) >= MIN_QUERY_DIGITS:
            spans.append(match.span())
    return spans
