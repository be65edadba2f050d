"""How a length of time reads everywhere: countdowns, ages, waits, handling times. One formatter, so the queue, the
case header, the CLI and the monitor never show the same time two ways."""

from __future__ import annotations


def format_duration(seconds: float | None, *, signed: bool = False, empty: str = "—", minute_mark: str = "m",
                    day_mark: str = "d") -> str:
    """``0:42``, ``12:05``, ``3h07m``, ``2d04h``; with ``signed``, a minus sign once negative (an overdue countdown),
    else negative times read as zero; ``empty`` when there is nothing to show. The interface's language may mark
    minutes and days otherwise (German: ``3h07``, ``2T04h``)."""
    if seconds is None:
        return empty
    sign = "-" if signed and seconds < 0 else ""
    s = int(abs(seconds)) if signed else int(max(0, seconds))
    if s < 3600:
        return f"{sign}{s // 60}:{s % 60:02d}"
    if s < 86400:
        return f"{sign}{s // 3600}h{(s % 3600) // 60:02d}{minute_mark}"
    return f"{sign}{s // 86400}{day_mark}{(s % 86400) // 3600:02d}h"


def format_age(seconds: float) -> str:
    """How long ago something happened, to the minute: ``45s`` and ``12m`` under an hour, else ``format_duration``."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    return format_duration(s)


def format_percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"
