"""Lines of units (a label with its value, a badge) that wrap between units, never inside one.

A terminal's word wrap breaks at any space, so "Priority" could end one line and "urgent" start the next. Here each
line is a list of units: a unit that does not fit in what is left of the row starts the next row, and only a unit
wider than the whole row is cut (with an ellipsis).
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

#: Cells between two units on a row.
UNIT_GAP = 2


def pack_units(lines: list[list[Text]], width: int, gap: int = UNIT_GAP) -> list[Text]:
    """The rows ``lines`` take at ``width`` cells: each line's units in order, a unit moved whole to a new row when
    it does not fit."""
    rows: list[Text] = []
    for units in lines:
        row = Text()
        for unit in units:
            unit = unit.copy()
            if unit.cell_len > width:
                unit.truncate(max(1, width), overflow="ellipsis")
            if row.cell_len and row.cell_len + gap + unit.cell_len > width:
                rows.append(row)
                row = Text()
            if row.cell_len:
                row.append(" " * gap)
            row.append_text(unit)
        rows.append(row)
    return rows


class PackedText(Widget):
    """Shows lines of units packed to the widget's width; its height follows the number of rows."""

    DEFAULT_CSS = """
    PackedText {
        height: auto;
    }
    """

    def __init__(self, lines: list[list[Text]] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._lines: list[list[Text]] = lines or []

    @property
    def content(self) -> Text:
        """Every line with its units side by side (no packing): what the widget says, whatever its width."""
        return Text("\n").join(Text("  ").join(units) for units in self._lines)

    def update(self, lines: list[list[Text]]) -> None:
        self._lines = lines
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(pack_units(self._lines, width))

    def render(self) -> Text:
        return Text("\n").join(pack_units(self._lines, self.content_region.width or self.size.width))
