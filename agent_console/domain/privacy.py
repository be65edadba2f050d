"""Other customers' data out of reused text: "Answered before" shows replies written to other customers.

A reply from another case names that customer, their e-mail address and phone number and their case key. Before such
a reply is shown or inserted into a reply to someone else, :func:`mask_other_customer` replaces those with
``[customer]``, ``[email]``, ``[phone]`` and ``[case]``: the values it knows (the other case's customer and key) and,
for what it cannot know (a colleague's address quoted in the reply, a second number), any e-mail address, phone number
or case key by its shape. What belongs to the current customer is theirs to see and stays as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_console.domain.case_rules import KEY_PREFIX
from agent_console.i18n import N_, _

#: The masks, in the interface language (the agent reads them and replaces them before sending).
CUSTOMER_MASK = N_("[customer]")
EMAIL_MASK = N_("[email]")
PHONE_MASK = N_("[phone]")
CASE_MASK = N_("[case]")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Numbers as people write them: starting with +, 00, 0 or "(", then digits with spaces, dashes, slashes, dots or
# brackets. Amounts, dates ("2026-11-23") and order numbers do not start that way.
_PHONE = re.compile(r"(?<![\w+])(?:\+|\(?0)[\d ()/.-]{5,}\d(?!\w)")
_CASE_KEY = re.compile(rf"(?<!\w){re.escape(KEY_PREFIX)}\d+(?!\w)")
_NAME_PART = re.compile(r"[^\W\d_][\w'-]*")
MIN_PHONE_DIGITS = 7
MIN_NAME_PART = 2


@dataclass(frozen=True)
class Identity:
    """What identifies a customer in a text: their name, e-mail address, phone number and the case's key."""

    name: str = ""
    email: str = ""
    phone: str = ""
    case_key: str = ""


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _same_number(one: str, other: str) -> bool:
    """The same phone number written two ways (0171 1234567, +49 171 1234567): one's digits without leading
    zeros end the other's."""
    one, other = _digits(one or "").lstrip("0"), _digits(other or "").lstrip("0")
    if min(len(one), len(other)) < MIN_PHONE_DIGITS:
        return False
    return one.endswith(other) or other.endswith(one)


