"""The queue table's columns: their titles, widths and which give way first on a narrow terminal.

A column is at least as wide as its title and its values' labels in the interface language (German needs
``Bearbeiter`` and ``dringend`` where English has ``Assignee`` and ``urgent``): the layout is worked out per language.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.cells import cell_len

from agent_console.i18n import N_, _, pgettext
from agent_console.widgets.labels import widest_short_label

@dataclass(frozen=True)
class Column:
    name: str
    title: str
    width: int
    #: Columns with a higher number give way first when the terminal is narrow.
    drop_rank: int
    #: Share of spare width (0 = fixed).
    flex: int = 0
    max_width: int = 0
    #: The column keeps at least 1/``min_share`` of the table's width (0 = no share): other columns give way first.
    min_share: int = 0


COLUMNS: tuple[Column, ...] = (
    Column("key", "Key", 9, 0),  # translated in its context: see column_title
    Column("priority", N_("Prio"), 6, 1),
    Column("channel", N_("Channel"), 9, 5),
    Column("queue", N_("Queue"), 10, 4),
    Column("customer", N_("Customer"), 12, 2, flex=1, max_width=28),
    Column("subject", N_("Subject"), 14, 0, flex=3, min_share=3),
    Column("status", N_("Status"), 9, 3),
    Column("tier", N_("Tier"), 4, 7),
    Column("assignee", N_("Assignee"), 8, 3),
    Column("age", N_("Age"), 6, 6),
    Column("sla", N_("SLA"), 9, 0),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
#: The follow-ups view shows when each follow-up is due where the other views show the case's age.
DUE_COLUMN = Column("due", N_("Due"), 16, 1)
GAP = 1


def least_width(column: Column, table_width: int) -> int:
    """The narrowest ``column`` may be in a table ``table_width`` cells wide."""
    if column.min_share:
        return max(column.width, -(-table_width // column.min_share))  # rounded up: "a third" of 80 is 27
    return column.width


#: Columns whose values are words of the interface (their widest label sets the column's least width).
LABELLED = ("priority", "channel", "status")


def column_title(column: Column) -> str:
    """The column's title in the interface language (the case's key is not a key of the keyboard)."""
    return pgettext("column", "Key") if column.name == "key" else _(column.title)


#: What the header adds to the title of the column the rows are sorted by.
SORT_MARK_CELLS = 2  # " ▲"


def in_language(column: Column, sorted_by: bool = False) -> Column:
    """``column`` at least as wide as its title (with the sort mark when the rows are sorted by it) and its labels in
    the interface language (English: as defined, unless the sort mark needs room)."""
    shown = cell_len(column_title(column)) + (SORT_MARK_CELLS if sorted_by else 0)
    if column.name in LABELLED:
        shown = max(shown, widest_short_label(column.name))
    return column if shown <= column.width else replace(column, width=shown)


def layout_columns(width: int, *, follow_ups: bool = False, sort: str = "") -> list[tuple[Column, int]]:
    """The columns that fit ``width`` and each one's width: the least important give way first, so the subject
    keeps at least a third of the width (at 80 columns: key, priority, customer, subject, status, SLA)."""
    shown = [in_language(column, column.name == sort)
             for column in (DUE_COLUMN if follow_ups and c.name == "age" else c for c in COLUMNS)]

    def needed(cols):
        return sum(least_width(c, width) for c in cols) + GAP * (len(cols) - 1)

    while len(shown) > 1 and needed(shown) > width:
        victim = max(shown, key=lambda c: (c.drop_rank, shown.index(c)))
        if victim.drop_rank == 0 and len(shown) <= 3:
            break
        shown.remove(victim)
    # Spare cells go to the flexible columns by their share first; a column short of its floor then takes what it
    # lacks back from the others (down to their own width), so a wide table still gives the customer room.
    widths = {c.name: c.width for c in shown}
    spare = max(0, width - sum(widths.values()) - GAP * (len(shown) - 1))
    flexible = [c for c in shown if c.flex]
    while spare > 0 and flexible:
        total_flex = sum(c.flex for c in flexible)
        handed = 0
        for c in list(flexible):
            share = max(1, spare * c.flex // total_flex)
            if c.max_width:
                share = min(share, c.max_width - widths[c.name])
            share = min(share, spare - handed)
            widths[c.name] += share
            handed += share
            if c.max_width and widths[c.name] >= c.max_width:
                flexible.remove(c)
        spare -= handed
        if handed == 0:
            break
    for column in shown:
        lacking = least_width(column, width) - widths[column.name]
        for giver in (c for c in shown if c.flex and c is not column and lacking > 0):
            taken = min(lacking, widths[giver.name] - giver.width)
            widths[giver.name] -= taken
            widths[column.name] += taken
            lacking -= taken
    return [(c, widths[c.name]) for c in shown]
