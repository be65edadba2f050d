"""What the monitor's screens share: level colours, the figures a cell opens, table row syncing."""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Protocol

from rich.text import Text
from textual.widgets import DataTable

from agent_console.domain.monitor import LEVEL_SYMBOL, Drill, Level
from agent_console.domain.text import one_line
from agent_console.i18n import N_, _, translate_marked
from agent_console.widgets.labels import channel_label

if TYPE_CHECKING:
    from agent_console.domain.clock import Clock
    from agent_console.domain.monitor import MonitorSnapshot, TrendHistory


class MonitorHost(Protocol):
    """What the monitor's screens use of their app (``screens.monitor.MonitorApp``, which imports them): named here
    so that the screens need not import the app back."""

    store: Any
    clock: "Clock"
    supervisor: Any
    settings: Any
    zone: tzinfo
    interval: float
    trend: "TrendHistory"
    snapshot: "MonitorSnapshot | None"
    skipped_refreshes: int

    def request_refresh(self) -> bool: ...

LEVEL_STYLE = {Level.ok: "green", Level.warning: "yellow", Level.critical: "bold red"}
#: The floor's figures that open their cases, left to right.
FLOOR_FIGURES = ("waiting", "longest", "at_risk", "breached", "escalated", "follow_ups")
#: A channel table cell opens the cases of its column's figure (any other column: the channel's open cases).
CHANNEL_COLUMN_FIGURES = {"waiting": "waiting", "longest": "longest", "at_risk": "at_risk", "breached": "breached",
                          "esc": "escalated"}
#: An agent's state as the monitor names it (``state_label`` translates).
STATE_LABEL = {"available": N_("available"), "handling": N_("handling"), "wrap_up": N_("wrap-up"),
               "break": N_("break"), "offline": N_("offline")}
#: What a drill-down lists, by figure (``drill_title``).
DRILL_FIGURE_LABEL = {
    "open": N_("open cases"),
    "waiting": N_("waiting"),
    "longest": N_("longest wait"),
    "at_risk": N_("at risk"),
    "breached": N_("breached"),
    "escalated": N_("escalated"),
    "follow_ups": N_("follow-ups due"),
}


def state_label(state: str) -> str:
    return _(STATE_LABEL[state]) if state in STATE_LABEL else one_line(state)


def drill_title(drill: Drill) -> str:
    """``Floor — breached``, ``Queue Billing — waiting``: what a drill-down lists (names rendered literally)."""
    figure = _(DRILL_FIGURE_LABEL[drill.figure])
    if drill.kind == "floor":
        return _("Floor — {figure}").format(figure=figure)
    where = {"queue": N_("Queue {name} — {figure}"), "channel": N_("Channel {name} — {figure}"),
             "agent": N_("Agent {name} — {figure}")}[drill.kind]
    name = channel_label(drill.name) if drill.kind == "channel" else one_line(drill.name)
    return _(where).format(name=name, figure=figure)


def set_columns(table: DataTable, columns: tuple[tuple[str | tuple[str, str], str], ...]) -> None:
    """Give ``table`` the columns (source label, key), labelled in the interface language; on a table that has them
    already (a switch of language) the rows and the cursor stay."""
    if not table.columns:
        for label, key in columns:
            table.add_column(translate_marked(label), key=key)
        return
    rows = {str(key.value): table.get_row(key) for key in table.rows}
    cursor = table.cursor_coordinate
    table.clear(columns=True)
    for label, key in columns:
        table.add_column(translate_marked(label), key=key)
    for key, cells in rows.items():
        table.add_row(*cells, key=key)
    if rows:
        table.move_cursor(row=cursor.row, column=cursor.column, animate=False)


def _level_text(value: str, level: Level) -> Text:
    text = Text(f"{LEVEL_SYMBOL[level]} ", style=LEVEL_STYLE[level])
    text.append(one_line(value), style=LEVEL_STYLE[level] if level != Level.ok else "")
    return text


def _state_style(state: str) -> str:
    return {"available": "green", "handling": "cyan", "wrap_up": "magenta", "break": "yellow"}.get(state, "dim")


def _sync_rows(table: DataTable, rows: dict[str, tuple]) -> None:
    """Show ``rows`` (key -> cells): cells are updated in place when the keys are unchanged, so the cursor stays."""
    keys = list(rows)
    current = [str(key.value) for key in table.rows]
    if current == keys:
        columns = list(table.columns)
        for key, cells in rows.items():
            for column, cell in zip(columns, cells):
                if table.get_cell(key, column) != cell:
                    # Grow the column with a longer value: rows re-added by a change of language are measured
                    # only later, and a column must never cut what it shows because of that order.
                    table.update_cell(key, column, cell, update_width=True)
        return
    cursor_key = None
    if table.row_count and 0 <= table.cursor_row < table.row_count:
        cursor_key = current[table.cursor_row]
    table.clear()
    for key, cells in rows.items():
        table.add_row(*cells, key=key)
    if cursor_key in rows:
        table.move_cursor(row=keys.index(cursor_key), animate=False)


def _case_id(row_key) -> int:
    """The case of a drill-down row (keyed ``<row>:<case id>``)."""
    return int(str(row_key).rpartition(":")[2])


def _describe(error: BaseException) -> str:
    from agent_console.store.errors import describe

    return describe(error)
