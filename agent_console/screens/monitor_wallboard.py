"""The wallboard: the floor's few big figures, for a screen on the wall."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Sparkline, Static

from agent_console.domain import monitor as live
from agent_console.domain.monitor import MonitorSnapshot, format_duration
from agent_console.screens.bindings import bindings_for
from agent_console.screens.monitor_common import LEVEL_STYLE
from agent_console.widgets.monitor_tiles import BigFigure, WallboardPanel

if TYPE_CHECKING:
    from agent_console.screens.monitor import MonitorApp


# --- the wallboard ------------------------------------------------------------------------------------------------


class WallboardScreen(Screen):
    """Large figures for a screen on the wall: no interaction needed."""

    BINDINGS = bindings_for("wallboard")
    PALETTE = [
        ("Refresh now", "Recompute every figure now", "refresh"),
        ("Back to the monitor", "Leave the wallboard", "leave"),
    ]

    def __init__(self, can_return: bool = False) -> None:
        super().__init__()
        self.can_return = can_return

    def compose(self) -> ComposeResult:
        yield Static("Loading the figures…", id="wall-status", markup=False)
        with Horizontal(id="wall-floor"):
            yield BigFigure("waiting", id="big-waiting")
            yield BigFigure("longest wait", id="big-longest")
            yield BigFigure("service level %", id="big-sl")
            yield BigFigure("breached", id="big-breached")
            yield BigFigure("agents available", id="big-available")
        yield Grid(id="wall-queues")
        yield Static("Waiting · last 8 h", id="wall-trend-label", markup=False)
        yield Sparkline([], id="wall-trend")
        yield Footer()

    def on_mount(self) -> None:
        snapshot = getattr(self.app, "snapshot", None)  # MonitorApp's latest, if one came in before this screen
        if snapshot is not None:
            self.show_snapshot(snapshot)

    def show_snapshot(self, snapshot: MonitorSnapshot) -> None:
        app: MonitorApp = self.app  # type: ignore[assignment]
        floor = snapshot.floor
        local = snapshot.taken_at.astimezone(app.zone)
        status = Text(f"{floor.symbol} ", style=LEVEL_STYLE[floor.level])
        status.append("Contact center — live", style="bold")
        status.append(f"   {local:%H:%M} {local.tzname()}   due {snapshot.due_total} "
                      f"({snapshot.overdue_total} overdue)   escalated {floor.escalations}")
        self.query_one("#wall-status", Static).update(status)
        self.query_one("#big-waiting", BigFigure).show(str(floor.waiting), floor.levels["waiting"])
        self.query_one("#big-longest", BigFigure).show(format_duration(floor.longest_wait_s),
                                                       floor.levels["longest_wait_s"])
        sl = "-" if floor.service_level is None else f"{floor.service_level * 100:.0f}"
        self.query_one("#big-sl", BigFigure).show(sl, floor.levels["service_level"])
        self.query_one("#big-breached", BigFigure).show(str(floor.breached), floor.levels["breached"])
        self.query_one("#big-available", BigFigure).show(str(snapshot.agent_states.get("available", 0)))
        grid = self.query_one("#wall-queues", Grid)
        panels = list(grid.query(WallboardPanel))
        if [p.group_name for p in panels] == [q.name for q in snapshot.queues]:
            for panel, figures in zip(panels, snapshot.queues):
                panel.show(figures)
        else:
            with self.app.batch_update():
                grid.remove_children()
                grid.mount_all([WallboardPanel(q, classes="wall-panel") for q in snapshot.queues])
        self.query_one("#wall-trend", Sparkline).data = app.trend.series("waiting", snapshot.taken_at) or [0]

    async def action_leave(self) -> None:
        if self.can_return:
            self.dismiss()
        else:  # opened as the first screen (``monitor --wallboard``): the app puts the floor in its place
            await self.run_action("app.show_floor")

    def action_refresh(self) -> None:
        app: MonitorApp = self.app  # type: ignore[assignment]
        app.request_refresh()

    def action_quit(self) -> None:
        self.app.exit()
