"""The supervisor's live monitor: queues, channels, agents, due items and trends, refreshed in a worker thread.

``MonitorApp`` owns the refresh: a timer asks for one every ``interval`` seconds; the figures are computed in a thread
worker (``domain.monitor.compute_snapshot``) so input never waits; a refresh asked for while one is still running is
skipped and counted, never queued. Screens only show snapshots; drill-down reads go through domain.monitor and
store.queries, and the supervisor's actions through CaseService and EscalationService (which audit every change).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Callable

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Sparkline, Static
from textual.worker import Worker, WorkerState

from agent_console.domain import monitor as live
from agent_console.domain.monitor import (
    LEVEL_SYMBOL,
    Drill,
    GroupFigures,
    Level,
    MonitorSnapshot,
    Thresholds,
    TrendHistory,
    format_duration,
    format_percent,
)
from agent_console.domain.text import one_line
from agent_console.widgets.text import safe_text
from agent_console.screens.notify import SafeNotifications
from agent_console.widgets.monitor_tiles import (
    BigFigure,
    FigureChip,
    MonitorTile,
    ReasonModal,
    WallboardPanel,
)

LEVEL_STYLE = {Level.ok: "green", Level.warning: "yellow", Level.critical: "bold red"}
#: The floor's figures that open their cases, left to right.
FLOOR_FIGURES = ("waiting", "longest", "at_risk", "breached", "escalated", "follow_ups")
#: A channel table cell opens the cases of its column's figure (any other column: the channel's open cases).
CHANNEL_COLUMN_FIGURES = {"waiting": "waiting", "longest": "longest", "at_risk": "at_risk", "breached": "breached",
                          "esc": "escalated"}
STATE_LABEL = {"available": "available", "handling": "handling", "wrap_up": "wrap-up", "break": "break",
               "offline": "offline"}


def zone_from_settings(name: str) -> tzinfo:
    """The supervisor's zone: the settings' IANA name, else the system's local zone."""
    from datetime import timezone
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise live.MonitorError(f"unknown time zone {name!r} in the settings") from None
    local = datetime.now().astimezone().tzinfo
    return local or timezone.utc


def _level_text(value: str, level: Level) -> Text:
    text = Text(f"{LEVEL_SYMBOL[level]} ", style=LEVEL_STYLE[level])
    text.append(one_line(value), style=LEVEL_STYLE[level] if level != Level.ok else "")
    return text


# --- the app ------------------------------------------------------------------------------------------------------


