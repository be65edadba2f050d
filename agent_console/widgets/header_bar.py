"""The top line of every screen: who is working, their state, the sync state, follow-ups due and the time."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from agent_console.domain.text import one_line


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

    def render(self) -> Text:
        app = self.app
        agent = app.agent
        left = Text(" Agent Console ", style="bold reverse")
        left.append("  ")
        left.append(one_line(agent.name), style="bold")
        left.append(f" ({one_line(agent.login)}, tier {agent.tier})")
        left.append("  ·  ")
        left.append(str(app.agent_state).replace("_", " "), style="italic")
        if self.title:
            left.append("  ·  ")
            left.append(one_line(self.title), style="bold")
        right = Text()
        if app.store_problem:
            right.append(f"⚠ {app.store_problem}", style="bold red")
            right.append("  ·  ")
        if app.follow_ups_due:
            right.append(f"⚑ {app.follow_ups_due} follow-up{'s' if app.follow_ups_due != 1 else ''} due",
                         style="bold yellow")
            right.append("  ·  ")
        right.append(f"⇅ {app.sync_status}")
        right.append("  ·  ")
        right.append(app.clock_text)
        right.append(" ")
        width = self.size.width
        if left.cell_len + right.cell_len + 1 > width:
            left.truncate(max(0, width - right.cell_len - 1), overflow="ellipsis")
        padding = max(1, width - left.cell_len - right.cell_len)
        return left + Text(" " * padding) + right
