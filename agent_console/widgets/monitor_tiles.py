"""Pieces of the supervisor monitor: a queue/channel tile, a wallboard panel, and the reason dialog."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Digits, Input, Static

from agent_console.domain.monitor import (
    LEVEL_SYMBOL,
    GroupFigures,
    Level,
    format_duration,
    format_percent,
)

from agent_console.domain.text import one_line

LEVEL_CLASSES = tuple(f"level-{level}" for level in Level)


def set_level_class(widget, level: Level) -> None:
    widget.remove_class(*LEVEL_CLASSES)
    widget.add_class(f"level-{level}")


def _mark(figures: GroupFigures, figure: str) -> str:
    level = figures.levels.get(figure, Level.ok)
    return "" if level == Level.ok else f" {LEVEL_SYMBOL[level]}"


def tile_text(figures: GroupFigures) -> Text:
    """The tile's content, one short line per figure (tiles are narrow); a symbol marks each figure past its
    threshold."""
    text = Text()
    text.append(f"{figures.symbol} ", style="bold")
    text.append(one_line(figures.name), style="bold")
    text.append(f"  {figures.level}\n", style="dim")
    text.append(f"waiting {figures.waiting}{_mark(figures, 'waiting')}\n")
    text.append(f"longest {format_duration(figures.longest_wait_s)}{_mark(figures, 'longest_wait_s')}\n")
    text.append(f"at risk {figures.at_risk}{_mark(figures, 'at_risk')}\n")
    text.append(f"breached {figures.breached}{_mark(figures, 'breached')}\n")
    text.append(f"SL {format_percent(figures.service_level)}{_mark(figures, 'service_level')}")
    text.append(f"  goal {format_percent(figures.service_level_goal)}\n", style="dim")
    text.append(f"AHT {format_duration(figures.aht_s)}  FCR {format_percent(figures.fcr)}\n")
    text.append(f"CSAT {format_percent(figures.csat)}  ")
    text.append(f"escalated {figures.escalations}", style="dim")
    return text


class MonitorTile(Static, can_focus=True):
    """One queue or channel; enter opens its cases."""

    class Selected(Message):
        def __init__(self, kind: str, name: str) -> None:
            super().__init__()
            self.kind = kind
            self.name = name

    BINDINGS = [
        Binding("enter", "select", "Open cases", show=False),
        Binding("right", "app.focus_next", "Next", show=False),
        Binding("left", "app.focus_previous", "Previous", show=False),
    ]

    def __init__(self, figures: GroupFigures, **kwargs) -> None:
        super().__init__(tile_text(figures), markup=False, **kwargs)
        self.kind = figures.kind
        self.group_name = figures.name
        self.show(figures)

    def show(self, figures: GroupFigures) -> None:
        self.update(tile_text(figures))
        set_level_class(self, figures.level)
        self.tooltip = None

    def action_select(self) -> None:
        self.post_message(self.Selected(self.kind, self.group_name))

    def on_click(self) -> None:
        self.focus()
        self.action_select()


def _digits(value: str) -> str:
    """What Digits can draw: digits and a few signs; anything else becomes a dash."""
    allowed = set(" 0123456789+-^x:ABCDEF$£€().")
    return "".join(ch if ch in allowed else "-" for ch in value)


class WallboardPanel(Vertical):
    """A queue on the wallboard: name and state, waiting in large digits, then longest wait and service level."""

    def __init__(self, figures: GroupFigures, **kwargs) -> None:
        super().__init__(**kwargs)
        self.group_name = figures.name
        self._figures = figures

    def compose(self) -> ComposeResult:
        yield Static(classes="panel-title", markup=False)
        with Horizontal(classes="panel-figures"):
            with Vertical():
                yield Static("waiting", classes="panel-label", markup=False)
                yield Digits(classes="panel-waiting")
            with Vertical():
                yield Static("SL %", classes="panel-label", markup=False)
                yield Digits(classes="panel-sl")
        yield Static(classes="panel-detail", markup=False)

    def on_mount(self) -> None:
        self.show(self._figures)

    def show(self, figures: GroupFigures) -> None:
        self._figures = figures
        set_level_class(self, figures.level)
        self.query_one(".panel-title", Static).update(Text(f"{figures.symbol} {one_line(figures.name)}"))
        self.query_one(".panel-waiting", Digits).update(_digits(str(figures.waiting)))
        sl = "-" if figures.service_level is None else f"{figures.service_level * 100:.0f}"
        self.query_one(".panel-sl", Digits).update(sl)
        detail = Text()
        detail.append(f"longest {format_duration(figures.longest_wait_s)}  ")
        detail.append(f"at risk {figures.at_risk}  breached {figures.breached}")
        self.query_one(".panel-detail", Static).update(detail)


class BigFigure(Vertical):
    """A labelled floor figure in large digits."""

    def __init__(self, label: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.label = label

    def compose(self) -> ComposeResult:
        yield Static(self.label, classes="big-label", markup=False)
        yield Digits("-", classes="big-value")

    def show(self, value: str, level: Level = Level.ok) -> None:
        set_level_class(self, level)
        self.query_one(Digits).update(_digits(value))


class ReasonModal(ModalScreen[str | None]):
    """Asks for the reason of an escalation; enter confirms, escape cancels."""

    DEFAULT_CSS = """
    ReasonModal { align: center middle; }
    ReasonModal > Vertical {
        width: 64; max-width: 90%; height: auto;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ReasonModal #reason-title { text-style: bold; padding: 0 0 1 0; }
    ReasonModal #reason-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), id="reason-title", markup=False)
            yield Input(placeholder="reason (required)", id="reason-input")
            yield Static("", id="reason-error", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.query_one("#reason-error", Static).update("A reason is required.")
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
