"""Pieces of the supervisor monitor: a queue/channel tile, a wallboard panel, and the reason dialog."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Static

from agent_console.screens.bindings import TranslatedBindings, bindings_for
from agent_console.domain.monitor import LEVEL_SYMBOL, Drill, GroupFigures, Level
from agent_console.domain.text import one_line
from agent_console.formatting import duration, number, percent
from agent_console.i18n import N_, _
from agent_console.widgets.packed_text import PackedText

LEVEL_CLASSES = tuple(f"level-{level}" for level in Level)


def set_level_class(widget, level: Level) -> None:
    widget.remove_class(*LEVEL_CLASSES)
    widget.add_class(f"level-{level}")


def _mark(figures: GroupFigures, figure: str) -> str:
    level = figures.levels.get(figure, Level.ok)
    return "" if level == Level.ok else f" {LEVEL_SYMBOL[level]}"


class FittedLabel(Widget):
    """A one-line label that shows its long form where it fits whole, else its short form (``longest wait`` on a
    wide wallboard, ``longest`` at 80 columns): a label is never cut. Both are source texts (``N_``)."""

    DEFAULT_CSS = """
    FittedLabel { height: 1; }
    """

    def __init__(self, label: str, short: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.short = short or label
        #: Put in front of the label (a level's symbol), kept whichever form is shown.
        self.prefix = ""

    def render(self) -> Text:
        long_form = self.prefix + _(self.label)
        return Text(long_form if cell_len(long_form) <= self.content_size.width else self.prefix + _(self.short))

    def refresh_language(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self.refresh()


#: The tile's lines that open a drill-down, top to bottom: the title line opens all the queue's open cases.
TILE_FIGURES = ("open", "waiting", "longest", "at_risk", "breached")


def has_calls(figures: GroupFigures) -> bool:
    """Whether the group has figures from calls (a telephone system sends events); without, nothing about calls is
    shown."""
    return bool(figures.callers_waiting or figures.calls_offered)


def calls_line(figures: GroupFigures) -> str:
    """Callers in line and today's phone figures from the calls, in one line."""
    return _("callers {count} · longest call {duration} · phone SL {sl} · ASA {asa} · abandoned {abandoned}").format(
        count=number(figures.callers_waiting), duration=duration(figures.longest_call_wait_s),
        sl=percent(figures.phone_service_level), asa=duration(figures.asa_s),
        abandoned=percent(figures.abandonment_rate))


def tile_text(figures: GroupFigures, selected: str | None = None) -> Text:
    """The tile's content, one short line per figure (tiles are narrow); a symbol marks each figure past its
    threshold. ``selected``: the figure enter opens (drawn reversed while the tile has focus)."""
    lines = {
        "open": Text.assemble((f"{figures.symbol} ", "bold"), (one_line(figures.name), "bold"),
                              ("  " + _("{count} open").format(count=number(figures.open_cases)), "dim")),
        "waiting": Text(_("waiting {count}").format(count=number(figures.waiting)) + _mark(figures, "waiting")),
        "longest": Text(_("longest {duration}").format(duration=duration(figures.longest_wait_s))
                        + _mark(figures, "longest_wait_s")),
        "at_risk": Text(_("at risk {count}").format(count=number(figures.at_risk)) + _mark(figures, "at_risk")),
        "breached": Text(_("breached {count}").format(count=number(figures.breached))
                         + _mark(figures, "breached")),
    }
    if has_calls(figures):
        lines["waiting"].append("  " + _("callers {count}").format(count=number(figures.callers_waiting)),
                                style="bold")
        lines["longest"].append("  " + _("call {duration}").format(duration=duration(figures.longest_call_wait_s)))
    if selected in lines:
        lines[selected].stylize("reverse")
    text = Text("\n").join(lines[name] for name in TILE_FIGURES)
    text.append("\n")
    text.append(_("SL {percent}").format(percent=percent(figures.service_level)) + _mark(figures, "service_level"))
    text.append("  " + _("goal {percent}").format(percent=percent(figures.service_level_goal)) + "\n", style="dim")
    text.append(_("AHT {aht}  FCR {fcr}").format(aht=duration(figures.aht_s), fcr=percent(figures.fcr)) + "\n")
    text.append(_("CSAT {percent}").format(percent=percent(figures.csat)) + "  ")
    text.append(_("escalated {count}").format(count=number(figures.escalations)), style="dim")
    return text


