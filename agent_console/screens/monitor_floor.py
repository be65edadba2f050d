"""The monitor's main screen: the floor's figures, queue tiles, channels, agents, due items and trends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Sparkline, Static

from agent_console.domain.monitor import Drill, GroupFigures, Level, MonitorSnapshot, format_duration, format_percent
from agent_console.domain.text import one_line
from agent_console.widgets.text import safe_text
from agent_console.screens.bindings import bindings_for
from agent_console.screens.monitor_common import (
    CHANNEL_COLUMN_FIGURES,
    FLOOR_FIGURES,
    STATE_LABEL,
    _level_text,
    _state_style,
    _sync_rows,
)
from agent_console.screens.monitor_drill import MonitorCaseScreen, MonitorCasesScreen
from agent_console.screens.monitor_wallboard import WallboardScreen
from agent_console.widgets.monitor_tiles import FigureChip, MonitorTile

if TYPE_CHECKING:
    from agent_console.screens.monitor import MonitorApp


# --- the monitor screen -------------------------------------------------------------------------------------------


class MonitorScreen(Screen):
    #: Below 120 columns or 36 rows the queues are compact rows and the screen scrolls.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]
    BINDINGS = bindings_for("monitor")
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
        snapshot = getattr(self.app, "snapshot", None)  # MonitorApp's latest, if one came in before this screen
        if snapshot is not None:
            self.show_snapshot(snapshot)

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

    # Focus moves at once (``set_focus``, not ``Widget.focus``, which waits for the next idle moment): the keys a
    # supervisor types right after (f → → → enter) go to the figure just focused, not to the one before.
    def action_focus_floor(self) -> None:
        self.set_focus(self.query_one("#floor-waiting", FigureChip))

    def action_focus_tiles(self) -> None:
        tiles = list(self.query(MonitorTile))
        if tiles:
            self.set_focus(tiles[0])

    def action_focus_agents(self) -> None:
        self.set_focus(self.query_one("#agents", DataTable))

    def action_focus_due(self) -> None:
        self.set_focus(self.query_one("#due", DataTable))

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
