"""The supervisor's live monitor: queues, channels, agents, due items and trends, refreshed in a worker thread.

``MonitorApp`` owns the refresh: a timer asks for one every ``interval`` seconds; the figures are computed in a thread
worker (``domain.monitor.compute_snapshot``) so input never waits; a refresh asked for while one is still running is
skipped and counted, never queued. Screens only show snapshots; drill-down reads go through domain.monitor and
store.queries, and the supervisor's actions through CaseService and EscalationService (which audit every change).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Callable

from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from agent_console.domain import monitor as live
from agent_console.domain.monitor import MonitorSnapshot, Thresholds, TrendHistory
from agent_console.i18n import N_, _
from agent_console.screens.language import language_commands
from agent_console.screens.notify import SafeNotifications
from agent_console.screens.bindings import bindings_for
from agent_console.screens.monitor_common import _describe
from agent_console.screens.monitor_drill import MonitorCaseScreen, MonitorCasesScreen  # noqa: F401
from agent_console.screens.monitor_floor import MonitorScreen
from agent_console.screens.monitor_wallboard import WallboardScreen


def zone_from_settings(name: str) -> tzinfo:
    """The supervisor's zone: the settings' IANA name, else the system's local zone (``zones.display_zone``)."""
    from agent_console.domain.zones import UnknownTimeZone, display_zone

    try:
        return display_zone(name)
    except UnknownTimeZone as exc:
        raise live.MonitorError(_("{error} in the settings").format(error=exc)) from None


# --- the app ------------------------------------------------------------------------------------------------------


class MonitorApp(SafeNotifications, App):
    """``agent-console monitor``: the live monitor (or, with ``wallboard=True``, the wallboard) for a supervisor."""

    CSS_PATH = "monitor.tcss"
    TITLE = N_("Agent Console — live monitor")
    BINDINGS = bindings_for("monitor_app")

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

    def _apply_keymap(self) -> None:
        """The supervisor's rebindings (``[keys]`` in the settings) for the monitor's keys, as in the console."""
        from agent_console.keys import KeyMapError, keymap

        try:
            rebound = keymap(getattr(self.settings, "keys", {}) or {})
        except KeyMapError as exc:
            self.notify(_("Key settings ignored: {error}").format(error=exc), severity="error", timeout=10,
                        markup=False)
            return
        if rebound:
            self.set_keymap(rebound)

    def action_show_floor(self) -> None:
        """The monitor screen in place of the wallboard (``w`` on a wallboard opened first)."""
        self.switch_screen(MonitorScreen())

    def on_mount(self) -> None:
        self.title = _(self.TITLE)
        self.theme = getattr(self.settings, "theme", "textual-dark") or "textual-dark"
        self._apply_keymap()
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
        self.notify(_("refresh failed: {error}").format(error=message), severity="error", timeout=6, markup=False)

    # --- command palette ----------------------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen):
        yield from super().get_system_commands(screen)
        for title, help_text, action in getattr(screen, "PALETTE", ()):
            yield SystemCommand(_(title), _(help_text), getattr(screen, f"action_{action}"))
        yield from language_commands(self)