def tile_row(figures: GroupFigures, selected: str | None = None) -> Text:
    """The tile as one compact row (a small terminal): symbol, name, then the figures that open cases (service level
    and the rest are in the channel table and on a larger terminal)."""
    cells = {
        "open": Text.assemble((f"{figures.symbol} ", "bold"), (f"{one_line(figures.name)[:12]:<12}", "bold"),
                              " " + _("{count} open").format(count=f"{number(figures.open_cases):>4}")),
        "waiting": Text(_("wait {count}").format(count=number(figures.waiting)) + _mark(figures, "waiting")),
        "longest": Text(_("longest {duration}").format(duration=duration(figures.longest_wait_s))
                        + _mark(figures, "longest_wait_s")),
        "at_risk": Text(_("risk {count}").format(count=number(figures.at_risk)) + _mark(figures, "at_risk")),
        "breached": Text(_("breached {count}").format(count=number(figures.breached))
                         + _mark(figures, "breached")),
    }
    if selected in cells:
        cells[selected].stylize("reverse")
    return Text("  ").join(cells[name] for name in TILE_FIGURES)


class MonitorTile(Static, can_focus=True):
    """One queue or channel; up/down choose a figure (the queue's open cases, waiting, longest wait, at risk,
    breached), enter opens exactly its cases. ``compact``: one row per queue, where left/right choose the figure
    and up/down move between the queues."""

    class Selected(Message):
        def __init__(self, drill: Drill) -> None:
            super().__init__()
            self.drill = drill

    BINDINGS = [
        Binding("enter", "select", N_("Open cases"), show=False),
        Binding("right", "step('right')", N_("Next"), show=False),
        Binding("left", "step('left')", N_("Previous"), show=False),
        Binding("down", "step('down')", N_("Next figure"), show=False),
        Binding("up", "step('up')", N_("Previous figure"), show=False),
    ]

    compact = reactive(False)

    def __init__(self, figures: GroupFigures, **kwargs) -> None:
        super().__init__(tile_text(figures), markup=False, **kwargs)
        self.kind = figures.kind
        self.group_name = figures.name
        self.figure = "open"
        self._figures = figures
        self.show(figures)

    def show(self, figures: GroupFigures) -> None:
        self._figures = figures
        selected = self.figure if self.has_focus else None
        self.update(tile_row(figures, selected) if self.compact else tile_text(figures, selected))
        set_level_class(self, figures.level)
        self.tooltip = None

    def watch_compact(self, compact: bool) -> None:
        self.set_class(compact, "compact")
        self.show(self._figures)

    def on_focus(self) -> None:
        self.show(self._figures)

    def on_blur(self) -> None:
        self.show(self._figures)

    def action_step(self, key: str) -> None:
        across = key in ("left", "right")
        forward = key in ("right", "down")
        if across == self.compact:  # the figures run across a compact row, down a tile
            self.move(1 if forward else -1)
        elif forward:
            self.app.action_focus_next()
        else:
            self.app.action_focus_previous()

    def move(self, step: int) -> None:
        index = TILE_FIGURES.index(self.figure)
        self.figure = TILE_FIGURES[max(0, min(len(TILE_FIGURES) - 1, index + step))]
        self.show(self._figures)

    @property
    def drill(self) -> Drill:
        return Drill(self.figure, self.kind, self.group_name)

    def action_select(self) -> None:
        self.post_message(self.Selected(self.drill))

    def on_click(self, event) -> None:
        # A click on a figure's line opens that figure (the border takes the first row).
        row = event.y - 1
        if not self.compact and 0 <= row < len(TILE_FIGURES):
            self.figure = TILE_FIGURES[row]
        self.focus()
        self.action_select()


