"""Managing SLA policies as an admin writes them: targets as ``90s``, ``4h``, ``3d``; business hours as
``Mon-Fri 08:00-18:00 Europe/Berlin``; holidays as dates (read from an iCalendar file by the CLI).

Policies are per channel and optional priority (see docs/sla.md). Changing a policy changes the due times of cases
created (or re-prioritised) afterwards; running clocks keep the due times they have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from agent_console.domain import sla
from agent_console.domain.business_hours import BusinessHours, BusinessHoursError, parse_spec
from agent_console.domain.clock import Clock
from agent_console.domain.recording import audit
from agent_console.i18n import _
from agent_console.store import sla_policy_rows
from agent_console.store.models import Channel, Priority, SlaPolicy

ALL = "all"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?[smhd])+")
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
CHANNEL_ORDER = [c.value for c in Channel]
PRIORITY_ORDER = [None, *(p.value for p in Priority)]


class PolicyError(ValueError):
    """A policy change that cannot be made; the message names the option or value."""


def parse_duration(text: str, option: str) -> int:
    """``90s``, ``15m``, ``4h``, ``3d``, ``1h30m`` → seconds."""
    compact = text.strip().lower().replace(" ", "")
    if not _DURATION.fullmatch(compact):
        raise PolicyError(_("{option}: {text} is not a duration; use e.g. 90s, 15m, 4h, 3d or 1h30m").format(
            option=option, text=repr(text)))
    seconds = round(sum(float(number) * UNITS[unit] for number, unit in _PART.findall(compact)))
    if seconds <= 0:
        raise PolicyError(_("{option}: the duration must be longer than 0 seconds").format(option=option))
    return seconds


def format_duration(seconds: int | None) -> str:
    """The shortest reading: ``90s``, ``2m``, ``11m15s``, ``4h``, ``1h30m``, ``3d``; ``–`` for none."""
    if seconds is None:
        return "–"
    if seconds < 120 and seconds % 60:
        return f"{seconds}s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


def parse_fraction(text: str, option: str) -> float:
    """``80%`` or ``0.8`` → 0.8 (strictly between 0 and 1)."""
    raw = text.strip()
    try:
        value = float(raw.rstrip("% ")) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise PolicyError(_("{option}: {text} is not a share; use e.g. 80% or 0.8").format(option=option,
                                                                                      text=repr(text))) from None
    if not 0 < value < 1:
        raise PolicyError(_("{option}: {text} must lie between 0 and 100 %").format(option=option, text=repr(text)))
    return value


@dataclass
class PolicyChange:
    """What ``sla set`` changes; None leaves a field as it is."""

    first_response_s: int | None = None
    next_update_s: int | None = None
    clear_next_update: bool = False
    resolution_s: int | None = None
    at_risk_fraction: float | None = None
    service_level_goal: float | None = None
    #: A business-hours spec (``Mon-Fri 08:00-18:00 Europe/Berlin`` or ``24/7``).
    hours: str | None = None
    #: The policy's holidays (replacing the ones it had); an empty set removes them.
    holidays: frozenset[date] | None = None
    auto_escalate: bool | None = None


def validate_channel(channel: str) -> str:
    channel = channel.strip().lower()
    if channel != ALL and channel not in CHANNEL_ORDER:
        raise PolicyError(_("unknown channel {channel}; expected one of: {channels} (or all)").format(
            channel=repr(channel), channels=", ".join(CHANNEL_ORDER)))
    return channel


def validate_priority(priority: str | None, *, allow_all: bool) -> str | None:
    """None (or ``default``) is the channel's default policy."""
    if priority is None or priority.strip().lower() in ("", "default"):
        return None
    priority = priority.strip().lower()
    names = [p for p in PRIORITY_ORDER if p] + ([ALL] if allow_all else [])
    if priority not in names:
        raise PolicyError(_("unknown priority {priority}; expected one of: {priorities} (or leave it out for "
                            "the channel's default)").format(priority=repr(priority), priorities=", ".join(names)))
    return priority


def _built_in(channel: str, priority: str | None, session) -> dict:
    """The values a new policy starts from: the default set's row, else the channel's default policy in the store,
    else the channel's default row."""
    rows = {(r["channel"], r["priority"]): r for r in sla.default_policy_rows()}
    if (channel, priority) in rows:
        return rows[(channel, priority)]
    channel_default = sla_policy_rows.exact_policy(session, channel, None)
    if channel_default is not None:
        return {name: getattr(channel_default, name) for name in
                ("first_response_s", "next_update_s", "resolution_s", "at_risk_fraction", "business_hours",
                 "service_level_goal", "auto_escalate")}
    return rows[(channel, None)]