class MonitorApp(SafeNotifications, App):
    """``agent-console monitor``: the live monitor (or, with ``wallboard=True``, the wallboard) for a supervisor."""

    CSS_PATH = "monitor.tcss"
    TITLE = "Agent Console — live monitor"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]

    def __init__(self, *, store, clock, supervisor, settings, wallboard: bool = False, interval: float | None = None,
                 compute: Callable[..., MonitorSnapshot] = live.compute_snapshot,
                 backfill: Callable[..., list] | None = live.backfill_points, refresh_on_timer: bool = True) -> None:
        super().__init__()
        self.store = store
        self.clock = clock
        self.supervisor = supervisor
        self.settings = settings
        self.zone = zone_from_settings(getattr(settings, "timezone", ""))
        self.thresholds = Thresholds.from_setting(getattr(settings, "monitor_thresholds", {}) or {})
        self.interval = float(interval or getattr(settings, "monitor_refresh_s", 2.0) or 2.0)
        self.wallboard = wallboard
        self.compute = compute
        self.backfill = backfill
        self.refresh_on_timer = refresh_on_timer
        self.trend = TrendHistory()
        self.snapshot: MonitorSnapshot | None = None
        self.refresh_in_flight = False
        #: Refreshes done, and refreshes skipped because the previous one was still running.
        self.refresh_count = 0
        self.skipped_refreshes = 0
        self.last_error: str | None = None
        self._backfilled = backfill is None

    def on_mount(self) -> None:
        self.theme = getattr(self.settings, "theme", "textual-dark") or "textual-dark"
        self.push_screen(WallboardScreen() if self.wallboard else MonitorScreen())
        self.request_refresh()
        if self.refresh_on_timer:
            self.set_interval(self.interval, self.request_refresh, name="monitor-refresh")

    # --- refreshing ------------------------------------------------------------------------------------------------

    def request_refresh(self) -> bool:
        """Start a refresh unless one is running (then it is skipped, not queued). True when one started."""
        if self.refresh_in_flight:
            self.skipped_refreshes += 1
            return False
        self.refresh_in_flight = True
        self._refresh_worker()
        return True

    @work(thread=True, exclusive=True, group="monitor-refresh", exit_on_error=False)
    def _refresh_worker(self) -> None:
        try:
            points = None
            if not self._backfilled:
                points = self.backfill(self.store, self.clock, tz=self.zone)
            snapshot = self.compute(self.store, self.clock, tz=self.zone, thresholds=self.thresholds)
        except Exception as exc:  # the monitor keeps running and says what went wrong
            self.call_from_thread(self._refresh_failed, _describe(exc))
            return
        try:
            self.call_from_thread(self._deliver, snapshot, points)
        except Exception as exc:  # showing it failed: say so instead of dying silently in the worker
            self.call_from_thread(self._refresh_failed, _describe(exc))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The refresh counts as running until its worker has really finished (not merely delivered): a new one
        # started earlier would make the exclusive group cancel a worker that is still returning.
        if event.worker.group == "monitor-refresh" and event.state in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.refresh_in_flight = False

    def _deliver(self, snapshot: MonitorSnapshot, points) -> None:
        self.refresh_count += 1
        self.last_error = None
        if points is not None:
            self.trend.add_points(points)
            self._backfilled = True
        self.trend.record(snapshot)
        self.snapshot = snapshot
        for screen in self.screen_stack:
            if isinstance(screen, (MonitorScreen, WallboardScreen)):
                screen.show_snapshot(snapshot)

    def _refresh_failed(self, message: str) -> None:
        self.last_error = message
        self.notify(f"refresh failed: {message}", severity="error", timeout=6, markup=False)

    # --- command palette ----------------------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen):
        yield from super().get_system_commands(screen)
        for title, help_text, action in getattr(screen, "PALETTE", ()):
            yield SystemCommand(title, help_text, getattr(screen, f"action_{action}"))


# --- the monitor screen -------------------------------------------------------------------------------------------