class FigureChip(Static, can_focus=True):
    """One floor figure (waiting 62, breached 4, …): enter or a click opens exactly its cases."""

    BINDINGS = [
        Binding("enter", "select", N_("Open cases"), show=False),
        Binding("right", "app.focus_next", N_("Next"), show=False),
        Binding("left", "app.focus_previous", N_("Previous"), show=False),
    ]

    def __init__(self, drill: Drill, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.drill = drill

    def show(self, text: Text, level: Level = Level.ok) -> None:
        self.update(text)
        set_level_class(self, level)

    def action_select(self) -> None:
        self.post_message(MonitorTile.Selected(self.drill))

    def on_click(self) -> None:
        self.focus()
        self.action_select()


#: The wallboard's large characters: three rows each, every glyph of one width per character, and a blank column
#: between glyphs (so neighbours never touch). Digits and what durations and percentages need: d h m s : - %.
BIG_FONT: dict[str, tuple[str, str, str]] = {
    "0": ("╭─╮", "│ │", "╰─╯"),
    "1": ("╶┐ ", " │ ", "╶┴╴"),
    "2": ("╶─╮", "╭─╯", "╰─╴"),
    "3": ("╶─╮", " ─┤", "╶─╯"),
    "4": ("╷ ╷", "╰─┤", "  ╵"),
    "5": ("╭─╴", "╰─╮", "╶─╯"),
    "6": ("╭─╴", "├─╮", "╰─╯"),
    "7": ("╶─╮", "  │", "  ╵"),
    "8": ("╭─╮", "├─┤", "╰─╯"),
    "9": ("╭─╮", "╰─┤", "╶─╯"),
    "d": ("  ╷", "╭─┤", "╰─╯"),
    "h": ("╷  ", "├─╮", "╵ ╵"),
    "m": ("   ", "╭┬╮", "╵╵╵"),
    "s": ("   ", "╭─╴", "╶─╯"),
    ":": (" ", "•", "•"),
    "-": ("   ", "╶─╴", "   "),
    "%": ("o ╱", " ╱ ", "╱ o"),
    " ": ("  ", "  ", "  "),
}


def big_lines(value: str) -> list[str] | None:
    """``value`` in the large font (three lines), or None when it has a character the font lacks."""
    value = value.replace("—", "-")
    if not value or any(ch not in BIG_FONT for ch in value):
        return None
    return [" ".join(BIG_FONT[ch][row] for ch in value) for row in range(3)]


class BigText(Static):
    """A figure in the large font; where it does not fit (or has other characters) it is drawn as plain text, so
    large characters are never cut or overlapped."""

    DEFAULT_CSS = "BigText { height: 3; }"

    def __init__(self, value: str = "-", **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self.value = value

    def show(self, value: str) -> None:
        self.value = value
        self.refresh()

    def render(self) -> Text:
        lines = big_lines(self.value)
        if lines is None or len(lines[0]) > self.content_size.width:
            return Text(f"\n{self.value}", style="bold")
        return Text("\n".join(lines))


#: The wallboard panel's labels: CSS class -> source text.
PANEL_LABELS = {"panel-waiting-label": N_("waiting"), "panel-sl-label": N_("SL %")}


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
                yield Static(_(PANEL_LABELS["panel-waiting-label"]), classes="panel-label panel-waiting-label",
                             markup=False)
                yield BigText(classes="panel-waiting")
            with Vertical():
                yield Static(_(PANEL_LABELS["panel-sl-label"]), classes="panel-label panel-sl-label", markup=False)
                yield BigText(classes="panel-sl")
        yield PackedText(classes="panel-detail")

    def on_mount(self) -> None:
        self.show(self._figures)

    def refresh_language(self) -> None:
        for label_class, label in PANEL_LABELS.items():
            self.query_one(f".{label_class}", Static).update(_(label))
        self.show(self._figures)

    def show(self, figures: GroupFigures) -> None:
        self._figures = figures
        set_level_class(self, figures.level)
        self.query_one(".panel-title", Static).update(Text(f"{figures.symbol} {one_line(figures.name)}"))
        self.query_one(".panel-waiting", BigText).show(str(figures.waiting))
        sl = "-" if figures.service_level is None else f"{figures.service_level * 100:.0f}"
        self.query_one(".panel-sl", BigText).show(sl)
        # Whole phrases per row: a narrow panel moves "at risk 0" to the next row instead of cutting it.
        detail = [Text(_("longest {duration}").format(duration=duration(figures.longest_wait_s))),
                  Text(_("at risk {count}").format(count=number(figures.at_risk))),
                  Text(_("breached {count}").format(count=number(figures.breached)))]
        if has_calls(figures):
            detail = [Text(part) for part in calls_line(figures).split(" · ")]
        self.query_one(".panel-detail", PackedText).update([detail])


class BigFigure(Vertical):
    """A labelled floor figure in large digits."""

    def __init__(self, label: str, short: str | None = None, *, symbol: bool = False, **kwargs) -> None:
        """``label``: the source text (``N_``), ``short`` its form for a narrow tile; shown in the interface
        language. With ``symbol`` the label starts with the level's symbol (the level reads without colour)."""
        super().__init__(**kwargs)
        self.label = label
        self.short = short
        self.symbol = symbol

    def compose(self) -> ComposeResult:
        yield FittedLabel(self.label, self.short, classes="big-label")
        yield BigText("-", classes="big-value")

    def refresh_language(self) -> None:
        self.query_one(".big-label", FittedLabel).refresh_language()

    def show(self, value: str, level: Level = Level.ok) -> None:
        set_level_class(self, level)
        if self.symbol:
            label = self.query_one(".big-label", FittedLabel)
            label.prefix = f"{LEVEL_SYMBOL[level]} "
            label.refresh()
        self.query_one(BigText).show(value)


class ReasonModal(TranslatedBindings, ModalScreen[str | None]):
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
    BINDINGS = bindings_for("reason")

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), id="reason-title", markup=False)
            yield Input(placeholder=_("reason (required)"), id="reason-input")
            yield Static("", id="reason-error", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.query_one("#reason-error", Static).update(_("A reason is required."))
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
