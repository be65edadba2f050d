"""The queue screen's status line: which view, how many cases, the order and the filter."""

from __future__ import annotations

from rich.text import Text

from agent_console.domain.text import one_line
from agent_console.widgets.case_table import COLUMNS, DUE_COLUMN

VIEW_LABELS = {
    "mine": "Mine",
    "unassigned": "Unassigned",
    "open": "All open",
    "all": "All cases (incl. closed)",
    "queue": "Queue",
    "channel": "Channel",
    "follow_ups": "My follow-ups",
}


def status_text(view_name: str, view_queue: str | None, view_channel: str | None, count: int, partial: bool,
                shown_sort: str, sort: str, descending: bool, filter_text: str) -> Text:
    """The one line above the queue's table."""
    label = VIEW_LABELS[view_name]
    if view_name == "queue":
        label = f"Queue {one_line(view_queue)}"
    elif view_name == "channel":
        label = f"Channel {view_channel}"
    text = Text()
    text.append(f" {label}", style="bold")
    if partial:
        text.append("  ·  counting cases…")
    else:
        text.append(f"  ·  {count:,} case{'s' if count != 1 else ''}")
    if shown_sort == DUE_COLUMN.name:
        text.append(f"  ·  sorted by {DUE_COLUMN.title} ▲")
    else:
        column_title = next(c.title for c in COLUMNS if c.name == sort)
        text.append(f"  ·  sorted by {column_title} {'▼' if descending else '▲'}")
    if filter_text.strip():
        text.append("  ·  filter ")
        text.append(repr(one_line(filter_text)), style="bold")
    return text
