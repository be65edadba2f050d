"""A virtual case table: the queue's rows are paged in from the store as they scroll into view.

The widget holds only the ordered case ids of the current view (ints, cheap even for 100,000 cases) and a small LRU
cache of row pages; ``render_line`` draws just the visible lines (Textual's Line API over ``ScrollView``), so opening,
scrolling and refreshing cost the same whatever the queue's length. Cells are ``rich.text.Text`` built from cleaned
strings: customer text is shown literally, never parsed as markup.

Drawn rows are kept as strips for the rest of the second they were drawn in (only the SLA and age columns change with
the clock): a cursor move that scrolls by one row draws one new row and reuses the others.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from datetime import datetime
from typing import Callable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from agent_console import formatting
from agent_console.domain.sla import row_countdown
from agent_console.domain.text import one_line
from agent_console.i18n import N_, _
# COLUMNS, DUE_COLUMN and GAP are re-exported: the queue screen and the tests read them here.
from agent_console.widgets.case_columns import (COLUMNS, DUE_COLUMN, GAP, Column, column_title,  # noqa: F401
                                                layout_columns)
from agent_console.widgets.labels import short_label
from agent_console.widgets.sla_badge import local_time, sla_badge

PAGE_SIZE = 64
MAX_PAGES = 24
#: Drawn rows kept (a few screenfuls: scrolling back and forth within a second reuses them).
LINE_CACHE_SIZE = 512

PRIORITY_STYLE = {"urgent": "bold red", "high": "yellow", "normal": "", "low": "dim"}


@lru_cache(maxsize=64)
def _parse_style(definition: str) -> Style:
    return Style.parse(definition)


def fit_cell(value: str, width: int) -> str:
    """``value`` in exactly ``width`` cells: padded with spaces, or cut with an ellipsis (as ``Text.truncate``)."""
    length = len(value) if value.isascii() else cell_len(value)
    if length <= width:
        return value + " " * (width - length)
    if width <= 0:
        return ""
    if value.isascii():
        return value[:width - 1] + "…"
    return set_cell_size(value, width - 1) + "…"


class CaseTable(ScrollView, can_focus=True):
    """Cases of one view, by id; rows fetched lazily through ``fetch_rows(ids) -> {id: row}``."""

    COMPONENT_CLASSES = {"case-table--header", "case-table--cursor", "case-table--cursor-blurred"}

    DEFAULT_CSS = """
    CaseTable {
        overflow-x: hidden;
        overflow-y: auto;
        height: 1fr;
        background: $surface;
    }
    CaseTable > .case-table--header {
        text-style: bold;
        background: $panel;
        color: $foreground;
    }
    CaseTable > .case-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    CaseTable > .case-table--cursor-blurred {
        background: $block-cursor-blurred-background;
    }
    """

    BINDINGS = [
        Binding("up,k", "cursor_up", N_("Up"), show=False),
        Binding("down,j", "cursor_down", N_("Down"), show=False),
        Binding("pageup", "page_up", N_("Page up"), show=False),
        Binding("pagedown", "page_down", N_("Page down"), show=False),
        Binding("home", "first", N_("First"), show=False),
        Binding("end", "last", N_("Last"), show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=False, repaint=False)

    class Opened(Message):
        """The agent double-clicked a row."""

        def __init__(self, case_id: int) -> None:
            super().__init__()
            self.case_id = case_id

    def __init__(self, fetch_rows: Callable[[list[int]], dict[int, dict]], now: Callable[[], datetime],
                 policies: dict | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._fetch_rows = fetch_rows
        self._now = now
        self.policies = policies or {}
        self._ids: list[int] = []
        self._pages: OrderedDict[int, dict[int, dict]] = OrderedDict()
        self._column_layout: tuple[tuple[int, bool, str], list[tuple[Column, int]]] | None = None
        #: (case id, cursor look, width, second) -> the row's strip; see the module docstring.
        self._lines: LRUCache[tuple, Strip] = LRUCache(LINE_CACHE_SIZE)
        #: Styles and clock of the frame being drawn (computed once per frame, not once per row).
        self._frame: tuple[int, Style, Style, Style, datetime] | None = None
        self._lines_look: tuple = ()
        self._row_styles: tuple[Style, Style, Style, Style] | None = None
        self._header: tuple[tuple, Strip] | None = None
        self.sort_column = "sla"
        self.descending = False
        #: Shown in the interface language when the view has no rows (set it to an ``N_()`` text).
        self.empty_message = N_("No cases in this view.")
        #: Case id -> when its (soonest open) follow-up is due, in the follow-ups view; None in the others.
        self.follow_up_due: dict[int, datetime] | None = None

    # --- data ------------------------------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._ids)

    @property
    def case_ids(self) -> list[int]:
        return self._ids

    @property
    def current_case_id(self) -> int | None:
        if 0 <= self.cursor_row < len(self._ids):
            return self._ids[self.cursor_row]
        return None

    def set_ids(self, ids: list[int], keep_case_id: int | None = None) -> None:
        """Show a new ordered list of case ids; the cursor stays on ``keep_case_id`` when it is still there."""
        self._ids = ids
        self._pages.clear()
        self._lines.clear()
        self.virtual_size = Size(self.size.width, len(ids) + 1)
        position = 0
        if keep_case_id is not None:
            try:
                position = ids.index(keep_case_id)
            except ValueError:
                position = min(self.cursor_row, max(0, len(ids) - 1))
        self.set_reactive(CaseTable.cursor_row, max(0, min(position, len(ids) - 1)))
        self._scroll_cursor_into_view()
        self.refresh()

    def invalidate(self) -> None:
        """Forget cached rows (after a change) and repaint what is visible."""
        self._pages.clear()
        self._lines.clear()
        self.refresh()

    def row(self, index: int) -> dict | None:
        if not 0 <= index < len(self._ids):
            return None
        page_number = index // PAGE_SIZE
        page = self._pages.get(page_number)
        if page is None:
            start = page_number * PAGE_SIZE
            page = self._fetch_rows(self._ids[start:start + PAGE_SIZE])
            self._pages[page_number] = page
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        return page.get(self._ids[index])

    def current_row(self) -> dict | None:
        return self.row(self.cursor_row)

    # --- cursor ----------------------------------------------------------------------------------------------------

    @property
    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._scroll_cursor_into_view()
        self._refresh_row(new)

    def _refresh_row(self, index: int) -> None:
        screen_y = index - round(self.scroll_offset.y) + 1
        if 1 <= screen_y < self.size.height:
            self.refresh(Region(0, screen_y, self.size.width, 1))

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_offset.y)
        visible = self._visible_rows
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def move_cursor(self, row: int) -> None:
        if self._ids:
            self.cursor_row = max(0, min(row, len(self._ids) - 1))

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._visible_rows)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._visible_rows)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._ids) - 1)

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        index = round(self.scroll_offset.y) + offset.y - 1
        if 0 <= index < len(self._ids):
            self.cursor_row = index
            if event.chain >= 2:
                self.post_message(self.Opened(self._ids[index]))

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._ids) + 1)
        self._scroll_cursor_into_view()

    def on_focus(self) -> None:
        self._refresh_row(self.cursor_row)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor_row)

    # --- drawing ---------------------------------------------------------------------------------------------------

    @property
    def content_width(self) -> int:
        """The width rows may use: the widget minus its vertical scrollbar."""
        return self.scrollable_content_region.width

    def columns(self) -> list[tuple[Column, int]]:
        width = self.content_width
        follow_ups = self.follow_up_due is not None
        key = (width, follow_ups, self.sort_column)
        if self._column_layout is None or self._column_layout[0] != key:
            self._column_layout = (key, layout_columns(width, follow_ups=follow_ups, sort=self.sort_column))
        return self._column_layout[1]

    def refresh_language(self) -> None:
        """The interface language changed: lay the columns out again and draw every row in it."""
        self._column_layout = None
        self._header = None
        self._lines.clear()
        self.refresh()

    def show_follow_ups(self, due: dict[int, datetime] | None) -> None:
        """Switch the due column on (with each case's due time) or, with None, back to the age column."""
        self.follow_up_due = due
        self._column_layout = None
        self._header = None
        self._lines.clear()
        self.refresh()

    def visible_column_names(self) -> list[str]:
        return [c.name for c, _w in self.columns()]

    def render_lines(self, crop: Region) -> list[Strip]:
        frame = self._frame_state()
        if frame[:4] != self._lines_look:
            self._lines.clear()  # the width, the theme or the widget's styles changed
            self._lines_look = frame[:4]
        self._frame = frame
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _frame_state(self) -> tuple[int, Style, Style, Style, datetime]:
        """Width, row styles (plain, cursor, cursor without focus) and clock for the frame being drawn."""
        if self._row_styles is None:
            # Textual forgets component styles on every refresh(); they only change when the CSS does.
            base = self.rich_style
            self._row_styles = (base, base + self.get_component_rich_style("case-table--cursor"),
                                base + self.get_component_rich_style("case-table--cursor-blurred"),
                                base + self.get_component_rich_style("case-table--header"))
        base, cursor, blurred, _header = self._row_styles
        return self.content_width, base, cursor, blurred, self._now()

    def notify_style_update(self) -> None:
        self._row_styles = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        # Called once per visible line from render_lines, which works out the frame's state once for all of them.
        width, base, cursor_style, blurred_style, now = self._frame or self._frame_state()
        if y == 0:
            return self._header_strip(width)
        index = round(self.scroll_offset.y) + y - 1
        if index >= len(self._ids):
            if index == 0 and not self._ids:
                return self._strip(Text(" " + _(self.empty_message), style=base + Style(italic=True)), width)
            return Strip.blank(width, base)
        look = 0
        style = base
        if index == self.cursor_row:
            look, style = (1, cursor_style) if self.has_focus else (2, blurred_style)
        key = (self._ids[index], look, width, int(now.timestamp()))
        strip = self._lines.get(key)
        if strip is not None:
            return strip
        row = self.row(index)
        if row is None:
            return self._strip(Text(" …", style=style), width)
        strip = self._row_strip(row, style, now, width)
        self._lines[key] = strip
        return strip

    def _strip(self, text: Text, width: int) -> Strip:
        text.truncate(width, overflow="crop", pad=True)
        return Strip(list(text.render(self.app.console)), width).crop(0, width)

    def _header_strip(self, width: int) -> Strip:
        if self._row_styles is None:
            self._frame_state()
        style = self._row_styles[3]
        key = (width, style, self.sort_column, self.descending)
        if self._header is not None and self._header[0] == key:
            return self._header[1]
        text = Text(style=style, no_wrap=True)
        for position, (column, column_width) in enumerate(self.columns()):
            if position:
                text.append(" " * GAP)
            title = column_title(column)
            if column.name == self.sort_column:
                title += " ▼" if self.descending else " ▲"
            cell = Text(title)
            cell.truncate(column_width, overflow="ellipsis", pad=True)
            text.append_text(cell)
        strip = self._strip(text, width)
        self._header = (key, strip)
        return strip

    def row_text(self, row: dict, style: Style, now: datetime | None = None) -> Text:
        now = self._now() if now is None else now
        text = Text(style=style, no_wrap=True)
        for position, (column, column_width) in enumerate(self.columns()):
            if position:
                text.append(" " * GAP)
            value, cell_style = self._cell(column.name, row, now, column_width)
            text.append(fit_cell(value, column_width), style=cell_style or None)
        return text

    def _row_strip(self, row: dict, style: Style, now: datetime, width: int) -> Strip:
        """The row as one strip, built from segments directly (what ``row_text`` renders to, at a fraction of the
        cost: this runs for every visible row once a second and for every new row while scrolling or filtering)."""
        segments: list[Segment] = []
        gap = Segment(" " * GAP, style)
        used = 0
        for position, (column, column_width) in enumerate(self.columns()):
            if position:
                segments.append(gap)
                used += GAP
            value, cell_style = self._cell(column.name, row, now, column_width)
            segments.append(Segment(fit_cell(value, column_width), style + _parse_style(cell_style)
                                    if cell_style else style))
            used += column_width
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return Strip(Segment.simplify(segments), width).crop(0, width)

    def _cell(self, name: str, row: dict, now: datetime, width: int) -> tuple[str, str]:
        """A cell's text and style (customer text cleaned: it is shown literally, never parsed as markup)."""
        if name == "key":
            return one_line(row["key"]), ""
        if name == "priority":
            return short_label("priority", row["priority"]), PRIORITY_STYLE.get(row["priority"], "")
        if name == "channel":
            return short_label("channel", row["channel"]), ""
        if name == "queue":
            return one_line(row["queue"]), ""
        if name == "customer":
            return one_line(row["customer_name"], width), ""
        if name == "subject":
            return one_line(row["subject"], width), ""
        if name == "status":
            return short_label("status", row["status"]), ""
        if name == "tier":
            return _("T{tier}").format(tier=row["tier"]), ""
        if name == "assignee":
            login = row.get("assignee_login")
            return (one_line(login), "bold") if login else ("—", "dim")
        if name == "age":
            return formatting.age((now - row["created_at"]).total_seconds()), ""
        if name == "due":
            due = (self.follow_up_due or {}).get(row["id"])
            if due is None:
                return "—", "dim"
            return local_time(due, getattr(self.app, "zone", None), now=now), "bold red" if due <= now else ""
        if name == "sla":
            badge = sla_badge(row_countdown(row, self.policies, now))
            return badge.plain, str(badge.style)
        return "", ""

    def plain_line(self, index: int) -> str:
        """A row as plain text (for tests and accessibility tools)."""
        row = self.row(index)
        return "" if row is None else self.row_text(row, Style()).plain
