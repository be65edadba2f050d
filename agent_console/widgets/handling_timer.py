"""The live handling timer for the case header, and the agent-state badge: both read a ``HandlingTracker``.

They only read. The app drives the tracker (``tick()`` every second, ``activity()`` on every key), so the wrap-up
timeout and heartbeats keep running on every screen, not only while a timer is visible.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from agent_console.i18n import N_, _
from agent_console.store.models import AgentState
from agent_console.widgets.labels import agent_state_label

STATE_STYLE = {
    AgentState.available: "bold green",
    AgentState.handling: "bold cyan",
    AgentState.wrap_up: "bold yellow",
    AgentState.break_: "bold magenta",
    AgentState.offline: "dim",
}


def format_elapsed(seconds: float) -> str:
    """``0:07``, ``12:45``, ``1:02:03``: handling time the way a stopwatch shows it."""
    s = max(0, int(seconds))
    if s >= 3600:
        return f"{s // 3600}:{(s % 3600) // 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


#: The timer's words, one place each (``{segment}`` and ``{total}`` are stopwatch times).
TIMER_RUNNING = N_("now {segment}")
TIMER_IDLE = N_("idle (press a key)")
TIMER_WRAP_UP = N_("wrap-up {segment}")
TIMER_PAUSED = N_("paused")
TIMER_TOTAL = N_("case {total}")


class HandlingTimer(Static):
    """``⏱ now 0:42 · case 3:25`` — the running segment and the case's total handling time, each labelled; ``idle``,
    ``wrap-up`` or ``paused`` instead of the segment when it is not counting.

    Mount it in the case header (``#case-header-slots``) with the app's tracker and the case id. The case total is
    shown once the case screen has handed the tracker the closed time it read in its worker.
    """

    DEFAULT_CSS = """
    HandlingTimer {
        width: auto;
        height: 1;
        padding: 0 1;
        color: $text;
    }
    HandlingTimer.-running {
        color: $success;
    }
    HandlingTimer.-stopped {
        color: $text-muted;
    }
    HandlingTimer.-wrap-up {
        color: $warning;
    }
    """

    # The text's width changes with them (the total appears, a label changes): the widget is sized to its text.
    segment_s: reactive[float] = reactive(0.0, layout=True)
    total_s: reactive[float | None] = reactive(None, layout=True)
    mode: reactive[str] = reactive("running", layout=True)

    def __init__(self, tracker, case_id: int, *, interval_s: float = 1.0, id: str | None = "handling-timer",
                 classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self.tracker = tracker
        self.case_id = case_id
        self.interval_s = interval_s

    def on_mount(self) -> None:
        self.refresh_time()
        self.set_interval(self.interval_s, self.refresh_time)

    def refresh_time(self) -> None:
        """Read the tracker: the clock and what it holds in memory, never the store."""
        tracker = self.tracker
        self.segment_s = tracker.segment_seconds(self.case_id)
        self.total_s = tracker.case_total(self.case_id)
        if tracker.wrap_up_case_id == self.case_id:
            self.mode = "wrap_up"
        elif tracker.running_segment is not None and tracker.running_segment.case_id == self.case_id:
            self.mode = "running"
        elif tracker.case_id == self.case_id and tracker.is_idle:
            self.mode = "idle"
        else:
            self.mode = "paused"

    def watch_mode(self, mode: str) -> None:
        self.set_class(mode == "running", "-running")
        self.set_class(mode in ("idle", "paused"), "-stopped")
        self.set_class(mode == "wrap_up", "-wrap-up")

    def render(self) -> Text:
        text = Text("⏱ ")
        segment = format_elapsed(self.segment_s)
        if self.mode == "running":
            text.append(_(TIMER_RUNNING).format(segment=segment), style="bold")
        elif self.mode == "wrap_up":
            text.append(_(TIMER_WRAP_UP).format(segment=segment), style="bold")
        elif self.mode == "idle":
            text.append(_(TIMER_IDLE))
        else:
            text.append(_(TIMER_PAUSED))
        if self.total_s is not None:
            text.append(" · ")
            text.append(_(TIMER_TOTAL).format(total=format_elapsed(self.total_s)))
        return text


class AgentStateBadge(Static):
    """``● handling 0:42`` — the agent's state and how long they have been in it (for the app header)."""

    DEFAULT_CSS = """
    AgentStateBadge {
        width: auto;
        height: 1;
        padding: 0 1;
    }
    """

    def __init__(self, tracker, *, interval_s: float = 1.0, id: str | None = "agent-state",
                 classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self.tracker = tracker
        self.interval_s = interval_s

    def on_mount(self) -> None:
        self.refresh_state()
        self.set_interval(self.interval_s, self.refresh_state)

    def refresh_state(self) -> None:
        self.update(self.badge_text())

    def badge_text(self) -> Text:
        state = AgentState(self.tracker.state)
        text = Text("● ", style=STATE_STYLE[state])
        text.append(agent_state_label("idle" if self.tracker.is_idle else state), style=STATE_STYLE[state])
        since = self.tracker.agent.state_since
        if since is not None:
            text.append(" " + format_elapsed((self.tracker.clock.now() - since).total_seconds()), style="dim")
        return text
