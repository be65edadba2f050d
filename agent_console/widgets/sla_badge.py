"""How an SLA state looks: a colour AND a symbol (readable without colour vision), plus small time formatters."""

from __future__ import annotations

from datetime import datetime, tzinfo
from types import SimpleNamespace

from rich.text import Text

from agent_console.domain import sla
from agent_console.domain.sla import SLA_SYMBOL, Countdown, SlaState

SLA_STYLE = {
    SlaState.ok: "green",
    SlaState.at_risk: "bold yellow",
    SlaState.breached: "bold red",
    SlaState.paused: "cyan",
    SlaState.none: "dim",
}

SLA_LABEL = {
    SlaState.ok: "ok",
    SlaState.at_risk: "at risk",
    SlaState.breached: "breached",
    SlaState.paused: "paused",
    SlaState.none: "no target",
}

TARGET_LABEL = {"first_response": "first response", "next_update": "next update", "resolution": "resolution"}


def policy_lookup(policies: dict, channel: str, priority: str | None):
    """The policy for (channel, priority), else the channel's default — as ``queries.policy_for`` but in memory."""
    return policies.get((channel, priority)) or policies.get((channel, None))


def row_countdown(row: dict, policies: dict, now: datetime) -> Countdown:
    """The most urgent running target of a queue row (a dict from ``queries.queue_rows``)."""
    policy = policy_lookup(policies, row["channel"], row["priority"])
    return sla.case_countdown(SimpleNamespace(**row), policy, now)


def sla_badge(countdown: Countdown, *, width: int | None = None) -> Text:
    """``▲ 0:42`` in the state's colour; the symbol alone says the state."""
    symbol = SLA_SYMBOL[countdown.state]
    label = sla.format_remaining(countdown.remaining_s)
    if countdown.state == SlaState.paused:
        label = "paused"
    elif countdown.state == SlaState.none:
        label = "—"
    text = Text(f"{symbol} {label}", style=SLA_STYLE[countdown.state])
    if width is not None:
        text.truncate(width, overflow="ellipsis", pad=True)
    return text


def format_age(seconds: float) -> str:
    """``45s``, ``12m``, ``3h``, ``2d``: how long ago a case came in."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}"
    return f"{s // 86400}d{(s % 86400) // 3600}h"


def local_zone(name: str | None) -> tzinfo | None:
    """The agent's display zone: the IANA name from the settings, else the system's local zone (None)."""
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_time(value: datetime | None, zone: tzinfo | None, *, now: datetime | None = None) -> str:
    """A stored UTC time in the agent's zone: ``14:05`` today, ``Mon 23 Nov 14:05`` otherwise."""
    if value is None:
        return "—"
    shown = value.astimezone(zone)
    if now is not None and now.astimezone(zone).date() == shown.date():
        return shown.strftime("%H:%M")
    return shown.strftime("%a %d %b %H:%M")


def running_targets(case, policy, now: datetime) -> list[tuple[str, datetime | None, sla.Countdown]]:
    """(target, due, countdown) for each SLA target of the case that is still running (or paused)."""
    first_s, next_s, resolution_s = sla.targets(policy, case.channel)
    fraction = policy.at_risk_fraction if policy is not None else 0.8
    result = []
    if not case.is_open:
        return result
    if case.first_response_at is None and case.first_response_due is not None:
        result.append(("first_response", case.first_response_due,
                       sla.countdown(case.first_response_due, first_s, now, at_risk_fraction=fraction,
                                     target_name="first_response")))
    if case.next_update_due is not None:
        result.append(("next_update", case.next_update_due,
                       sla.countdown(case.next_update_due, next_s, now, at_risk_fraction=fraction,
                                     target_name="next_update")))
    if case.resolution_due is not None:
        result.append(("resolution", case.resolution_due,
                       sla.countdown(case.resolution_due, resolution_s, now, at_risk_fraction=fraction,
                                     paused=case.sla_paused_at is not None, target_name="resolution")))
    return result
