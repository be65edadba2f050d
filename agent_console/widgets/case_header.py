"""The case's header: customer, routing, people and every running SLA target.

Labels and their values wrap as units (``PackedText``). While the agent writes a reply or note on a short terminal
(the screen has ``-editing`` and ``-short``) a compact header (case and SLA) stands in for the full one.

A container of its own so later parts (the handling timer, escalation badges) can mount into ``#case-header-slots``.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from agent_console import formatting
from agent_console.domain import sla
from agent_console.domain.sla import SLA_SYMBOL, SlaState
from agent_console.domain.text import one_line
from agent_console.i18n import _, pgettext
from agent_console.widgets.labels import (channel_label, priority_label, sla_state_label, sla_target_label,
                                          status_label)
from agent_console.widgets.sla_badge import SLA_STYLE, local_time
from agent_console.widgets.case_table import PRIORITY_STYLE
from agent_console.widgets.packed_text import PackedText
from agent_console.widgets.presence_line import PresenceLine


def summary_lines(case, customer, assignee_name: str | None, policy, now: datetime,
                  zone: tzinfo | None) -> list[list[Text]]:
    """The header's lines, each a list of units (a label with its value) that wrap whole, never inside."""
    title = Text()
    title.append(one_line(case.key), style="bold")
    title.append("  ")
    title.append(one_line(case.subject), style="bold")
    who = [_pair(_("Customer"), one_line(customer.name) if customer else "?", "bold")]
    if customer is not None:
        if customer.vip:
            who.append(Text(_("★ VIP"), style="bold magenta"))
        who.append(_pair(_("lang"), one_line(customer.language), ""))
        for contact in (customer.email, customer.phone):  # both, when the customer has both
            if contact:
                who.append(Text(one_line(contact), style="dim"))
    routing = [_pair(label, value, style) for label, value, style in (
        (_("Channel"), channel_label(case.channel), ""),
        (pgettext("title", "Queue"), one_line(case.queue), ""),
        (_("Priority"), priority_label(case.priority), PRIORITY_STYLE.get(case.priority, "")),
        (_("Status"), status_label(case.status), "bold"),
        (_("Tier"), _("T{tier}").format(tier=case.tier), ""),
        (_("Assignee"), one_line(assignee_name) if assignee_name else _("unassigned"), "" if assignee_name else "dim"),
        (_("Contacts"), formatting.number(case.contact_count), ""),
    )]
    return [[title], who, routing, sla_units(case, policy, now, zone)]


def sla_units(case, policy, now: datetime, zone: tzinfo | None) -> list[Text]:
    """"SLA" and each running target as a unit of its own."""
    units = [Text(_("SLA"), style="dim")]
    targets = sla.running_targets(case, policy, now)
    if not targets:
        if case.resolved_at is not None:
            units[0].append(" " + _("resolved {time}").format(time=local_time(case.resolved_at, zone, now=now)),
                            style="dim")
        else:
            units[0].append(" " + _("no running target"), style="dim")
    for target in targets:
        state = target.state
        unit = Text(f"{SLA_SYMBOL[state]} {sla_target_label(target.target)} ", style=SLA_STYLE[state])
        if state == SlaState.paused:
            unit.append(sla_state_label(state), style=SLA_STYLE[state])
        else:
            unit.append(_("due {time} ({remaining}, {state})").format(
                time=local_time(target.due_at, zone, now=now),
                remaining=formatting.duration(target.remaining_s, signed=True, empty=""),
                state=sla_state_label(state)), style=SLA_STYLE[state])
        units.append(unit)
    return units


def compact_lines(case, policy, now: datetime, zone: tzinfo | None) -> list[list[Text]]:
    """The header while an agent writes on a short terminal: the case and its SLA only."""
    title = Text()
    title.append(one_line(case.key), style="bold")
    title.append("  ")
    title.append(one_line(case.subject), style="bold")
    return [[title], sla_units(case, policy, now, zone)]


def _pair(label: str, value: str, style: str) -> Text:
    text = Text(f"{label} ", style="dim")
    text.append(value, style=style)
    return text


class CaseHeader(Horizontal):
    DEFAULT_CSS = """
    CaseHeader {
        height: auto;
        background: $boost;
        padding: 0 1;
        border-bottom: solid $primary;
    }
    CaseHeader #case-summary-column {
        width: 1fr;
        height: auto;
    }
    CaseHeader #case-summary {
        width: 1fr;
        height: auto;
    }
    CaseHeader #case-summary-compact {
        width: 1fr;
        display: none;
    }
    CaseHeader #case-header-slots {
        width: auto;
        height: auto;
    }
    """

    def compose(self) -> ComposeResult:
        with Vertical(id="case-summary-column"):
            yield PackedText([[Text(_("Loading…"))]], id="case-summary")
            yield PackedText(id="case-summary-compact")
            yield PresenceLine(id="case-presence")
        yield Horizontal(id="case-header-slots")

    def show(self, case, customer, assignee_name: str | None, policy, now: datetime, zone: tzinfo | None) -> None:
        self.query_one("#case-summary", PackedText).update(summary_lines(case, customer, assignee_name, policy, now,
                                                                         zone))
        self.query_one("#case-summary-compact", PackedText).update(compact_lines(case, policy, now, zone))
        self.query_one(PresenceLine).set_case(case.uid)
