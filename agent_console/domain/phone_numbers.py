"""Phone numbers in one form, E.164 (``+49301234567``), wherever a number enters: customers (new case, intake,
import, seed) and call events from the telephone system. ``030 1234567``, ``+49 (0)30 123 45 67``,
``004930 1234567`` and ``49301234567`` are the same number in the default region DE.

A number written without its country is read in the ``default_region`` setting (``AGENT_CONSOLE_DEFAULT_REGION``,
DE unless set). Telephone systems say a caller withheld their number in several ways (``anonymous``, ``unknown``, an
empty ``from`` …): :func:`normalise_number` gives None for those.
"""

from __future__ import annotations

import os
from functools import lru_cache

from agent_console.i18n import _

#: The region numbers without a country code are read in, unless the settings say otherwise.
DEFAULT_REGION = "DE"
ENV_REGION = "AGENT_CONSOLE_DEFAULT_REGION"
#: What telephone systems send instead of a withheld caller's number (compared in lower case).
WITHHELD = frozenset({"", "anonymous", "anonym", "unknown", "unbekannt", "withheld", "private", "restricted",
                      "unavailable", "clip_no_screening", "null", "none"})

_configured: str | None = None


class NumberError(ValueError):
    """Text that is not a phone number (the message says why)."""


def check_region(region: str) -> str:
    """A two-letter region code phonenumbers knows (``DE``, ``AT``, ``GB`` …), upper case."""
    import phonenumbers

    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise NumberError(_("unknown region {region}: a two-letter country code such as DE, AT or GB").format(
            region=repr(region)))
    return code


def configure_region(region: str | None) -> None:
    """Sets the process's default region (from the ``default_region`` setting); None goes back to the default."""
    global _configured
    _configured = check_region(region) if region else None


def default_region() -> str:
    """The ``default_region`` setting as configured, else the environment variable, else DE."""
    if _configured:
        return _configured
    env = os.environ.get(ENV_REGION, "").strip()
    if env:
        try:
            return check_region(env)
        except NumberError:
            return DEFAULT_REGION
    return DEFAULT_REGION


def is_withheld(raw: str | None) -> bool:
    return raw is None or raw.strip().lower() in WITHHELD


def normalise_number(raw: str | None, region: str | None = None) -> str | None:
    """The number in E.164, or None when the caller withheld it. Raises :class:`NumberError` for text that is no
    phone number (letters, too few digits, nothing a telephone system would dial)."""
    if is_withheld(raw):
        return None
    return _in_e164(raw.strip(), region or default_region())


@lru_cache(maxsize=8192)
def _in_e164(text: str, region: str) -> str:
    # phonenumbers takes ~60 µs a number; a telephone system sends the same numbers again and again (every event of
    # a call, every call of a customer).
    import phonenumbers

    if any(ch.isalpha() for ch in text):
        raise NumberError(_("{number} is not a phone number (it has letters)").format(number=repr(text)))
    if sum(ch.isdigit() for ch in text) < 3:
        raise NumberError(_("{number} is not a phone number (fewer than 3 digits)").format(number=repr(text)))
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise NumberError(_("{number} is not a phone number").format(number=repr(text))) from None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_or_keep(raw: str | None, region: str | None = None) -> str | None:
    """For numbers already stored: the E.164 form when it is a number, else the text as it was."""
    try:
        return normalise_number(raw, region) or raw
    except NumberError:
        return raw


def is_dialable(number: str | None) -> bool:
    """Whether an E.164 number is a real subscriber number (not an internal extension like ``+4942``)."""
    import phonenumbers

    if not number:
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return False