def _apply(policy: SlaPolicy, change: PolicyChange, where: str) -> None:
    for name in ("first_response_s", "next_update_s", "resolution_s", "at_risk_fraction", "service_level_goal",
                 "auto_escalate"):
        value = getattr(change, name)
        if value is not None:
            setattr(policy, name, value)
    if change.clear_next_update:
        policy.next_update_s = None
    if policy.first_response_s and policy.resolution_s and policy.resolution_s < policy.first_response_s:
        # The monitor counts an unanswered case by its first-response clock (store/monitor.py): that is only the
        # case's most urgent clock while resolution comes no sooner than the first response.
        raise PolicyError(_("{policy}: the resolution target ({resolution}) is shorter than the first response "
                            "({first_response}); a case cannot be resolved before it is answered").format(
            policy=where, resolution=format_duration(policy.resolution_s),
            first_response=format_duration(policy.first_response_s)))
    try:
        hours = BusinessHours.parse(policy.business_hours)
        if change.hours is not None:
            new = parse_spec(change.hours)
            hours = None if new is None else BusinessHours(new.tz, new.days, new.open, new.close,
                                                           hours.holidays if hours is not None else frozenset())
        if change.holidays is not None:
            if hours is None:
                if change.holidays:
                    raise PolicyError(_("{policy}: holidays only count under business hours, and this policy runs "
                                        "around the clock; give --hours too").format(policy=where))
            else:
                hours = BusinessHours(hours.tz, hours.days, hours.open, hours.close, frozenset(change.holidays))
    except BusinessHoursError as exc:
        raise PolicyError(str(exc)) from None
    policy.business_hours = hours.to_json() if hours is not None else ""


def set_policies(store, clock: Clock, channel: str, priority: str | None, change: PolicyChange,
                 actor_id: int | None = None) -> list[SlaPolicy]:
    """Creates or updates the policy of ``channel`` and ``priority`` (None: the channel's default). ``all`` as the
    channel means every channel; ``all`` as the priority means the channel's default and every priority policy it
    has. A new policy starts from the default set's values. Returns the policies written."""
    channel = validate_channel(channel)
    priority = validate_priority(priority, allow_all=True)
    now = clock.now()
    channels = CHANNEL_ORDER if channel == ALL else [channel]
    written = []
    with store.transaction() as session:
        existing = {(p.channel, p.priority): p for p in sla_policy_rows.all_policies(session)}
        for name in channels:
            if priority == ALL:
                keys = sorted({(name, None)} | {key for key in existing if key[0] == name},
                              key=lambda key: PRIORITY_ORDER.index(key[1]))
            else:
                keys = [(name, priority)]
            for key in keys:
                policy = existing.get(key)
                created = policy is None
                if created:
                    start = _built_in(key[0], key[1], session)
                    policy = SlaPolicy(channel=key[0], priority=key[1], **{
                        field: start[field] for field in ("first_response_s", "next_update_s", "resolution_s",
                                                          "at_risk_fraction", "business_hours", "service_level_goal",
                                                          "auto_escalate")})
                    session.add(policy)
                else:
                    policy.version += 1
                _apply(policy, change, f"{key[0]} {key[1] or 'default'}")
                session.flush()
                audit(session, now, actor_id, "sla.add" if created else "sla.update", "sla_policy", policy.id,
                      channel=key[0], priority=key[1], first_response_s=policy.first_response_s,
                      next_update_s=policy.next_update_s, resolution_s=policy.resolution_s,
                      business_hours=policy.business_hours)
                written.append(policy)
    return written


def remove_policy(store, clock: Clock, channel: str, priority: str | None, actor_id: int | None = None) -> None:
    """Removes one policy: its cases then follow the channel's default policy (for a priority policy) or the
    built-in defaults (for a channel's default)."""
    channel = validate_channel(channel)
    if channel == ALL:
        raise PolicyError(_("name one channel to remove a policy"))
    priority = validate_priority(priority, allow_all=False)
    with store.transaction() as session:
        policy = sla_policy_rows.exact_policy(session, channel, priority)
        if policy is None:
            raise PolicyError(_("no SLA policy for {channel} {priority}; see `agent-console sla list`").format(
                channel=channel, priority=priority or _("(default)")))
        policy_id = policy.id
        session.delete(policy)
        audit(session, clock.now(), actor_id, "sla.remove", "sla_policy", policy_id, channel=channel,
              priority=priority)


def list_policies(store) -> list[SlaPolicy]:
    """The store's policies by channel and priority (the channel's default first)."""
    with store.session() as session:
        policies = sla_policy_rows.all_policies(session)
    order = {name: i for i, name in enumerate(CHANNEL_ORDER)}
    return sorted(policies, key=lambda p: (order.get(p.channel, len(order)), p.channel,
                                           PRIORITY_ORDER.index(p.priority) if p.priority in PRIORITY_ORDER else 9))
