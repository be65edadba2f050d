"""The monitor's tile thresholds: when a figure turns a tile yellow (warning) or red (critical)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from agent_console.domain.monitor_figures import (  # noqa: F401  (LEVEL_SYMBOL: re-exported)
    LEVEL_SYMBOL,
    GroupFigures,
    Level,
    worst,
)
from agent_console.i18n import _


class MonitorError(ValueError):
    """Bad monitor settings; the message names the setting and the value."""


_OFF = (float("inf"), float("inf"))
#: figure -> (warning from, critical from). Higher is worse, except ``service_level_gap``: how many points (as a
#: fraction) the service level may fall below its goal before the tile warns / turns critical. Relative by default:
#: ``longest_wait_share`` is the longest wait over the resolution target of the waiting case's channel (a phone
#: queue and an e-mail queue are judged by their own promises), ``breached_share`` the breached share of the open
#: cases. The absolute ``longest_wait_s`` and ``breached`` are off unless the settings give them.
DEFAULT_THRESHOLDS: dict[str, tuple[float, float]] = {
    "waiting": (10, 25),
    "longest_wait_s": _OFF,
    "longest_wait_share": (0.5, 1.0),
    "at_risk": (5, 15),
    "breached": _OFF,
    "breached_share": (0.05, 0.15),
    "service_level_gap": (0.0, 0.10),
    # The floor's self-service rate today (deflection, a fraction): lower is worse, [warning below, critical below].
    # Off unless the settings give it: what a help center should spare depends on the business.
    "deflection": (0.0, 0.0),
}
#: Figures where a lower value is worse: the pair is [warning below, critical below].
LOWER_IS_WORSE = frozenset({"deflection"})


@dataclass(frozen=True)
class Thresholds:
    """Tile thresholds by scope: ``default``, a queue name, or ``channel:<name>``; later scopes override earlier ones.

    From the settings file::

        [monitor_thresholds.default]
        waiting = [10, 25]
        [monitor_thresholds.Billing]
        longest_wait_s = [120, 300]
        [monitor_thresholds."channel:phone"]
        waiting = [3, 8]
    """

    scopes: Mapping[str, Mapping[str, tuple[float, float]]] = field(default_factory=dict)

    @classmethod
    def from_setting(cls, value: Mapping | str | None, source: str = "monitor_thresholds") -> "Thresholds":
        if value is None or value == "" or value == {}:
            return cls({})
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise MonitorError(_("{source}: not a JSON object: {error}").format(source=source, error=exc)) from None
        if not isinstance(value, Mapping):
            raise MonitorError(_("{source}: expected a table of scopes, got {kind}").format(
                source=source, kind=type(value).__name__))
        scopes: dict[str, dict[str, tuple[float, float]]] = {}
        for scope, figures in value.items():
            if not isinstance(figures, Mapping):
                raise MonitorError(_("{source}: expected a table of figure = [warning, critical]").format(
                    source=f"{source}.{scope}"))
            parsed = {}
            for name, pair in figures.items():
                if name not in DEFAULT_THRESHOLDS:
                    raise MonitorError(_("{source}: unknown figure {figure}; expected one of: {choices}").format(
                        source=f"{source}.{scope}", figure=repr(name), choices=", ".join(DEFAULT_THRESHOLDS)))
                try:
                    warn, crit = (float(v) for v in pair)
                except (TypeError, ValueError):
                    raise MonitorError(_("{source}: expected [warning, critical] numbers, got {value}").format(
                        source=f"{source}.{scope}.{name}", value=repr(pair))) from None
                if name in LOWER_IS_WORSE:
                    if crit > warn:
                        raise MonitorError(_("{source}: critical ({critical}) is above warning ({warning}); this "
                                             "figure is worse when lower").format(
                            source=f"{source}.{scope}.{name}", critical=f"{crit:g}", warning=f"{warn:g}"))
                elif crit < warn:
                    raise MonitorError(_("{source}: critical ({critical}) is below warning ({warning})").format(
                        source=f"{source}.{scope}.{name}", critical=f"{crit:g}", warning=f"{warn:g}"))
                parsed[name] = (warn, crit)
            scopes[str(scope)] = parsed
        return cls(scopes)

    def for_scope(self, scope: str | None) -> dict[str, tuple[float, float]]:
        merged = dict(DEFAULT_THRESHOLDS)
        merged.update(self.scopes.get("default", {}))
        if scope:
            merged.update(self.scopes.get(scope, {}))
        return merged

    def levels(self, scope: str | None, figures: "GroupFigures") -> dict[str, Level]:
        limits = self.for_scope(scope)
        breached_share = figures.breached / figures.open_cases if figures.open_cases else None
        levels = {
            "waiting": _higher_is_worse(figures.waiting, limits["waiting"]),
            "longest_wait_s": worst((_higher_is_worse(figures.longest_wait_s, limits["longest_wait_s"]),
                                     _higher_is_worse(figures.longest_wait_share, limits["longest_wait_share"]))),
            "at_risk": _higher_is_worse(figures.at_risk, limits["at_risk"]),
            "breached": worst((_higher_is_worse(figures.breached, limits["breached"]),
                               _higher_is_worse(breached_share, limits["breached_share"]))),
        }
        if figures.service_level is None:
            levels["service_level"] = Level.ok
        else:
            gap = figures.service_level_goal - figures.service_level
            warn, crit = limits["service_level_gap"]
            # 1e-9: a service level exactly on its goal is on target, not a hair below it.
            levels["service_level"] = (Level.critical if gap > crit + 1e-9 else
                                       Level.warning if gap > warn + 1e-9 else Level.ok)
        return levels


    def deflection_level(self, deflection: float | None) -> Level:
        """The level of the floor's self-service rate today (the ``default`` scope's ``deflection``)."""
        if deflection is None:
            return Level.ok
        warn, crit = self.for_scope(None)["deflection"]
        # 1e-9: a rate exactly on its limit is on the limit, not a hair below it.
        if deflection < crit - 1e-9:
            return Level.critical
        if deflection < warn - 1e-9:
            return Level.warning
        return Level.ok


def _higher_is_worse(value: float | None, limits: tuple[float, float]) -> Level:
    if value is None:
        return Level.ok
    warn, crit = limits
    if value >= crit:
        return Level.critical
    if value >= warn:
        return Level.warning
    return Level.ok
