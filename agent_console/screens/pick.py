"""A small modal that lets the agent pick one value (status, priority, queue, view, sort column) by keyboard."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agent_console.domain.text import one_line
from agent_console.i18n import _
from agent_console.screens.bindings import TranslatedBindings, bindings_for


class PickModal(TranslatedBindings, ModalScreen[str | None]):
    """Dismisses with the chosen value, or None on escape."""

    DEFAULT_CSS = """
    PickModal {
        align: center middle;
    }
    PickModal > Vertical {
        width: 48;
        max-width: 90%;
        height: auto;
        max-height: 80%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    PickModal #pick-title {
        text-style: bold;
        padding: 0 0 1 0;
    }
    PickModal OptionList {
        height: auto;
        max-height: 20;
        border: none;
    }
    """

    BINDINGS = bindings_for("pick")

    def __init__(self, title: str, options: list[tuple[str, str]], current: str | None = None) -> None:
        """``options`` are (value, label) pairs; labels are shown literally, so the caller passes the title and
        the labels in the interface language."""
        super().__init__()
        self.title_text = title
        self.options = options
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(one_line(self.title_text)), id="pick-title", markup=False)
            prompts = []
            for value, label in self.options:
                prompt = Text(one_line(label))
                if value == self.current:
                    prompt.append("  " + _("(current)"), style="dim")

                prompts.append(Option(prompt, id=value))
            yield OptionList(*prompts, id="pick-options")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.focus()
        for index, (value, _label) in enumerate(self.options):
            if value == self.current:
                option_list.highlighted = index
                break

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