def _literal(value: str, *, ignore_case: bool = True) -> re.Pattern | None:
    value = " ".join(value.split())
    if not value:
        return None
    flags = re.IGNORECASE if ignore_case else 0
    words = r"\s+".join(re.escape(word) for word in value.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", flags)


def _replacements(text: str, other: Identity, current: Identity) -> list[tuple[int, int, str]]:
    """(start, end, mask) for each piece of other-customer data, not overlapping, in order."""
    found: list[tuple[int, int, str]] = []
    customer_mask, email_mask, phone_mask, case_mask = map(_, (CUSTOMER_MASK, EMAIL_MASK, PHONE_MASK, CASE_MASK))
    own_name_parts = set(_NAME_PART.findall(current.name))
    if other.name and other.name.casefold() != current.name.casefold():
        full = _literal(other.name)
        if full is not None:
            found += [(m.start(), m.end(), customer_mask) for m in full.finditer(text)]
        # "Dear Max" or "Herr Mustermann": each part of the name on its own, as written (case-sensitive).
        for part in set(_NAME_PART.findall(other.name)) - own_name_parts:
            if len(part) >= MIN_NAME_PART:
                found += [(m.start(), m.end(), customer_mask) for m in _literal(part, ignore_case=False)
                          .finditer(text)]
    own_email = current.email.casefold()
    found += [(m.start(), m.end(), email_mask) for m in _EMAIL.finditer(text)
              if not own_email or m.group().casefold() != own_email]
    for match in _PHONE.finditer(text):
        digits = _digits(match.group())
        if len(digits) >= MIN_PHONE_DIGITS and not _same_number(digits, current.phone):
            found.append((match.start(), match.end(), phone_mask))
    other_phone = _literal(other.phone) if not _same_number(other.phone, current.phone) else None
    if other_phone is not None:
        found += [(m.start(), m.end(), phone_mask) for m in other_phone.finditer(text)]
    keys = [m for m in _CASE_KEY.finditer(text) if m.group() != current.case_key]
    if other.case_key and other.case_key != current.case_key:
        literal = _literal(other.case_key)
        keys += list(literal.finditer(text)) if literal is not None else []
    found += [(m.start(), m.end(), case_mask) for m in keys]
    # Earliest first, the longest of those starting together; a piece inside an earlier one is dropped.
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    chosen: list[tuple[int, int, str]] = []
    for start, end, mask in found:
        if chosen and mask == customer_mask == chosen[-1][2] and not text[chosen[-1][1]:start].strip():
            chosen[-1] = (chosen[-1][0], max(end, chosen[-1][1]), mask)  # "Otto Alt": one name, one mask
        elif not chosen or start >= chosen[-1][1]:
            chosen.append((start, end, mask))
    return chosen


def mask_spans(text: str, spans, other: Identity, current: Identity = Identity()
               ) -> tuple[str, tuple[tuple[int, int], ...]]:
    """:func:`mask_other_customer` for a text with highlighted character ranges: the ranges move with the text
    (a highlight on masked data highlights the mask)."""
    text = text or ""
    replacements = _replacements(text, other, current)
    pieces: list[str] = []
    shifts: list[tuple[int, int, int, int]] = []  # (old start, old end, new start, new end) of each replacement
    position = new_length = 0
    for start, end, mask in replacements:
        pieces.append(text[position:start])
        new_start = new_length + (start - position)
        pieces.append(mask)
        shifts.append((start, end, new_start, new_start + len(mask)))
        new_length = new_start + len(mask)
        position = end
    pieces.append(text[position:])

    def moved(offset: int, *, is_end: bool) -> int:
        delta = 0
        for old_start, old_end, new_start, new_end in shifts:
            if offset >= old_end:
                delta = new_end - old_end
                continue
            if offset > old_start:  # inside a masked piece: the range snaps to the mask
                return new_end if is_end else new_start
            break
        return offset + delta

    new_spans = tuple((moved(start, is_end=False), moved(end, is_end=True)) for start, end in spans)
    return "".join(pieces), tuple(span for span in new_spans if span[0] < span[1])


def mask_other_customer(text: str, other: Identity, current: Identity = Identity()) -> str:
    """``text`` with the other customer's name, e-mail address, phone number and case key (and any e-mail address,
    phone number or case key by its shape) masked; the current customer's own data is left as it is."""
    return mask_spans(text, (), other, current)[0]


def mask_reply_hits(session, hits: list, for_case_id: int | None) -> list:
    """"Answered before" hits (``store.search.ReplyHit``) with the other customers' data masked in the subject,
    the snippet and the body, and the other case's key shown as ``[case]``; read in ``session``. A reply from a case
    of the current customer (``for_case_id``'s) keeps that customer's own data."""
    from dataclasses import replace

    from agent_console.store.case_queries import case_customers
    from agent_console.store.search import Snippet

    case_ids = {hit.case_id for hit in hits} | ({for_case_id} if for_case_id is not None else set())
    rows = case_customers(session, case_ids)
    customers = {row[0]: (row[2], Identity(row[3] or "", row[4] or "", row[5] or "", row[1])) for row in rows}
    current_customer, current = customers.get(for_case_id, (None, Identity()))
    masked = []
    for hit in hits:
        customer_id, other = customers.get(hit.case_id, (None, Identity(case_key=hit.case_key)))
        own = customer_id is not None and customer_id == current_customer
        if own:
            other = Identity()
        text, spans = mask_spans(hit.snippet.text, hit.snippet.spans, other, current)
        masked.append(replace(hit, case_key=hit.case_key if own else _(CASE_MASK),
                              subject=mask_other_customer(hit.subject, other, current),
                              body=mask_other_customer(hit.body, other, current), snippet=Snippet(text, spans)))
    return masked
