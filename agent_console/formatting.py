"""How the interface writes dates, times, numbers, percentages and durations: in the interface language.

One module for every screen and command that shows such a value to a person. English reads exactly as it always
has (``domain.durations``: ``0:42``, ``3h07m``, ``76%``, ``Wed 02 Dec 14:05``); German follows the German locale
through Babel (``Mi., 2. Dez., 14:05``, ``1.234``, ``76 %``, ``2h05`` where space is short, ``2 Std. 5 Min.``).
Babel is imported only when German is asked for, so English start-up and the CLI's fast paths never load it.

UI side: the domain and the store compute values and never format them for a language.
"""

from __future__ import annotations

from datetime import datetime

from agent_console.domain import durations
from agent_console.i18n import current_language

#: The Babel locale of each interface language.
BABEL_LOCALES = {"en": "en_US", "de": "de_DE"}

#: Date and time styles: (English strftime pattern, as the screens always wrote it; German CLDR pattern).
DATE_STYLES = {
    "day_time": ("%a %d %b %H:%M", "EEE, d. MMM, HH:mm"),
    "day_time_seconds": ("%a %d %b %H:%M:%S", "EEE, d. MMM, HH:mm:ss"),
    "day": ("%a %d %b", "EEE, d. MMM"),
    "time": ("%H:%M", "HH:mm"),
    "date": ("%Y-%m-%d", "d. MMM y"),
    "weekday_time": ("%a %H:%M", "EEE, HH:mm"),
}



def _german() -> bool:
    return current_language() == "de"


def date_time(moment: datetime, style: str = "day_time") -> str:
    """``moment`` (already in the display zone) in one of ``DATE_STYLES``: ``Wed 02 Dec 14:05`` /
    ``Mi., 2. Dez., 14:05``."""
    english, german = DATE_STYLES[style]
    if not _german():
        return moment.strftime(english)
    from babel.dates import format_datetime

    # The moment is shown in its own zone: Babel must not convert it.
    return format_datetime(moment.replace(tzinfo=None), german, locale=BABEL_LOCALES["de"])


def age(seconds: float) -> str:
    """How long ago, to the minute: ``45s``, ``12m``, then ``duration`` (``3h07m``); German ``45 s``, ``12 min``,
    ``3h07``."""
    if not _german():
        return durations.format_age(seconds)
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}\u00a0s"
    if s < 3600:
        return f"{s // 60}\u00a0min"
    return duration(s)


def number(value: int | float) -> str:
    """A count: ``1234`` in English (as always), ``1.234`` in German."""
    if not _german():
        return f"{value:g}" if isinstance(value, float) else str(value)
    from babel.numbers import format_decimal

    return format_decimal(value, locale=BABEL_LOCALES["de"])


def percent(fraction: float | None, empty: str = "—") -> str:
    """A fraction 0..1 as a whole percentage: ``76%`` / ``76 %``; ``empty`` when there is none."""
    if fraction is None:
        return empty
    if not _german():
        return durations.format_percent(fraction)
    from babel.numbers import format_percent

    return format_percent(fraction, "#,##0\u00a0%", locale=BABEL_LOCALES["de"])


def duration(seconds: float | None, *, signed: bool = False, empty: str = "—") -> str:
    """A length of time where space is short: ``0:42``, ``12:05``; then ``3h07m`` / ``2d04h`` in English,
    ``3h07`` / ``2T04h`` in German (negative times read as zero unless ``signed``)."""
    if not _german():
        return durations.format_duration(seconds, signed=signed, empty=empty)
    return durations.format_duration(seconds, signed=signed, empty=empty, minute_mark="", day_mark="T")


def duration_long(seconds: float | None, empty: str = "—") -> str:
    """A length of time in words, to the minute (seconds under a minute): ``2 hr 5 min`` / ``2 Std. 5 Min.``,
    ``1 day 3 hr`` / ``1 Tg. 3 Std.``; at most the two largest units."""
    if seconds is None:
        return empty
    from babel.units import format_unit

    locale = BABEL_LOCALES[current_language()]
    s = int(max(0, seconds))
    parts = [(s // 86400, "duration-day"), ((s % 86400) // 3600, "duration-hour"), ((s % 3600) // 60,
                                                                                    "duration-minute")]
    if s < 60:
        return format_unit(s, "duration-second", length="short", locale=locale)
    shown = [(amount, unit) for amount, unit in parts if amount][:2]
    return " ".join(format_unit(amount, unit, length="short", locale=locale) for amount, unit in shown)
