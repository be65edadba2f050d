"""How an SLA state looks: a colour AND a symbol (readable without colour vision), plus small time formatters."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text

from agent_console import formatting
from agent_console.domain.sla import SLA_STYLE, SLA_SYMBOL, Countdown, SlaState  # noqa: F401  (re-exported)
from agent_console.widgets.labels import sla_state_label


def sla_badge(countdown: Countdown, *, width: int | None = None) -> Text:
    """``▲ 0:42`` in the state's colour; the symbol alone says the state."""
    symbol = SLA_SYMBOL[countdown.state]
    label = formatting.duration(countdown.remaining_s, signed=True, empty="")
    if countdown.state == SlaState.paused:
        label = sla_state_label(SlaState.paused)
    elif countdown.state == SlaState.none:
        label = "—"
    text = Text(f"{symbol} {label}", style=SLA_STYLE[countdown.state])
    if width is not None:
        text.truncate(width, overflow="ellipsis", pad=True)
    return text


def local_zone(name: str | None) -> tzinfo | None:
    """The agent's display zone: the IANA name from the settings (``zones.zone_named``: an unknown name is refused),
    else None — the system's local zone for ``astimezone``."""
    from agent_console.domain.zones import zone_named

    return zone_named(name) if name else None


def local_time(value: datetime | None, zone: tzinfo | None, *, now: datetime | None = None) -> str:
    """A stored UTC time in the agent's zone: ``14:05`` today, ``Mon 23 Nov 14:05`` (``Mo., 23. Nov., 14:05``)
    otherwise."""
    if value is None:
        return "—"
    shown = value.astimezone(zone)
    if now is not None and now.astimezone(zone).date() == shown.date():
        return formatting.date_time(shown, "time")
    return formatting.date_time(shown)
