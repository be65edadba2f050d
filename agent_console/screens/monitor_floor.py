"""The monitor's main screen: the floor's figures, queue tiles, channels, agents, due items and trends."""

from __future__ import annotations


from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Sparkline, Static

from agent_console.domain.monitor import Drill, GroupFigures, Level, MonitorSnapshot
from agent_console.domain.text import one_line
from agent_console.formatting import date_time, duration, number, percent
from agent_console.i18n import NC_, N_, _
from agent_console.widgets.labels import channel_label
from agent_console.widgets.text import safe_text
from agent_console.screens.bindings import TranslatedBindings, bindings_for
from agent_console.screens.monitor_common import (
    CHANNEL_COLUMN_FIGURES,
    FLOOR_FIGURES,
    MonitorHost,
    _level_text,
    _state_style,
    _sync_rows,
    set_columns,
    state_label,
)
from agent_console.screens.monitor_drill import MonitorCaseScreen, MonitorCasesScreen
from agent_console.screens.monitor_wallboard import WallboardScreen
from agent_console.widgets.monitor_tiles import FigureChip, MonitorTile


# --- the monitor screen -------------------------------------------------------------------------------------------


#: Short labels: the eleven columns fit 80 columns (German abbreviates three of them as column headers).
CHANNEL_COLUMNS = ((N_("channel"), "name"), (NC_("column", "wait"), "waiting"), (N_("longest"), "longest"),
                   (NC_("column", "risk"), "at_risk"), (NC_("column", "breach"), "breached"), (N_("SL"), "sl"), (N_("goal"), "goal"),
                   (N_("AHT"), "aht"), (N_("FCR"), "fcr"), (N_("CSAT"), "csat"), (N_("esc"), "esc"))
AGENT_COLUMNS = ((N_("agent"), "login"), (N_("name"), "name"), (N_("state"), "state"), (N_("for"), "since"),
                 (N_("current case"), "case"), (N_("open"), "open"), (N_("handled"), "handled"), (N_("AHT"), "aht"))
DUE_COLUMNS = ((N_("due"), "due"), (N_("what"), "kind"), (N_("case"), "case"), (N_("agent"), "agent"),
               (N_("note"), "note"))
#: What is due, by kind (``DueItem.kind``).
DUE_KIND_LABEL = {"escalation": N_("escalation"), "follow-up": N_("follow-up")}
#: A role as the status line names it.
ROLE_LABEL = {"agent": N_("agent"), "supervisor": N_("supervisor"), "admin": N_("admin")}
#: Each static label of the screen: widget id -> source text.
LABELS = {"channels-label": N_("Channels"), "queues-label": N_("Queues")}