class MonitorScreen(Screen):
    #: Below 120 columns or 36 rows the queues are compact rows and the screen scrolls.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]
    BINDINGS = [
        Binding("r", "refresh", "Refresh"),
        Binding("c", "toggle_channels", "Channels"),
        Binding("f", "focus_floor", "Floor"),
        Binding("t", "focus_tiles", "Queues"),
        Binding("g", "focus_agents", "Agents"),
        Binding("d", "focus_due", "Due"),
        Binding("w", "wallboard", "Wallboard"),
        Binding("q", "quit", "Quit"),
    ]
    PALETTE = [
        ("Refresh now", "Recompute every figure now", "refresh"),
        ("Show or hide channels", "Toggle the per-channel table", "toggle_channels"),
        ("Go to floor figures", "Focus the floor's figures (enter lists exactly their cases)", "focus_floor"),
        ("Go to queue tiles", "Focus the queue tiles (up/down choose a figure, enter lists its cases)",
         "focus_tiles"),
        ("Go to agents", "Focus the agents table (enter lists the agent's open cases)", "focus_agents"),
        ("Go to due items", "Focus escalations and follow-ups due (enter opens the case)", "focus_due"),
        ("Wallboard", "Switch to the large wallboard view", "wallboard"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Loading the figures…", id="monitor-status", markup=False)
        with Horizontal(id="floor-figures"):
            for figure in FLOOR_FIGURES:
                yield FigureChip(Drill(figure), id=f"floor-{figure.replace('_', '-')}", classes="chip")
        yield Static("", id="floor-line", markup=False)
        yield Static("Queues", classes="section", markup=False)
        yield Vertical(id="queue-tiles")
        yield Static("Channels", classes="section", id="channels-label", markup=False)
        yield DataTable(id="channels", cursor_type="cell", zebra_stripes=True)
        with Horizontal(id="lower"):
            yield DataTable(id="agents", cursor_type="row", zebra_stripes=True)
            with Vertical(id="side"):
                yield DataTable(id="due", cursor_type="row", zebra_stripes=True)
                yield Static("Waiting · last 8 h", classes="trend-label", id="trend-waiting-label", markup=False)
                yield Sparkline([], id="trend-waiting")
                yield Static("Service level % · last 8 h", classes="trend-label", id="trend-sl-label",
                             markup=False)
                yield Sparkline([], id="trend-sl")
        yield Footer()

    def on_mount(self) -> None:
        channels = self.query_one("#channels", DataTable)
        # Short labels: the eleven columns fit 80 columns.
        for label, key in (("channel", "name"), ("wait", "waiting"), ("longest", "longest"),
                           ("risk", "at_risk"), ("breach", "breached"), ("SL", "sl"), ("goal", "goal"),
                           ("AHT", "aht"), ("FCR", "fcr"), ("CSAT", "csat"), ("esc", "esc")):
            channels.add_column(label, key=key)
        agents = self.query_one("#agents", DataTable)
        for label, key in (("agent", "login"), ("name", "name"), ("state", "state"), ("for", "since"),
                           ("current case", "case"), ("open", "open"), ("handled", "handled"), ("AHT", "aht")):
            agents.add_column(label, key=key)
        due = self.query_one("#due", DataTable)
        for label, key in (("due", "due"), ("what", "kind"), ("case", "case"), ("agent", "agent"),
                           ("note", "note")):
            due.add_column(label, key=key)
        app = self.app
        if isinstance(app, MonitorApp) and app.snapshot is not None:
            self.show_snapshot(app.snapshot)

    # --- showing a snapshot ---------------------------------------------------------------------------------------

    def show_snapshot(self, snapshot: MonitorSnapshot) -> None:
        app: MonitorApp = self.app  # type: ignore[assignment]
        zone = app.zone
        local = snapshot.taken_at.astimezone(zone)
        status = Text()
        status.append("Live monitor", style="bold")
        status.append(f" · {one_line(app.supervisor.name)} ({app.supervisor.role})")
        status.append(f" · {local:%a %d %b %H:%M:%S} {local.tzname()}")
        status.append(f" · every {app.interval:g} s · refresh {snapshot.compute_ms:.0f} ms", style="dim")
        if app.skipped_refreshes:
            status.append(f" · {app.skipped_refreshes} skipped", style="dim")
        self.query_one("#monitor-status", Static).update(status)
        self._show_floor_figures(snapshot)
        self.query_one("#floor-line", Static).update(self._floor_text(snapshot))
        self._show_tiles(snapshot.queues)
        self._show_channels(snapshot.channels)
        self._show_agents(snapshot)
        self._show_due(snapshot)
        self.query_one("#trend-waiting", Sparkline).data = app.trend.series("waiting", snapshot.taken_at) or [0]
        self.query_one("#trend-sl", Sparkline).data = app.trend.series("service_level", snapshot.taken_at) or [0]
        waiting = app.trend.series("waiting", snapshot.taken_at)
        sl = app.trend.series("service_level", snapshot.taken_at)
        self.query_one("#trend-waiting-label", Static).update(
            f"Waiting · last 8 h · now {snapshot.floor.waiting}" + (f" · peak {max(waiting):.0f}" if waiting else ""))
        self.query_one("#trend-sl-label", Static).update(
            f"Service level % · last 8 h · now {format_percent(snapshot.floor.service_level)}"
            + (f" · low {min(sl):.0f}%" if sl else ""))

    def _show_floor_figures(self, snapshot: MonitorSnapshot) -> None:
        floor = snapshot.floor
        chips = {
            "waiting": (f"waiting {floor.waiting}", floor.levels["waiting"]),
            "longest": (f"longest {format_duration(floor.longest_wait_s)}", floor.levels["longest_wait_s"]),
            "at_risk": (f"at risk {floor.at_risk}", floor.levels["at_risk"]),
            "breached": (f"breached {floor.breached}", floor.levels["breached"]),
            "escalated": (f"escalated {floor.escalations}", Level.ok),
            "follow_ups": (f"follow-ups {snapshot.follow_ups_due}",
                           Level.critical if snapshot.follow_ups_overdue else Level.ok),
        }
        for figure, (label, level) in chips.items():
            chip = self.query_one(f"#floor-{figure.replace('_', '-')}", FigureChip)
            chip.show(_level_text(label, level), level)

    def _floor_text(self, snapshot: MonitorSnapshot) -> Text:
        floor = snapshot.floor
        text = Text("Floor  ", style="bold")
        text.append_text(_level_text(f"SL {format_percent(floor.service_level)}", floor.levels["service_level"]))
        text.append(f"  AHT {format_duration(floor.aht_s)}  FCR {format_percent(floor.fcr)}  "
                    f"CSAT {format_percent(floor.csat)}")
        states = snapshot.agent_states
        text.append(f"  ·  agents: {states.get('available', 0)} available, {states.get('handling', 0)} handling, "
                    f"{states.get('wrap_up', 0)} wrap-up, {states.get('break', 0)} break", style="dim")
        text.append(f"  ·  due {snapshot.due_total} ({snapshot.overdue_total} overdue)",
                    style="bold red" if snapshot.overdue_total else "dim")
        return text

    @property
    def compact(self) -> bool:
        return self.has_class("-narrow") or self.has_class("-short")

    def on_resize(self) -> None:
        self.call_after_refresh(self._apply_compact)

    def _apply_compact(self) -> None:
        for queue_tile in self.query(MonitorTile):
            queue_tile.compact = self.compact

    def _show_tiles(self, queues: tuple[GroupFigures, ...]) -> None:
        container = self.query_one("#queue-tiles", Vertical)
        tiles = list(container.query(MonitorTile))
        if [t.group_name for t in tiles] == [q.name for q in queues]:
            for tile, figures in zip(tiles, queues):
                tile.show(figures)
            return
        focused_name = self.focused.group_name if isinstance(self.focused, MonitorTile) else None
        with self.app.batch_update():
            container.remove_children()
            new_tiles = [MonitorTile(q, classes="tile") for q in queues]
            for new_tile in new_tiles:
                new_tile.compact = self.compact
            container.mount_all(new_tiles)
        if focused_name is not None:
            for tile in new_tiles:
                if tile.group_name == focused_name:
                    self.call_after_refresh(tile.focus)

    def _show_channels(self, channels: tuple[GroupFigures, ...]) -> None:
        table = self.query_one("#channels", DataTable)
        rows = {}
        for ch in channels:
            rows[ch.name] = (
                _level_text(ch.name, ch.level), _level_text(str(ch.waiting), ch.levels["waiting"]),
                _level_text(format_duration(ch.longest_wait_s), ch.levels["longest_wait_s"]),
                _level_text(str(ch.at_risk), ch.levels["at_risk"]),
                _level_text(str(ch.breached), ch.levels["breached"]),
                _level_text(format_percent(ch.service_level), ch.levels["service_level"]),
                Text(format_percent(ch.service_level_goal)), Text(format_duration(ch.aht_s)),
                Text(format_percent(ch.fcr)), Text(format_percent(ch.csat)), Text(str(ch.escalations)),
            )
        _sync_rows(table, rows)

    def _show_agents(self, snapshot: MonitorSnapshot) -> None:
        table = self.query_one("#agents", DataTable)
        rows = {}
        for agent in snapshot.agents:
            case = safe_text(agent.current_case_key or "—")
            if agent.current_activity == "wrap_up":
                case.append(" (wrap-up)", style="dim")
            rows[agent.login] = (
                safe_text(agent.login), safe_text(one_line(agent.name, 24)),
                Text(STATE_LABEL.get(agent.state, agent.state), style=_state_style(agent.state)),
                Text(format_duration(agent.time_in_state_s)), case, Text(str(agent.open_cases)),
                Text(str(agent.handled_today)),
                Text(format_duration(agent.aht_s)),
            )
        _sync_rows(table, rows)

    def _show_due(self, snapshot: MonitorSnapshot) -> None:
        table = self.query_one("#due", DataTable)
        rows = {}
        for item in snapshot.due:
            when = Text(("overdue " if item.overdue else "in ") + format_duration(abs(item.remaining_s)),
                        style="bold red" if item.overdue else "yellow")
            rows[f"{item.kind}:{item.case_id}:{item.due_at.isoformat()}"] = (
                when, Text(item.kind), safe_text(item.case_key), safe_text(item.agent_login or "—"),
                safe_text(one_line(item.note, 30)))
        _sync_rows(table, rows)

    # --- actions ------------------------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        app: MonitorApp = self.app  # type: ignore[assignment]
        if not app.request_refresh():
            self.notify("A refresh is still running; this one was skipped.", timeout=2)

    def action_toggle_channels(self) -> None:
        for widget_id in ("#channels", "#channels-label"):
            widget = self.query_one(widget_id)
            widget.display = not widget.display

    def action_focus_floor(self) -> None:
        self.query_one("#floor-waiting", FigureChip).focus()

    def action_focus_tiles(self) -> None:
        tiles = list(self.query(MonitorTile))
        if tiles:
            tiles[0].focus()

    def action_focus_agents(self) -> None:
        self.query_one("#agents", DataTable).focus()

    def action_focus_due(self) -> None:
        self.query_one("#due", DataTable).focus()

    def action_wallboard(self) -> None:
        self.app.push_screen(WallboardScreen(can_return=True))

    def action_quit(self) -> None:
        self.app.exit()

    @on(MonitorTile.Selected)
    def open_figure(self, event: MonitorTile.Selected) -> None:
        self.app.push_screen(MonitorCasesScreen(event.drill))

    @on(DataTable.CellSelected, "#channels")
    def open_channel(self, event: DataTable.CellSelected) -> None:
        figure = CHANNEL_COLUMN_FIGURES.get(str(event.cell_key.column_key.value), "open")
        self.app.push_screen(MonitorCasesScreen(Drill(figure, "channel", str(event.cell_key.row_key.value))))

    @on(DataTable.RowSelected, "#agents")
    def open_agent_cases(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(MonitorCasesScreen(Drill("open", "agent", str(event.row_key.value))))

    @on(DataTable.RowSelected, "#due")
    def open_due_case(self, event: DataTable.RowSelected) -> None:
        case_id = int(str(event.row_key.value).split(":")[1])
        self.app.push_screen(MonitorCaseScreen(case_id))


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


# --- the wallboard ------------------------------------------------------------------------------------------------


class WallboardScreen(Screen):
    """Large figures for a screen on the wall: no interaction needed."""

    BINDINGS = [
        Binding("w", "leave", "Monitor"),
        Binding("r", "refresh", "Refresh"),
        Binding("q", "quit", "Quit"),
    ]
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
        app = self.app
        if isinstance(app, MonitorApp) and app.snapshot is not None:
            self.show_snapshot(app.snapshot)

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

    def action_leave(self) -> None:
        if self.can_return:
            self.dismiss()
        else:
            self.app.switch_screen(MonitorScreen())

    def action_refresh(self) -> None:
        app: MonitorApp = self.app  # type: ignore[assignment]
        app.request_refresh()

    def action_quit(self) -> None:
        self.app.exit()


# --- drill down: a queue's cases, a case ---------------------------------------------------------------------------


class _CaseActions:
    """Reassign, escalate and change priority: the supervisor's actions on one case, each audited by its service."""

    def _target_case(self) -> tuple[int, str] | None:
        raise NotImplementedError

    def _after_change(self) -> None:
        raise NotImplementedError

    def _service(self):
        from agent_console.domain.cases import CaseService

        app: MonitorApp = self.app  # type: ignore[attr-defined]
        return CaseService(app.store, app.clock, app.supervisor)

    def action_reassign(self) -> None:
        target = self._target_case()
        if target is None:
            return
        case_id, key = target
        app: MonitorApp = self.app  # type: ignore[attr-defined]
        choices = live.assignable_agents(app.store)
        options = [(str(a.id), f"{a.login} — {one_line(a.name, 30)} · tier {a.tier} · "
                               f"{STATE_LABEL.get(a.state, a.state)}") for a in choices]

        def chosen(value: str | None) -> None:
            if value is None:
                return
            self._run(lambda: self._service().assign(case_id, live.agent_by_id(app.store, int(value))),
                      f"{key} assigned")

        from agent_console.screens.pick import PickModal

        self.app.push_screen(PickModal(f"Assign {key} to", options), chosen)  # type: ignore[attr-defined]

    def action_take(self) -> None:
        """The supervisor takes the case themselves (then works it in the console, where it is not read-only)."""
        target = self._target_case()
        if target is None:
            return
        case_id, key = target
        self._run(lambda: self._service().claim(case_id),
                  f"{key} is yours now: work it in the console (agent-console --agent "
                  f"{self.app.supervisor.login})")  # type: ignore[attr-defined]

    def action_priority(self) -> None:
        target = self._target_case()
        if target is None:
            return
        case_id, key = target
        from agent_console.screens.pick import PickModal
        from agent_console.store.models import Priority

        def chosen(value: str | None) -> None:
            if value is not None:
                self._run(lambda: self._service().set_priority(case_id, value), f"{key} priority {value}")

        self.app.push_screen(PickModal(f"Priority of {key}", [(str(p), str(p)) for p in Priority]),  # type: ignore
                             chosen)

    def action_move_queue(self) -> None:
        target = self._target_case()
        if target is None:
            return
        case_id, key = target
        from agent_console.screens.pick import PickModal
        from agent_console.store.models import QUEUES

        app: MonitorApp = self.app  # type: ignore[attr-defined]
        queues = sorted(set(QUEUES) | {q.name for q in (app.snapshot.queues if app.snapshot else ())})

        def chosen(value: str | None) -> None:
            if value is not None:
                self._run(lambda: self._service().set_queue(case_id, value), f"{key} moved to queue {value}")

        self.app.push_screen(PickModal(f"Move {key} to queue", [(q, q) for q in queues]),  # type: ignore
                             chosen)

    def action_escalate(self) -> None:
        target = self._target_case()
        if target is None:
            return
        case_id, key = target
        from agent_console.screens.pick import PickModal
        from agent_console.store.queries import queue_names

        app: MonitorApp = self.app  # type: ignore[attr-defined]
        with app.store.session() as session:
            queues = queue_names(session)  # the store's queues: an escalation to any other would be refused
        options = [("tier:2", "tier 2"), ("tier:3", "tier 3")] + [(f"queue:{q}", f"queue {q}") for q in queues]

        def where(value: str | None) -> None:
            if value is None:
                return
            kind, _, name = value.partition(":")

            def reason(text: str | None) -> None:
                if text is None:
                    return
                from agent_console.domain.escalation import EscalationService

                service = EscalationService(app.store, app.clock, app.supervisor,
                                            follow_up_hours=getattr(app.settings, "follow_up_hours", 24))
                if kind == "tier":
                    self._run(lambda: service.escalate(case_id, to_tier=int(name), reason=text),
                              f"{key} escalated to tier {name}")
                else:
                    self._run(lambda: service.escalate(case_id, to_queue=name, reason=text),
                              f"{key} escalated to queue {name}")

            self.app.push_screen(ReasonModal(f"Why escalate {key}?"), reason)  # type: ignore[attr-defined]

        self.app.push_screen(PickModal(f"Escalate {key} to", options), where)  # type: ignore[attr-defined]

    @work(thread=True, group="monitor-action", exit_on_error=False)
    def _run(self, change: Callable[[], object], done: str) -> None:
        """Write in a worker thread: a write may wait for another writer's lock, the screen must not."""
        from agent_console.domain.cases import CaseError
        from agent_console.domain.escalation import EscalationError
        from agent_console.store.queries import NotFound

        try:
            change()
        except (CaseError, EscalationError, NotFound, live.MonitorError) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error",  # type: ignore[attr-defined]
                                      timeout=5, markup=False)
            return
        except Exception as exc:  # e.g. the store is locked or gone: say so, the monitor keeps running
            self.app.call_from_thread(self.notify, f"not saved: {type(exc).__name__}: {exc}",  # type: ignore
                                      severity="error", timeout=8, markup=False)
            return
        self.app.call_from_thread(self._changed, done)  # type: ignore[attr-defined]

    def _changed(self, done: str) -> None:
        self.notify(done, timeout=3, markup=False)  # type: ignore[attr-defined]
        self._after_change()
        app: MonitorApp = self.app  # type: ignore[attr-defined]
        app.request_refresh()


class MonitorCasesScreen(_CaseActions, Screen):
    """The cases behind one figure (a queue's or channel's open cases, the floor's breached ones, an agent's…),
    most urgent first: exactly as many rows as the figure counts (the first 500 shown)."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter", "open_case", "Open", show=True),
        Binding("a", "reassign", "Assign"),
        Binding("e", "escalate", "Escalate"),
        Binding("p", "priority", "Priority"),
        Binding("g", "move_queue", "Queue"),
        Binding("c", "take", "Take"),
        Binding("r", "reload", "Reload"),
    ]
    PALETTE = [
        ("Open case", "Show the selected case read-only", "open_case"),
        ("Assign case", "Hand the selected case to an agent", "reassign"),
        ("Move to queue", "Move the selected case to another queue", "move_queue"),
        ("Take case", "Claim the selected case yourself", "take"),
        ("Escalate case", "Escalate the selected case to a tier or queue, with a reason", "escalate"),
        ("Change priority", "Set the selected case's priority", "priority"),
        ("Reload cases", "Read the list again", "reload"),
        ("Back to the monitor", "Close this list", "back"),
    ]

    def __init__(self, drill: Drill) -> None:
        super().__init__()
        self.drill = drill
        #: How many cases the figure counts (the list shows the first 500).
        self.total: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(one_line(self.drill.title)), id="cases-title", markup=False)
        yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#cases", DataTable)
        for label, key in (("case", "key"), ("SLA", "sla"), ("priority", "priority"), ("channel", "channel"),
                           ("queue", "queue"), ("status", "status"), ("tier", "tier"), ("assignee", "assignee"),
                           ("customer", "customer"), ("subject", "subject")):
            table.add_column(label, key=key)
        table.focus()
        self.action_reload()

    def action_reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="monitor-drill", exit_on_error=False)
    def _load(self) -> None:
        app: MonitorApp = self.app  # type: ignore[assignment]
        now = app.clock.now()
        try:
            total, rows = live.drill_down(app.store, now, self.drill)
        except Exception as exc:  # the store is locked or gone: say so, the monitor keeps running
            self.app.call_from_thread(self.notify, f"cannot read the cases: {type(exc).__name__}: {exc}",
                                      severity="error", timeout=8, markup=False)
            return
        self.app.call_from_thread(self._show, total, rows, now)

    def _show(self, total: int, rows: list[dict], now: datetime) -> None:
        from agent_console.domain.sla import format_remaining

        table = self.query_one("#cases", DataTable)
        cells = {}
        for row in rows:
            due = row["sla_due_at"]
            remaining = (due - now).total_seconds() if due else None
            sla_cell = Text(format_remaining(remaining) if due else "‖" if row["sla_paused_at"] else "—",
                            style="bold red" if remaining is not None and remaining < 0 else "")
            # One row per entry: a case with two follow-ups due is listed twice (the figure counts both).
            cells[f"{len(cells)}:{row['id']}"] = (
                safe_text(row["key"]), sla_cell, Text(row["priority"]), Text(row["channel"]), safe_text(row["queue"]),
                Text(row["status"]), Text(str(row["tier"])), safe_text(row["assignee_login"] or "—"),
                safe_text(one_line(row["customer_name"], 24)), safe_text(one_line(row["subject"], 60)),
            )
        _sync_rows(table, cells)
        self.total = total
        shown = f"{len(rows)} of {total}" if total > len(rows) else f"{total}"
        order = "by due time" if self.drill.figure == "follow_ups" else "most urgent first"
        self.query_one("#cases-title", Static).update(
            Text(f"{one_line(self.drill.title)} · {shown} {'case' if total == 1 else 'cases'}, {order}"))

    def _target_case(self) -> tuple[int, str] | None:
        table = self.query_one("#cases", DataTable)
        if not table.row_count:
            self.notify("No case selected.", timeout=2)
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        return _case_id(key.value), str(table.get_row(key)[0])

    def _after_change(self) -> None:
        self.action_reload()

    def action_open_case(self) -> None:
        target = self._target_case()
        if target is not None:
            self.app.push_screen(MonitorCaseScreen(target[0]))

    @on(DataTable.RowSelected, "#cases")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.app.push_screen(MonitorCaseScreen(_case_id(event.row_key.value)))

    def action_back(self) -> None:
        self.dismiss()


def _case_id(row_key) -> int:
    """The case of a drill-down row (keyed ``<row>:<case id>``)."""
    return int(str(row_key).rpartition(":")[2])


class MonitorCaseScreen(_CaseActions, Screen):
    """A case as the supervisor sees it: header and thread, read-only; assign, escalate and priority still work."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("a", "reassign", "Assign"),
        Binding("e", "escalate", "Escalate"),
        Binding("p", "priority", "Priority"),
        Binding("g", "move_queue", "Queue"),
        Binding("c", "take", "Take"),
        Binding("r", "reload", "Reload"),
    ]
    PALETTE = [
        ("Assign case", "Hand this case to an agent", "reassign"),
        ("Move to queue", "Move this case to another queue", "move_queue"),
        ("Take case", "Claim this case yourself", "take"),
        ("Escalate case", "Escalate this case to a tier or queue, with a reason", "escalate"),
        ("Change priority", "Set this case's priority", "priority"),
        ("Reload case", "Read the case again", "reload"),
        ("Back", "Close this case", "back"),
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        self.case_key = ""

    def compose(self) -> ComposeResult:
        from agent_console.widgets.thread_view import ThreadView

        yield Static("", id="case-head", markup=False)
        yield Static("read-only: the supervisor's view", id="case-readonly", markup=False)
        yield ThreadView(id="case-thread")
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        from agent_console.domain.sla import format_targets
        from agent_console.widgets.thread_view import ThreadView

        app: MonitorApp = self.app  # type: ignore[assignment]
        now = app.clock.now()
        try:
            view = live.case_view(app.store, self.case_id, now)
        except live.MonitorError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        case = view.case
        self.case_key = case.key
        head = Text()
        head.append(f"{case.key}  ", style="bold")
        head.append_text(safe_text(one_line(case.subject), style="bold"))
        head.append("\n")
        head.append("customer ")
        head.append_text(safe_text(one_line(view.customer_name)))
        head.append(f" · {case.channel} · queue ")
        head.append_text(safe_text(case.queue))
        head.append(f" · {case.priority} · {case.status} · tier {case.tier} · assignee ")
        head.append_text(safe_text(view.assignee_login or "—"))
        head.append(f"\nSLA: {format_targets(view.targets) or 'no target running'}", style="dim")
        self.query_one("#case-head", Static).update(head)
        self.query_one(ThreadView).show_messages(view.messages, app.zone, now)

    def _target_case(self) -> tuple[int, str] | None:
        return self.case_id, self.case_key

    def _after_change(self) -> None:
        self.action_reload()

    def action_back(self) -> None:
        self.dismiss()


def _describe(error: BaseException) -> str:
    from agent_console.store.errors import describe

    return describe(error)
