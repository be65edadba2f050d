"""The wallboard: the floor's few big figures, for a screen on the wall."""

from __future__ import annotations


from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Sparkline, Static

from agent_console.domain import monitor as live
from agent_console.domain.monitor import MonitorSnapshot
from agent_console.formatting import date_time, duration, number
from agent_console.i18n import N_, _
from agent_console.screens.bindings import TranslatedBindings, bindings_for
from agent_console.screens.monitor_common import LEVEL_STYLE, MonitorHost
from agent_console.widgets.monitor_tiles import BigFigure, WallboardPanel, calls_line, has_calls


# --- the wallboard ------------------------------------------------------------------------------------------------


#: The floor's large figures: widget id -> label, and its short form for a narrow tile (80 columns).
BIG_FIGURES = {"big-waiting": (N_("waiting"), None), "big-longest": (N_("longest wait"), N_("longest")),
               "big-sl": (N_("service level %"), N_("SL %")), "big-breached": (N_("breached"), None),
               "big-available": (N_("agents available"), N_("available"))}
#: The help center's figures today, beside the floor's once it was used today (``MonitorSnapshot.help_center_used``).
SELF_SERVICE_FIGURES = {"big-self-service": (N_("self-service resolutions"), N_("solved")),
                        "big-deflection": (N_("deflection %"), N_("defl. %"))}
#: Below this width the queue panels come four to a row (five leave no room for "wartend" beside "SL %") and are
#: one row taller (the detail's three phrases need three rows).
FIVE_PANELS_MIN_WIDTH = 100


class WallboardScreen(TranslatedBindings, Screen):
    """Large figures for a screen on the wall: no interaction needed."""

    BINDINGS = bindings_for("wallboard")
    PALETTE = [
        (N_("Refresh now"), N_("Recompute every figure now"), "refresh"),
        (N_("Back to the monitor"), N_("Leave the wallboard"), "leave"),
    ]

    def __init__(self, can_return: bool = False) -> None:
        super().__init__()
        self.can_return = can_return

    def compose(self) -> ComposeResult:
        yield Static(_("Loading the figures…"), id="wall-status", markup=False)
        with Horizontal(id="wall-floor"):
            for widget_id, (label, short) in BIG_FIGURES.items():
                yield BigFigure(label, short, id=widget_id)
            for widget_id, (label, short) in SELF_SERVICE_FIGURES.items():
                yield BigFigure(label, short, id=widget_id, symbol=widget_id == "big-deflection",
                                classes="self-service")
        yield Grid(id="wall-queues")
        yield Static(_("Waiting · last 8 h"), id="wall-trend-label", markup=False)
        yield Sparkline([], id="wall-trend")
        yield Footer()

    def on_resize(self) -> None:
        # monitor.tcss: a narrow wallboard has four panels to a row, each a row taller (every detail stays whole).
        self.query_one("#wall-queues", Grid).set_class(self.size.width < FIVE_PANELS_MIN_WIDTH, "narrow")
        self._fit_floor()

    def _fit_floor(self) -> None:
        # Seven figures in a narrow row (the help center's two shown): without their padding every label stays whole.
        crowded = self.size.width < FIVE_PANELS_MIN_WIDTH and self.query_one("#big-deflection").display
        self.query_one("#wall-floor", Horizontal).set_class(crowded, "crowded")

    def on_mount(self) -> None:
        snapshot = getattr(self.app, "snapshot", None)  # MonitorApp's latest, if one came in before this screen
        if snapshot is not None:
            self.show_snapshot(snapshot)

    def refresh_language(self) -> None:
        """Everything this screen shows, again in the interface language (after a switch from the palette)."""
        for figure in self.query(BigFigure):
            figure.refresh_language()
        for panel in self.query(WallboardPanel):
            panel.refresh_language()
        self.query_one("#wall-trend-label", Static).update(_("Waiting · last 8 h"))
        snapshot = getattr(self.app, "snapshot", None)
        if snapshot is not None:
            self.show_snapshot(snapshot)
        else:
            self.query_one("#wall-status", Static).update(_("Loading the figures…"))

    def show_snapshot(self, snapshot: MonitorSnapshot) -> None:
        app: MonitorHost = self.app  # type: ignore[assignment]
        floor = snapshot.floor
        local = snapshot.taken_at.astimezone(app.zone)
        status = Text(f"{floor.symbol} ", style=LEVEL_STYLE[floor.level])
        status.append(_("Contact center — live"), style="bold")
        status.append(f"   {date_time(local, 'time')} {local.tzname()}   ")
        status.append(_("due {due} ({overdue} overdue)   escalated {escalated}").format(
            due=number(snapshot.due_total), overdue=number(snapshot.overdue_total),
            escalated=number(floor.escalations)))
        if has_calls(floor):
            status.append("   ")
            status.append(calls_line(floor), style="bold")
        self.query_one("#wall-status", Static).update(status)
        self.query_one("#big-waiting", BigFigure).show(str(floor.waiting), floor.levels["waiting"])
        self.query_one("#big-longest", BigFigure).show(duration(floor.longest_wait_s),
                                                       floor.levels["longest_wait_s"])
        sl = "-" if floor.service_level is None else f"{floor.service_level * 100:.0f}"
        self.query_one("#big-sl", BigFigure).show(sl, floor.levels["service_level"])
        self.query_one("#big-breached", BigFigure).show(str(floor.breached), floor.levels["breached"])
        self.query_one("#big-available", BigFigure).show(str(snapshot.agent_states.get("available", 0)))
        self._show_self_service(snapshot)
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

    def _show_self_service(self, snapshot: MonitorSnapshot) -> None:
        """Today's self-service resolutions and deflection (as the monitor's floor line), once the help center was
        used today; the deflection by colour and symbol against its threshold."""
        for figure in self.query(".self-service"):
            figure.display = snapshot.help_center_used
        self._fit_floor()
        if not snapshot.help_center_used:
            return
        self.query_one("#big-self-service", BigFigure).show(str(snapshot.self_service_resolutions))
        deflection = "-" if snapshot.deflection is None else f"{snapshot.deflection * 100:.0f}"
        self.query_one("#big-deflection", BigFigure).show(deflection, snapshot.self_service_level)

    async def action_leave(self) -> None:
        if self.can_return:
            self.dismiss()
        else:  # opened as the first screen (``monitor --wallboard``): the app puts the floor in its place
            await self.run_action("app.show_floor")

    def action_refresh(self) -> None:
        app: MonitorHost = self.app  # type: ignore[assignment]
        app.request_refresh()

    def action_quit(self) -> None:
        self.app.exit()
