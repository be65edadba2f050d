"""The agent's console: a Textual app over the local store, acting as one agent.

Construct with ``AgentConsoleApp(store, agent, clock, settings)``; the queue screen opens first. Other parts may set
``app.sync_status`` (shown in every header; a logged-in store's sync engine keeps it current) and read ``app.agent``, ``app.store``, ``app.clock`` and ``app.zone``.

The app owns the agent's ``HandlingTracker`` (``app.tracker``): every key counts as activity, a 1 s interval drives
idle detection and the wrap-up timeout (no store write unless one of them ends a segment), a worker stamps the running
segment's heartbeat every ``heartbeat_s`` (crash protection, off the UI thread), and any way the app ends closes the
running segment. Every few
seconds the SLA sweeper records breaches and applies the automatic escalation rule in a worker; the next sweep is armed
(a one-shot timer) only when the last one has finished, so sweeps never overlap however long one takes. Screens hear
of what it found, and of cases the sync engine pulled, through messages (``screens/messages.py``).

The sync engine and the agent's presence on cases are ``TeamSync`` (``app_sync.py``), mixed in like the phone's
screen pop (``screens/phone_pop.py``).

A worker's exception is written, with its traceback, to ``agent-console.log`` in the user log directory
(``console_log.py``).

When the store fails (read-only, disk full, damaged), ``report_failure`` says so in a notification and in every
header (``store_problem``), and the console keeps running: what can still be read is still shown.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.reactive import reactive
from textual.screen import Screen

from agent_console.app_sync import (  # noqa: F401  (the app's messages, imported from here by tests)
    CallsChanged, ColleaguePresenceArrived, SyncedChanges, SyncNotice, SyncStatusChanged, TeamSync)
from agent_console.config import Settings
from agent_console import formatting, keys
from agent_console.console_log import close_console_log, log_worker_error, open_console_log
from agent_console.domain.handling import HandlingError, HandlingTracker
from agent_console.domain.presence import ColleaguePresence
from agent_console.i18n import N_, _, ngettext
from agent_console.screens.agent_screen import AgentScreen
from agent_console.screens.bindings import ScreenCommands, bindings_for
from agent_console.screens.failed_mail import FailedMailNotices
from agent_console.screens.messages import SlaChanged
from agent_console.screens.notify import SafeNotifications
from agent_console.screens.phone_pop import PHONE_CHECK_S, PhonePops
from agent_console.widgets.sla_badge import local_zone

if TYPE_CHECKING:
    from agent_console.domain.clock import Clock
    from agent_console.domain.sla_monitor import SweepResult
    from agent_console.store.db import Store
    from agent_console.store.models import Agent


#: Pause between the end of one SLA sweep and the start of the next (seconds).
SLA_SWEEP_S = 5.0


#: The palette entries Textual adds (``App.get_system_commands``) and its footer key, for the catalog: shown
#: through ``_()``.
TEXTUAL_COMMAND_TEXTS = (
    N_("Theme"), N_("Change the current theme"), N_("Quit"), N_("Quit the application as soon as possible"),
    N_("Keys"), N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"), N_("Minimize"),
    N_("Minimize the widget and restore to normal size"), N_("Maximize"), N_("Maximize the focused widget"),
    N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen"),
    N_("palette"))  # the command palette's key in the footer

#: New breached cases one sweep records at most: a backlog (a big store opened after hours) is worked off a slice
#: every few seconds without taking the process away from the agent's keystrokes.
SLA_SWEEP_BUDGET = 100


class AgentConsoleApp(TeamSync, PhonePops, FailedMailNotices, SafeNotifications, App):
    #: The screen pop's rules are loaded with the app's: the first pop does not wait for a stylesheet to be read.
    CSS_PATH = ["app.tcss", "screens/call_pop.tcss"]
    TITLE = "Agent Console"
    BINDINGS = bindings_for("app")
    COMMANDS = App.COMMANDS | {ScreenCommands}

    #: Set by the sync layer (English, as ``SyncStatus.label``); every header shows it in the interface language.
    sync_status: reactive[str] = reactive(N_("local only"))
    agent_state: reactive[str] = reactive("")
    #: Follow-ups due for this agent now (the queue screen keeps it current).
    follow_ups_due: reactive[int] = reactive(0)
    clock_text: reactive[str] = reactive("")
    #: Set when the store cannot be used as it should ("store read-only", "disk full", "store damaged"); every
    #: header shows it until the console is restarted.
    store_problem: reactive[str] = reactive("")

    def __init__(self, store: "Store", agent: "Agent", clock: "Clock", settings: Settings | None = None, *,
                 sla_sweep_s: float | None = SLA_SWEEP_S, phone_check_s: float | None = PHONE_CHECK_S) -> None:
        """``sla_sweep_s=None`` leaves SLA sweeps to explicit ``sweep_sla()`` calls (tests at a frozen clock);
        ``phone_check_s=None`` leaves the looks for ringing calls to ``check_calls()`` and ``CallsChanged``."""
        super().__init__()
        self.phone_check_s = phone_check_s
        self.sla_sweep_s = sla_sweep_s
        #: The background sync engine when this store is logged in to a team server (see ``start_sync``).
        self.sync_engine = None
        #: (state, pending ops) of the last sync status, for the header's words; None before the engine reports.
        self.sync_detail: tuple[str, int] | None = None
        self.store = store
        self.agent = agent
        self.clock = clock
        self.settings = settings or Settings()
        from agent_console.domain.phone_numbers import configure_region

        configure_region(self.settings.default_region)
        self.zone = local_zone(self.settings.timezone)
        self.agent_state = str(agent.state)
        s = self.settings
        self.tracker = HandlingTracker(store, clock, agent, idle_timeout_s=s.idle_timeout_s,
                                       heartbeat_s=min(s.heartbeat_s, 15), wrap_up_timeout_s=s.wrap_up_timeout_s,
                                       wrap_up_codes=s.wrap_up_codes)
        self._keymap_error: str | None = None
        self._sla_timer = None
        self._sla_worker = None
        self._log_handler = None
        #: Colleagues on cases (from the server's event stream; empty without a server).
        self.colleagues = ColleaguePresence()
        #: What this agent announced per case uid (viewing / replying), renewed while it lasts.
        self._my_presence: dict[str, str] = {}
        try:
            self._agent_keymap = keys.keymap(self.settings.keys)
        except keys.KeyMapError as exc:
            self._agent_keymap = {}
            self._keymap_error = str(exc)
        if self.settings.theme and self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.update_clock()

    def on_mount(self) -> None:
        self._log_handler = open_console_log()
        if self._agent_keymap:
            self.set_keymap(self._agent_keymap)
        from agent_console.screens.queue import QueueScreen

        recovered = self.guarded(self.tracker.recover, doing=N_("recover handling time")) or []
        self.guarded(self.tracker.start_shift, doing=N_("start the shift"))
        self.sync_agent_state()
        self.push_screen(QueueScreen())
        if recovered:
            self.notify(ngettext("{count} handling segment left open by the last session was closed at its last "
                                 "heartbeat.", "{count} handling segments left open by the last session were closed "
                                 "at their last heartbeat.", len(recovered)).format(count=len(recovered)),
                        title=_("Handling time"), markup=False)
        if self._keymap_error:
            self.notify(_("Key settings ignored: {error}").format(error=self._keymap_error), severity="error",
                        timeout=10, markup=False)
        self.set_interval(1.0, self.update_clock)
        self.set_interval(1.0, self.tick)
        self.set_interval(self.tracker.heartbeat_s, self._checkpoint)
        self._arm_sla_sweep()
        self.call_after_refresh(self.start_sync)  # once the queue screen is there to show what arrives
        self.start_failed_mail_watch()
        self.start_phone_watch(self.phone_check_s)

    @property
    def reply_mail_from(self) -> str:
        """The sender of this console's reply mails, or "" when its store queues none (see ``sync/mail_role.py``)."""
        if not hasattr(self, "_reply_mail_from"):
            from agent_console.sync.mail_role import reply_sender

            self._reply_mail_from = reply_sender(self.store, self.settings.mail_from)
        return self._reply_mail_from

    # --- failures of the store ------------------------------------------------------------------------------------

    def report_failure(self, error: BaseException, doing: str = "") -> bool:
        """Show an expected failure (read-only or damaged store, full disk) in a notification and the headers, and
        return True; return False for anything else (a bug, which the caller lets through)."""
        from agent_console.store.errors import explain, status_label

        message = explain(error, self.store.path)
        if message is None:
            return False
        label = status_label(error)
        if label:
            self.store_problem = label
        self.notify(message, title=_("Could not {doing}").format(doing=_(doing)) if doing else _("Store problem"),
                    severity="error", timeout=15, markup=False)
        return True

    def guarded(self, action, *args, doing: str = ""):
        """``action(*args)``; an expected failure of the store is reported (the console keeps running) and gives
        None."""
        try:
            return action(*args)
        except Exception as error:
            if not self.report_failure(error, doing):
                raise
            return None

    def on_worker_state_changed(self, event) -> None:
        """An app worker's exception goes to the log file (the screens log their own); the SLA sweep's is also
        shown, and its end arms the next sweep."""
        from textual.worker import WorkerState

        worker = event.worker
        if event.state == WorkerState.ERROR:
            error = worker.error
            log_worker_error(worker)
            if worker.group == "sla" and not self.report_failure(error, N_("check the SLAs")):
                self.notify(_("SLA check failed: {error}").format(error=type(error).__name__), severity="error",
                            markup=False)
        if worker is self._sla_worker and event.state in (WorkerState.SUCCESS, WorkerState.ERROR,
                                                           WorkerState.CANCELLED):
            self._sla_worker = None
            self._arm_sla_sweep()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and self._running_tracker():
            self.guarded(self.tracker.activity, doing=N_("record your activity"))
            self.sync_agent_state()
        await super().on_event(event)

    def _running_tracker(self) -> bool:
        # Before mount (and after the shift ended on exit) there is nothing to time.
        return self.is_running and self.tracker.state != "offline"

    def tick(self) -> None:
        """Heartbeat, idle detection and the wrap-up timeout (every second)."""
        if not self._running_tracker():
            return
        self.guarded(self.tracker.tick, doing=N_("record handling time"))
        self.sync_agent_state()

    def _checkpoint(self) -> None:
        if self._running_tracker():
            self.run_worker(self._write_checkpoint, thread=True, group="handling-checkpoint", exclusive=True,
                            exit_on_error=False)

    def _write_checkpoint(self) -> None:
        """The running segment's heartbeat, off the UI thread: a crash loses at most ``heartbeat_s``."""
        try:
            self.tracker.checkpoint()
        except Exception as error:
            if not self.call_from_thread(self.report_failure, error, N_("record handling time")):
                raise

    def sync_agent_state(self) -> None:
        """Show the tracker's state in every header (call after telling the tracker something); a case in front of
        an agent who stopped typing reads ``idle``, not ``handling``."""
        self.agent_state = "idle" if self.tracker.is_idle else str(self.tracker.state)

    def _arm_sla_sweep(self) -> None:
        """The next sweep in ``sla_sweep_s`` (one pending timer at most; none when sweeps are left to the caller)."""
        if not self.sla_sweep_s or not self.is_running:
            return
        if self._sla_timer is not None:
            self._sla_timer.stop()
        self._sla_timer = self.set_timer(self.sla_sweep_s, self.sweep_sla, name="sla-sweep")

    def sweep_sla(self) -> None:
        """Record SLA breaches and auto-escalate, off the UI thread. A thread cannot be cancelled, so while a sweep
        runs another is not started (it would run beside it): the running one arms the next when it ends."""
        if self._sla_worker is not None:
            return
        self._sla_worker = self.run_worker(self._sweep, thread=True, group="sla", exit_on_error=False,
                                           name="sla-sweep")

    def _sweep(self) -> None:
        from agent_console.domain.sla_monitor import SlaSweeper

        result = SlaSweeper(self.store, self.clock).run_once(max_cases=SLA_SWEEP_BUDGET)
        if result.breaches:
            self.call_from_thread(self._after_sweep, result)

    def _after_sweep(self, result: "SweepResult") -> None:
        escalated = sorted({b.case_key for b in result.escalated})
        if escalated:
            self.notify(_("SLA breached, priority raised: {keys}").format(keys=", ".join(escalated)), title=_("SLA"),
                        severity="warning", markup=False)
        for screen in self.screen_stack:
            if screen.is_mounted:
                screen.post_message(SlaChanged())

    def action_take_break(self) -> None:
        try:
            self.tracker.take_break()
        except Exception as error:
            if not self.report_failure(error, N_("start the break")):
                raise
            return
        finally:
            self.sync_agent_state()
        self.notify(_("You are on a break: no time is counted. Press v when you are back."), title=_("Break"))

    def action_available(self) -> None:
        try:
            self.tracker.set_state("available")
        except HandlingError as exc:
            self.notify(str(exc), severity="error", markup=False)
        except Exception as error:
            if not self.report_failure(error, N_("change your state")):
                raise
        self.sync_agent_state()

    def action_search_cases(self) -> None:
        """The case search from anywhere; on the search screen already, back to its query."""
        from agent_console.screens.case_search import CaseSearchScreen

        if isinstance(self.screen, CaseSearchScreen):
            self.screen.focus_query()
            return
        self.push_screen(CaseSearchScreen())

    def action_missed_calls(self) -> None:
        from agent_console.screens.missed_calls import MissedCallsScreen

        if not isinstance(self.screen, MissedCallsScreen):
            self.push_screen(MissedCallsScreen())

    def action_wrap_up(self) -> None:
        from agent_console.screens.wrap_up import ask_wrap_up

        case_id = self.tracker.wrap_up_case_id
        if case_id is None:
            ask_wrap_up(self, "")
            return
        self.run_worker(partial(self._ask_wrap_up_for, case_id), thread=True, group="wrap-up-key",
                        exit_on_error=False)

    def _ask_wrap_up_for(self, case_id: int) -> None:
        from agent_console.screens.wrap_up import ask_wrap_up
        from agent_console.store.models import Case

        with self.store.session() as session:
            case = session.get(Case, case_id)
            key = case.key if case is not None else ""
        self.call_from_thread(ask_wrap_up, self, key)

    def end_shift(self) -> None:
        """The console closes: the running segment ends and the agent goes offline (idempotent)."""
        if self.tracker.state == "offline" and self.tracker.running_segment is None \
                and self.tracker.wrap_up_segment is None:
            return
        self.guarded(self.tracker.quit, doing=N_("end the shift"))
        self.sync_agent_state()

    def on_unmount(self) -> None:
        # Every way out (ctrl+q, the palette's quit, an exit from code) passes here; a crash is left to the
        # heartbeat and recover() on the next start.
        self.end_shift()
        self.stop_sync()
        if self._sla_timer is not None:
            self._sla_timer.stop()
        close_console_log(self._log_handler)
        self._log_handler = None

    def update_clock(self) -> None:
        self.clock_text = formatting.date_time(self.clock.now().astimezone(self.zone), "weekday_time")

    def action_show_keys(self) -> None:
        from agent_console.screens.help import KeysScreen

        screen = self.screen
        if not isinstance(screen, AgentScreen) or not screen.KEY_SCOPE:
            return  # a modal is open: its keys are on its own face
        self.push_screen(KeysScreen(screen.KEY_SCOPE, _(screen.KEYS_TITLE)))

    def flush_drafts(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, AgentScreen):
                screen.flush_draft()

    async def action_quit(self) -> None:
        self.flush_drafts()
        self.end_shift()
        self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):  # Textual's own: in the interface language too
            yield command._replace(title=_(command.title), help=_(command.help))
        from agent_console.screens.bindings import key_entries
        from agent_console.screens.language import language_commands

        yield SystemCommand(_("Keys of this screen"), _("Show every key of the current screen (?)"),
                            self.action_show_keys)
        for key, description, action in key_entries(self, "app"):
            if action in ("quit", "show_keys"):
                continue
            yield SystemCommand(description, _("key {key}").format(key=key), partial(self.run_action, action))
        yield from language_commands(self)