class MonitorScreen(TranslatedBindings, Screen):
    #: Below 120 columns or 36 rows the queues are compact rows and the screen scrolls.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]
    BINDINGS = bindings_for("monitor")
    PALETTE = [
        (N_("Refresh now"), N_("Recompute every figure now"), "refresh"),
        (N_("Show or hide channels"), N_("Toggle the per-channel table"), "toggle_channels"),
        (N_("Go to floor figures"), N_("Focus the floor's figures (enter lists exactly their cases)"), "focus_floor"),
        (N_("Go to queue tiles"), N_("Focus the queue tiles (up/down choose a figure, enter lists its cases)"),
         "focus_tiles"),
        (N_("Go to agents"), N_("Focus the agents table (enter lists the agent's open cases)"), "focus_agents"),
        (N_("Go to due items"), N_("Focus escalations and follow-ups due (enter opens the case)"), "focus_due"),
        (N_("Wallboard"), N_("Switch to the large wallboard view"), "wallboard"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(_("Loading the figures…"), id="monitor-status", markup=False)
        with Horizontal(id="floor-figures"):
            for figure in FLOOR_FIGURES:
                yield FigureChip(Drill(figure), id=f"floor-{figure.replace('_', '-')}", classes="chip")
        yield Static("", id="floor-line", markup=False)
        yield Static(_(LABELS["queues-label"]), classes="section", id="queues-label", markup=False)
        yield Vertical(id="queue-tiles")
        yield Static(_(LABELS["channels-label"]), classes="section", id="channels-label", markup=False)
        yield DataTable(id="channels", cursor_type="cell", zebra_stripes=True)
        with Horizontal(id="lower"):
            yield DataTable(id="agents", cursor_type="row", zebra_stripes=True)
            with Vertical(id="side"):
                yield DataTable(id="due", cursor_type="row", zebra_stripes=True)
                yield Static(_("Waiting · last 8 h"), classes="trend-label", id="trend-waiting-label", markup=False)
                yield Sparkline([], id="trend-waiting")
                yield Static(_("Service level % · last 8 h"), classes="trend-label", id="trend-sl-label",
                             markup=False)
                yield Sparkline([], id="trend-sl")
        yield Footer()

    def on_mount(self) -> None:
        self._label_columns()
        snapshot = getattr(self.app, "snapshot", None)  # MonitorApp's latest, if one came in before this screen
        if snapshot is not None:
            self.show_snapshot(snapshot)

    def _label_columns(self) -> None:
        set_columns(self.query_one("#channels", DataTable), CHANNEL_COLUMNS)
        set_columns(self.query_one("#agents", DataTable), AGENT_COLUMNS)
        set_columns(self.query_one("#due", DataTable), DUE_COLUMNS)

    def refresh_language(self) -> None:
        """Everything this screen shows, again in the interface language (after a switch from the palette)."""
        for widget_id, label in LABELS.items():
            self.query_one(f"#{widget_id}", Static).update(_(label))
        self._label_columns()
        snapshot = getattr(self.app, "snapshot", None)
        if snapshot is not None:
            self.show_snapshot(snapshot)
        else:
            self.query_one("#monitor-status", Static).update(_("Loading the figures…"))

    # --- showing a snapshot ---------------------------------------------------------------------------------------

    def _show_status(self, snapshot: MonitorSnapshot) -> None:
        app: MonitorHost = self.app  # type: ignore[assignment]
        zone = app.zone
        local = snapshot.taken_at.astimezone(zone)
        status = Text()
        status.append(_("Live monitor"), style="bold")
        role = app.supervisor.role
        role = _(ROLE_LABEL[role]) if role in ROLE_LABEL else one_line(role)
        status.append(f" · {one_line(app.supervisor.name)} ({role})")
        status.append(f" · {date_time(local, 'day_time_seconds')} {local.tzname()}")
        # The refresh figures are for the curious: on a narrow screen they give way whole rather than be cut.
        room = self.query_one("#monitor-status", Static).content_size.width or self.size.width - 2
        for part in [_("every {seconds} s · refresh {ms} ms").format(
                         seconds=number(app.interval), ms=number(round(snapshot.compute_ms)))] + (
                [_("{count} skipped").format(count=number(app.skipped_refreshes))] if app.skipped_refreshes
                else []):
            if status.cell_len + 3 + cell_len(part) <= room:
                status.append(" · " + part, style="dim")
        self.query_one("#monitor-status", Static).update(status)

    def show_snapshot(self, snapshot: MonitorSnapshot) -> None:
        app: MonitorHost = self.app  # type: ignore[assignment]
        self._show_status(snapshot)
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
        waiting_label = _("Waiting · last 8 h · now {now}").format(now=number(snapshot.floor.waiting))
        if waiting:
            waiting_label += " · " + _("peak {peak}").format(peak=number(round(max(waiting))))
        self.query_one("#trend-waiting-label", Static).update(waiting_label)
        sl_label = _("Service level % · last 8 h · now {now}").format(now=percent(snapshot.floor.service_level))
        if sl:
            sl_label += " · " + _("low {low}").format(low=percent(min(sl) / 100))
        self.query_one("#trend-sl-label", Static).update(sl_label)

    def _show_floor_figures(self, snapshot: MonitorSnapshot) -> None:
        floor = snapshot.floor
        chips = {
            "waiting": (_("waiting {count}").format(count=number(floor.waiting)), floor.levels["waiting"]),
            "longest": (_("longest {duration}").format(duration=duration(floor.longest_wait_s)),
                        floor.levels["longest_wait_s"]),
            "at_risk": (_("at risk {count}").format(count=number(floor.at_risk)), floor.levels["at_risk"]),
            "breached": (_("breached {count}").format(count=number(floor.breached)), floor.levels["breached"]),
            "escalated": (_("escalated {count}").format(count=number(floor.escalations)), Level.ok),
            "follow_ups": (_("follow-ups {count}").format(count=number(snapshot.follow_ups_due)),
                           Level.critical if snapshot.follow_ups_overdue else Level.ok),
        }
        for figure, (label, level) in chips.items():
            chip = self.query_one(f"#floor-{figure.replace('_', '-')}", FigureChip)
            chip.show(_level_text(label, level), level)

    def _floor_text(self, snapshot: MonitorSnapshot) -> Text:
        floor = snapshot.floor
        text = Text(_("Floor") + "  ", style="bold")
        text.append_text(_level_text(_("SL {percent}").format(percent=percent(floor.service_level)),
                                     floor.levels["service_level"]))
        text.append("  " + _("AHT {aht}  FCR {fcr}  CSAT {csat}").format(
            aht=duration(floor.aht_s), fcr=percent(floor.fcr), csat=percent(floor.csat)))
        states = snapshot.agent_states
        text.append("  ·  " + _("agents: {available} available, {handling} handling, {wrap_up} wrap-up, "
                                "{on_break} break").format(
            available=number(states.get("available", 0)), handling=number(states.get("handling", 0)),
            wrap_up=number(states.get("wrap_up", 0)), on_break=number(states.get("break", 0))), style="dim")
        text.append("  ·  " + _("due {due} ({overdue} overdue)").format(
            due=number(snapshot.due_total), overdue=number(snapshot.overdue_total)),
                    style="bold red" if snapshot.overdue_total else "dim")
        if snapshot.self_service_resolutions or snapshot.contact_forms:
            # Only once the help center was used today: a floor without one shows nothing about it.
            text.append("  ·  " + _("self-service {resolutions} · deflection {deflection} · contact forms {forms}").format(
                resolutions=number(snapshot.self_service_resolutions), deflection=percent(snapshot.deflection),
                forms=number(snapshot.contact_forms)))
        return text

    @property
    def compact(self) -> bool:
        return self.has_class("-narrow") or self.has_class("-short")

    def on_resize(self) -> None:
        self.call_after_refresh(self._apply_compact)

    def _apply_compact(self) -> None:
        for queue_tile in self.query(MonitorTile):
            queue_tile.compact = self.compact
        # The status line keeps or drops its refresh figures by the width it has: fit it again to the new width
        # (a snapshot that arrived before the first layout was fitted to no width at all).
        snapshot = getattr(self.app, "snapshot", None)
        if snapshot is not None:
            self._show_status(snapshot)

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
                _level_text(channel_label(ch.name), ch.level), _level_text(number(ch.waiting), ch.levels["waiting"]),
                _level_text(duration(ch.longest_wait_s), ch.levels["longest_wait_s"]),
                _level_text(number(ch.at_risk), ch.levels["at_risk"]),
                _level_text(number(ch.breached), ch.levels["breached"]),
                _level_text(percent(ch.service_level), ch.levels["service_level"]),
                Text(percent(ch.service_level_goal)), Text(duration(ch.aht_s)),
                Text(percent(ch.fcr)), Text(percent(ch.csat)), Text(number(ch.escalations)),
            )
        _sync_rows(table, rows)

    def _show_agents(self, snapshot: MonitorSnapshot) -> None:
        table = self.query_one("#agents", DataTable)
        rows = {}
        for agent in snapshot.agents:
            case = safe_text(agent.current_case_key or "—")
            if agent.current_activity == "wrap_up":
                case.append(" (" + _("wrap-up") + ")", style="dim")
            rows[agent.login] = (
                safe_text(agent.login), safe_text(one_line(agent.name, 24)),
                Text(state_label(agent.state), style=_state_style(agent.state)),
                Text(duration(agent.time_in_state_s)), case, Text(number(agent.open_cases)),
                Text(number(agent.handled_today)),
                Text(duration(agent.aht_s)),
            )
        _sync_rows(table, rows)

    def _show_due(self, snapshot: MonitorSnapshot) -> None:
        table = self.query_one("#due", DataTable)
        rows = {}
        for item in snapshot.due:
            late = duration(abs(item.remaining_s))
            when = Text(_("overdue {duration}").format(duration=late) if item.overdue
                        else _("in {duration}").format(duration=late),
                        style="bold red" if item.overdue else "yellow")
            kind = _(DUE_KIND_LABEL[item.kind]) if item.kind in DUE_KIND_LABEL else one_line(item.kind)
            rows[f"{item.kind}:{item.case_id}:{item.due_at.isoformat()}"] = (
                when, Text(kind), safe_text(item.case_key), safe_text(item.agent_login or "—"),
                safe_text(one_line(item.note, 30)))
        _sync_rows(table, rows)

    # --- actions ------------------------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        app: MonitorHost = self.app  # type: ignore[assignment]
        if not app.request_refresh():
            self.notify(_("A refresh is still running; this one was skipped."), timeout=2)

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
