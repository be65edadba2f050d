"""Time zones by IANA name: one resolver, so a bad name is refused the same way everywhere (business hours, the
console's and the monitor's display zone, the server's monitor route)."""

from __future__ import annotations

from agent_console.i18n import _

from datetime import datetime, time, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class UnknownTimeZone(ValueError):
    """A zone name that is not an IANA time zone; the message names it."""


@lru_cache(maxsize=64)
def zone_named(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (e.g. ``Europe/Berlin``); refused with ``unknown time zone 'X'`` when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(_("unknown time zone {name}").format(name=repr(name))) from None


def display_zone(name: str | None) -> tzinfo:
    """The zone times are shown in: the setting's IANA name, else the system's local zone."""
    if name:
        return zone_named(name)
    return datetime.now().astimezone().tzinfo or timezone.utc


def day_start_utc(now: datetime, tz: tzinfo) -> datetime:
    """Midnight of ``now``'s date in ``tz``, as a UTC datetime: where "today" starts for a supervisor there."""
    local = now.astimezone(tz)
    return datetime.combine(local.date(), time(0), tzinfo=tz).astimezone(timezone.utc)
