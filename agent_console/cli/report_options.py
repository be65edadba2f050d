"""What every report command shares: its output formats, the agent's display zone and the day options."""

from __future__ import annotations

import os
from pathlib import Path

from agent_console.cli.common import fail
from agent_console.i18n import _

FORMATS = ("table", "csv", "json")


def display_zone(settings) -> str:
    """The agent's zone: the setting, else $TZ, else the system's /etc/localtime, else UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    candidates = [settings.timezone, os.environ.get("TZ", "").lstrip(":")]
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                ZoneInfo(name)
                return name
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return "UTC"


def parse_day(value: str | None, option: str):
    """The date a ``--since``/``--until`` option names (YYYY-MM-DD), None when not given; refuses anything else."""
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(_("{option}: {value} is not a date; use YYYY-MM-DD (e.g. 2026-11-01)").format(
            option=option, value=repr(value)))


def shown_day(day) -> str:
    """A calendar day in a report's period: ``2026-11-01``, in German ``1. Nov. 2026``."""
    from datetime import datetime, time

    from agent_console.formatting import date_time

    return date_time(datetime.combine(day, time()), "date")
