"""The case's header: customer, routing, people and every running SLA target.

A container of its own so later parts (the handling timer, escalation badges) can mount into ``#case-header-slots``.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from agent_console.domain import sla
from agent_console.domain.sla import SLA_SYMBOL, SlaState
from agent_console.domain.text import one_line
from agent_console.widgets.sla_badge import SLA_LABEL, SLA_STYLE, TARGET_LABEL, local_time
from agent_console.widgets.case_table import PRIORITY_STYLE


def title_text(case) -> Text:
    """The header's first line: the case's key and subject (the handling timer sits beside it)."""
    text = Text(no_wrap=False)
    text.append(one_line(case.key), style="bold")
    text.append("  ")
    text.append(one_line(case.subject), style="bold")
    return text


def summary_text(case, customer, assignee_name: str | None, policy, now: datetime, zone: tzinfo | None) -> Text:
    """The header below its first line: customer, routing, people and the running SLA targets."""
    text = Text(no_wrap=False)
    text.append("Customer ", style="dim")
    text.append(one_line(customer.name) if customer else "?", style="bold")
    if customer is not None:
        if customer.vip:
            text.append(" ★ VIP", style="bold magenta")
        text.append(f"  lang {one_line(customer.language)}", style="")
        for contact in (customer.email, customer.phone):
            if contact:
                text.append("  ")
                text.append(one_line(contact), style="dim")
    text.append("\n")
    for label, value, style in (
        ("Channel", case.channel, ""),
        ("Queue", one_line(case.queue), ""),
        ("Priority", case.priority, PRIORITY_STYLE.get(case.priority, "")),
        ("Status", case.status, "bold"),
        ("Tier", f"T{case.tier}", ""),
        ("Assignee", one_line(assignee_name) if assignee_name else "unassigned", "" if assignee_name else "dim"),
        ("Contacts", str(case.contact_count), ""),
    ):
        text.append(f"{label} ", style="dim")
        text.append(value, style=style)
        text.append("  ")
    text.append("\n")
    text.append("SLA ", style="dim")
    targets = sla.running_targets(case, policy, now)
    if not targets:
        if case.resolved_at is not None:
            text.append(f"resolved {local_time(case.resolved_at, zone, now=now)}", style="dim")
        else:
            text.append("no running target", style="dim")
    for position, target in enumerate(targets):
        if position:
            text.append("  ")
        state = target.state
        text.append(f"{SLA_SYMBOL[state]} {TARGET_LABEL[target.target]} ", style=SLA_STYLE[state])
        if state == SlaState.paused:
            text.append("paused", style=SLA_STYLE[state])
        else:
            text.append(f"due {local_time(target.due_at, zone, now=now)} ({sla.format_remaining(target.remaining_s)}, "
                        f"{SLA_LABEL[state]})", style=SLA_STYLE[state])
    return text


class CaseHeader(Vertical):
    DEFAULT_CSS = """
    CaseHeader {
        height: auto;
        background: $boost;
        padding: 0 1;
        border-bottom: solid $primary;
    }
    CaseHeader #case-title-row {
        height: auto;
    }
    CaseHeader #case-title {
        width: 1fr;
        height: auto;
    }
    CaseHeader #case-summary {
        height: auto;
    }
    CaseHeader #case-header-slots {
        width: auto;
        height: auto;
    }
    """

    def compose(self) -> ComposeResult:
        # The slots (handling timer, …) share the first line only: the lines below keep the header's whole width.
        with Horizontal(id="case-title-row"):
            yield Static(Text("Loading…"), id="case-title", markup=False)
            yield Horizontal(id="case-header-slots")
        yield Static(Text(""), id="case-summary", markup=False)

    def show(self, case, customer, assignee_name: str | None, policy, now: datetime, zone: tzinfo | None) -> None:
        self.query_one("#case-title", Static).update(title_text(case))
        self.query_one("#case-summary", Static).update(summary_text(case, customer, assignee_name, policy, now,
                                                                    zone))
