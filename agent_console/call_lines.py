"""The calls taken on a case, as ``case show`` and the case screen's thread show them: one JSON object and one line
per call (direction, number, when, ring and talk time, who answered, how it ended). Only the standard library, the
i18n module and the formatting module are imported (the CLI's fast paths use it)."""

from __future__ import annotations

from datetime import datetime

from agent_console import formatting
from agent_console.i18n import _


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _seconds(start, end) -> float | None:
    return max(0.0, (end - start).total_seconds()) if start is not None and end is not None else None


def calls_json(calls: list[dict]) -> list[dict]:
    """The calls taken on a case as ``case show --json`` prints them: ring time to the answer (or to the hangup of
    an unanswered call), talk time to the hangup."""
    items = []
    for c in calls:
        start = c["started_at"] or c["first_seen_at"]
        items.append({"call_id": c["call_id"], "direction": c["direction"], "number": c["number"],
                      "withheld": bool(c["withheld"]), "started_at": iso(start), "answered_at": iso(c["answered_at"]),
                      "ended_at": iso(c["ended_at"]), "answered_by": c["answered_login"], "cause": c["cause"],
                      "missed": bool(c["missed"]), "ring_seconds": _seconds(start, c["answered_at"] or c["ended_at"]),
                      "talk_seconds": _seconds(c["answered_at"], c["ended_at"])})
    return items


def call_line(call: dict) -> str:
    """One line for a call on the case (``case show``; the thread view has the same): direction, number, when, how
    long it rang and was talked, who answered, how it ended."""
    number = call["number"] or (_("number withheld") if call["withheld"] else _("unknown number"))
    when = formatting.date_time(datetime.fromisoformat(call["started_at"])) if call["started_at"] else "—"
    head = (_("Inbound call from {number} · {when}") if call["direction"] == "in"
            else _("Outbound call to {number} · {when}")).format(number=number, when=when)
    parts = [head]
    if call["ring_seconds"] is not None:
        parts.append(_("rang {duration}").format(duration=formatting.duration(call["ring_seconds"])))
    if call["answered_by"]:
        parts.append(_("answered by {agent}").format(agent=call["answered_by"]))
    if call["talk_seconds"] is not None:
        parts.append(_("talked {duration}").format(duration=formatting.duration(call["talk_seconds"])))
    if call["missed"]:
        parts.append(_("missed ({cause})").format(cause=call["cause"]))
    elif call["cause"] and call["cause"] != "normalClearing":
        parts.append(_("ended: {cause}").format(cause=call["cause"]))
    elif call["ended_at"] is None:
        parts.append(_("still on the line") if call["answered_at"] else _("ringing"))
    return " · ".join(parts)
