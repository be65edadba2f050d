"""The words the agent's screens show for the store's values and the SLA's states, in the interface language.

The store keeps English identifiers (``pending``, ``phone``, ``first_response``); only what is shown is translated,
here, at the moment it is drawn (a switch of language reaches the next frame). Table columns have little room: their
``short`` forms (``pgettext("column", …)``) are the German abbreviations a column can hold.
"""

from __future__ import annotations

from functools import lru_cache

from agent_console import formatting
from agent_console.domain.sla import SLA_SYMBOL, SlaState
from agent_console.domain.text import one_line
from agent_console.i18n import N_, _, current_language, pgettext

STATUS_LABELS = {"new": N_("new"), "open": N_("open"), "pending": N_("pending"), "escalated": N_("escalated"),
                 "resolved": N_("resolved"), "closed": N_("closed")}
PRIORITY_LABELS = {"urgent": N_("urgent"), "high": N_("high"), "normal": N_("normal"), "low": N_("low")}
CHANNEL_LABELS = {"phone": N_("phone"), "email": N_("email"), "chat": N_("chat"), "social": N_("social"),
                  "messenger": N_("messenger"), "web": N_("web"), "onsite": N_("onsite")}
AGENT_STATE_LABELS = {"available": N_("available"), "handling": N_("handling"), "wrap_up": N_("wrap-up"),
                      "break": N_("break"), "offline": N_("offline"), "idle": N_("idle")}
SLA_STATE_LABELS = {SlaState.ok: N_("ok"), SlaState.at_risk: N_("at risk"), SlaState.breached: N_("breached"),
                    SlaState.paused: N_("paused"), SlaState.none: N_("no target")}
SLA_TARGET_LABELS = {"first_response": N_("first response"), "next_update": N_("next update"),
                     "resolution": N_("resolution")}


def _shown(labels: dict, value) -> str:
    """The label of a known value; an unknown one (a newer server's word) is shown as stored, on one line."""
    label = labels.get(str(value))
    return _(label) if label is not None else one_line(str(value))


def status_label(value) -> str:
    return _shown(STATUS_LABELS, value)


def priority_label(value) -> str:
    return _shown(PRIORITY_LABELS, value)


def channel_label(value) -> str:
    return _shown(CHANNEL_LABELS, value)


def agent_state_label(value) -> str:
    return _shown(AGENT_STATE_LABELS, value)


def sla_state_label(state) -> str:
    return _shown(SLA_STATE_LABELS, state)


def sla_target_label(target) -> str:
    return _shown(SLA_TARGET_LABELS, target)


def _short_status(value: str) -> str:
    # "pending" is "wartend auf Kunde" where there is room; a column holds "wartend".
    if value == "pending":
        return pgettext("column", "pending")
    return status_label(value)


@lru_cache(maxsize=256)
def _short(kind: str, value: str, language: str) -> str:
    # Drawn for every visible row every second: the words are looked up once per language.
    return {"status": _short_status, "priority": priority_label, "channel": channel_label}[kind](value)


def short_label(kind: str, value) -> str:
    """A status, priority or channel as a table column shows it."""
    return _short(kind, str(value), current_language())


def widest_short_label(kind: str) -> int:
    """The widest of a kind's column labels in the interface language (a column is at least that wide)."""
    values = {"status": STATUS_LABELS, "priority": PRIORITY_LABELS, "channel": CHANNEL_LABELS}[kind]
    return max(len(short_label(kind, value)) for value in values)


def describe_target(target) -> str:
    """An SLA target in a line of text: ``first response 0:45 ▲ at risk``, ``resolution ‖ paused``."""
    parts = [sla_target_label(target.target)]
    if target.remaining_s is not None:
        parts.append(formatting.duration(target.remaining_s, signed=True, empty=""))
    parts.append(SLA_SYMBOL[target.state])
    if target.state not in (SlaState.ok, SlaState.none):
        parts.append(sla_state_label(target.state))
    return " ".join(parts)


def format_targets(statuses) -> str:
    """Every running SLA target in one line: ``first response 0:45 ▲ at risk · resolution 7h59m ●``."""
    return " · ".join(describe_target(t) for t in statuses)
