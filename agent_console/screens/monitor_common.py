"""What the monitor's screens share: level colours, the figures a cell opens, table row syncing."""

from __future__ import annotations


from rich.text import Text
from textual.widgets import DataTable

from agent_console.domain.monitor import LEVEL_SYMBOL, Level
from agent_console.domain.text import one_line

LEVEL_STYLE = {Level.ok: "green", Level.warning: "yellow", Level.critical: "bold red"}
#: The floor's figures that open their cases, left to right.
FLOOR_FIGURES = ("waiting", "longest", "at_risk", "breached", "escalated", "follow_ups")
#: A channel table cell opens the cases of its column's figure (any other column: the channel's open cases).
CHANNEL_COLUMN_FIGURES = {"waiting": "waiting", "longest": "longest", "at_risk": "at_risk", "breached": "breached",
                          "esc": "escalated"}
STATE_LABEL = {"available": "available", "handling": "handling", "wrap_up": "wrap-up", "break": "break",
               "offline": "offline"}


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
                    table.update_cell(key, column, cell)
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
