"""The agent's console: a Textual app over the local store, acting as one agent.

Construct with ``AgentConsoleApp(store, agent, clock, settings)``; the queue screen opens first. Other parts may set
``app.sync_status`` (shown in every header) and read ``app.agent``, ``app.store``, ``app.clock`` and ``app.zone``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from agent_console.config import Settings
from agent_console.domain import keys
from agent_console.screens.bindings import ScreenCommands, bindings_for
from agent_console.widgets.sla_badge import local_zone

if TYPE_CHECKING:
    from agent_console.domain.clock import Clock
    from agent_console.store.db import Store
    from agent_console.store.models import Agent


class AgentConsoleApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "Agent Console"
    BINDINGS = bindings_for("app")
    COMMANDS = App.COMMANDS | {ScreenCommands}

    #: Set by the sync layer; every header shows it.
    sync_status: reactive[str] = reactive("local only")
    agent_state: reactive[str] = reactive("")
    #: Follow-ups due for this agent now (the queue screen keeps it current).
    follow_ups_due: reactive[int] = reactive(0)
    clock_text: reactive[str] = reactive("")

    def __init__(self, store: "Store", agent: "Agent", clock: "Clock", settings: Settings | None = None) -> None:
        super().__init__()
        self.store = store
        self.agent = agent
        self.clock = clock
        self.settings = settings or Settings()
        self.zone = local_zone(self.settings.timezone)
        self.agent_state = str(agent.state)
        self._keymap_error: str | None = None
        try:
            self._agent_keymap = keys.keymap(self.settings.keys)
        except keys.KeyMapError as exc:
            self._agent_keymap = {}
            self._keymap_error = str(exc)
        if self.settings.theme and self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self._update_clock()

    def on_mount(self) -> None:
        if self._agent_keymap:
            self.set_keymap(self._agent_keymap)
        from agent_console.screens.queue import QueueScreen

        self.push_screen(QueueScreen())
        if self._keymap_error:
            self.notify(f"Key settings ignored: {self._keymap_error}", severity="error", timeout=10)
        self.set_interval(1.0, self._update_clock)

    def _update_clock(self) -> None:
        self.clock_text = self.clock.now().astimezone(self.zone).strftime("%a %H:%M")

    def action_show_keys(self) -> None:
        from agent_console.screens.help import KeysScreen

        screen = self.screen
        scope = getattr(screen, "KEY_SCOPE", None)
        if scope is None:
            return
        title = "the case" if scope == "case" else "the queue"
        self.push_screen(KeysScreen(scope, title))

    def flush_drafts(self) -> None:
        for screen in self.screen_stack:
            flush = getattr(screen, "flush_draft", None)
            if flush is not None:
                flush()

    async def action_quit(self) -> None:
        self.flush_drafts()
        self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Keys of this screen", "Show every key of the current screen (?)", self.action_show_keys)
