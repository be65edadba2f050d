"""The top line of every screen: who is working, their state, the sync state, follow-ups due and the time."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from agent_console import formatting
from agent_console.domain.text import one_line
from agent_console.i18n import N_, _, ngettext
from agent_console.sync.state import sync_label
from agent_console.widgets.labels import agent_state_label

class HeaderBar(Widget):
    """Renders from the app's reactives (``agent_state``, ``sync_status``, ``follow_ups_due``) and a title."""

    DEFAULT_CSS = """
    HeaderBar {
        height: 1;
        dock: top;
        background: $panel;
        color: $foreground;
    }
    """

    title: reactive[str] = reactive("")

    def __init__(self, title: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.set_reactive(HeaderBar.title, title)

    def on_mount(self) -> None:
        for name in ("agent_state", "sync_status", "follow_ups_due", "clock_text", "store_problem"):
            self.watch(self.app, name, lambda _value: self.refresh(), init=False)

    def _right_part(self, compact: bool) -> Text:
        """Store problem, follow-ups due, sync state and clock; ``compact`` keeps the counts and drops their words
        (``⚑ 3``, ``⇅ offline · 3``) so the agent's name and state keep their room on a narrow terminal."""
        app = self.app
        right = Text()
        if app.store_problem:
            right.append(f"⚠ {_(app.store_problem)}", style="bold red")
            right.append("  ·  ")
        if app.follow_ups_due:
            count = formatting.number(app.follow_ups_due)
            due = ngettext("{count} follow-up due", "{count} follow-ups due", app.follow_ups_due)
            right.append("⚑ " + (count if compact else due.format(count=count)), style="bold yellow")
            right.append("  ·  ")
        state, pending = getattr(app, "sync_detail", None) or (app.sync_status, 0)
        if compact and pending:
            right.append(f"⇅ {sync_label(state)} · {formatting.number(pending)}")
        else:
            right.append("⇅ " + sync_label(state, pending))
        right.append("  ·  ")
        right.append(app.clock_text)
        right.append(" ")
        return right

    def render(self) -> Text:
        app = self.app
        agent = app.agent
        state = agent_state_label(app.agent_state)
        right = self._right_part(compact=False)
        if self.size.width - right.cell_len - 1 < _left_part(agent, state, "", brand=False, details=False).cell_len:
            right = self._right_part(compact=True)
        width = self.size.width
        room = max(0, width - right.cell_len - 1)
        # Narrow terminals: the brand, then the login and tier, then the title give way; the agent's state stays.
        for brand, details, title in ((True, True, True), (False, True, True), (False, False, True),
                                      (False, False, False)):
            left = _left_part(agent, state, self.title if title else "", brand=brand, details=details)
            if left.cell_len <= room:
                break
        else:
            name_room = max(1, room - (left.cell_len - cell_len(one_line(agent.name))))
            left = _left_part(agent, state, "", brand=False, details=False, name_width=name_room)
            left.truncate(room, overflow="ellipsis")
        padding = max(1, width - left.cell_len - right.cell_len)
        return left + Text(" " * padding) + right


def _left_part(agent, state: str, title: str, *, brand: bool, details: bool, name_width: int | None = None) -> Text:
    left = Text(" " + _("Agent Console") + " ", style="bold reverse") if brand else Text()
    left.append("  " if brand else " ")
    name = Text(one_line(agent.name), style="bold")
    if name_width is not None:
        name.truncate(name_width, overflow="ellipsis")
    left.append_text(name)
    if details:
        left.append(" " + _("({login}, tier {tier})").format(login=one_line(agent.login), tier=agent.tier))
    left.append("  ·  ")
    left.append(state, style="italic")
    if title:
        left.append("  ·  ")
        left.append(one_line(title), style="bold")
    return left
