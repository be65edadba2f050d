"""Finding a customer as the agent types: by phone number, e-mail address or name (the new-case form).

Phone numbers are compared by their digits only, and by their end: the country code or the trunk zero in front does
not matter, so "+49 30 1234567" finds a customer stored as "030 1234567" and the other way round. While the agent is
still typing, the digits typed so far match anywhere in a stored number. E-mail addresses and names match
case-insensitively, those starting with the text first.

A scan over the customers table (no index serves "ends with" or "contains"): a few ms on the demo store (300
customers); with 100,000 customers about 20 ms by name or e-mail and 0.1 s by phone (2-core machine, busy). The form
runs it in a worker, debounced.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, literal, or_, select
from sqlmodel import Session

from agent_console.store.models import Customer

CU = Customer.__table__.c

#: Results shown at most.
SEARCH_LIMIT = 20
#: Digits needed before a phone search runs (fewer would match most of the store).
MIN_PHONE_DIGITS = 3
#: A stored number matches the end of a longer typed one only with at least this many digits of its own.
MIN_SUFFIX_DIGITS = 6
#: Characters people write inside phone numbers; anything else (a letter) makes the text a name or an address.
PHONE_PUNCTUATION = frozenset(" +-/().")


@dataclass(frozen=True)
class CustomerMatch:
    id: int
    name: str
    email: str | None
    phone: str | None
    vip: bool


def phone_digits(text: str) -> str:
    """The digits of a phone number, nothing else."""
    return "".join(ch for ch in text if ch.isdigit())


def phone_core(text: str) -> str:
    """The digits without the leading zeros of a trunk or international prefix ("0030…", "030…" -> "30…")."""
    return phone_digits(text).lstrip("0")


def looks_like_phone(text: str) -> bool:
    text = text.strip()
    return bool(text) and any(ch.isdigit() for ch in text) and all(
        ch.isdigit() or ch in PHONE_PUNCTUATION for ch in text)


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_customers(session: Session, text: str, limit: int = SEARCH_LIMIT) -> list[CustomerMatch]:
    """Customers whose phone number, e-mail address or name matches what was typed (best matches first)."""
    text = " ".join(text.split())
    if not text:
        return []
    if looks_like_phone(text):
        condition, rank = _phone_match(text)
        if condition is None:
            return []
    else:
        needle = _like_literal(text.lower())
        name, email = CU.name, CU.email
        if session.get_bind().dialect.name != "sqlite":
            # SQLite's LIKE ignores the case of ASCII letters already, as far as its lower() goes (it folds ASCII
            # only); lower() there would make a scan of many customers several times slower.
            name, email = func.lower(name), func.lower(email)
        condition = or_(name.like(f"%{needle}%", escape="\\"), email.like(f"%{needle}%", escape="\\"))
        rank = case((or_(name.like(f"{needle}%", escape="\\"), email.like(f"{needle}%", escape="\\")), 0),
                    else_=1)
    query = (select(CU.id, CU.name, CU.email, CU.phone, CU.vip).where(condition)
             .order_by(rank, func.lower(CU.name), CU.id).limit(limit))
    return [CustomerMatch(id=row.id, name=row.name, email=row.email, phone=row.phone, vip=bool(row.vip))
            for row in session.connection().execute(query)]


def _phone_match(text: str):
    core = phone_core(text)
    if len(phone_digits(text)) < MIN_PHONE_DIGITS or not core:
        return None, None
    # Every way a customer comes into a store keeps the digits of the number and a leading + only
    # (``domain.cases.new_customer``, the importer), so the stored number's core is it without "+" and zeros.
    stored = func.ltrim(CU.phone, "+0")
    # The typed digits inside the stored number (typing goes on; a national number typed for an international one
    # stored), or the stored number at the end of the typed one (an international number typed, a national stored).
    typed_inside = stored.like(f"%{core}%")
    stored_at_end = (func.length(stored) >= MIN_SUFFIX_DIGITS) & literal(core).like(literal("%") + stored)
    condition = CU.phone.is_not(None) & or_(typed_inside, stored_at_end)
    rank = case((or_(stored == core, stored.like(f"%{core}")), 0), (stored_at_end, 0), else_=1)
    return condition, rank
