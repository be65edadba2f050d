"""The queue screen's status line: which view, how many cases, the order and the filter."""

from __future__ import annotations

from rich.text import Text

from agent_console import formatting
from agent_console.domain.text import one_line
from agent_console.i18n import N_, _, current_language, ngettext
from agent_console.widgets.case_table import COLUMNS, DUE_COLUMN, column_title
from agent_console.widgets.labels import channel_label

VIEW_LABELS = {
    "mine": N_("Mine"),
    "unassigned": N_("Unassigned"),
    "open": N_("All open"),
    "all": N_("All cases (incl. closed)"),
    "queue": N_("Queue"),
    "channel": N_("Channel"),
    "follow_ups": N_("My follow-ups"),
}


def count_text(count: int) -> str:
    # English groups thousands with a comma, as the status line always has; German as its locale does (1.234).
    return f"{count:,}" if current_language() == "en" else formatting.number(count)


def sort_title(name: str) -> str:
    """A column's name where the agent picks or reads the order (the SLA column sorts by urgency)."""
    if name == "sla":
        return _("SLA urgency")
    column = DUE_COLUMN if name == DUE_COLUMN.name else next(c for c in COLUMNS if c.name == name)
    return column_title(column)


def status_text(view_name: str, view_queue: str | None, view_channel: str | None, count: int, partial: bool,
                shown_sort: str, sort: str, descending: bool, filter_text: str) -> Text:
    """The one line above the queue's table."""
    label = _(VIEW_LABELS[view_name])
    if view_name == "queue":
        label = _("Queue {queue}").format(queue=one_line(view_queue))
    elif view_name == "channel":
        label = _("Channel {channel}").format(channel=channel_label(view_channel))
    text = Text()
    text.append(f" {label}", style="bold")
    if partial:
        text.append("  ·  " + _("counting cases…"))
    else:
        text.append("  ·  " + ngettext("{count} case", "{count} cases", count).format(count=count_text(count)))
    if shown_sort == DUE_COLUMN.name:
        text.append("  ·  " + _("sorted by {column}").format(column=column_title(DUE_COLUMN)) + " ▲")
    else:
        column_name = next(column_title(c) for c in COLUMNS if c.name == sort)
        text.append("  ·  " + _("sorted by {column}").format(column=column_name) + (" ▼" if descending else " ▲"))
    if filter_text.strip():
        text.append("  ·  " + _("filter") + " ")
        text.append(repr(one_line(filter_text)), style="bold")
    return text
