"""The wrap-up modal: after resolving, the agent picks a wrap-up code (``Settings.wrap_up_codes``).

Dismisses with the code, or None on escape (wrap-up time keeps running until a code is picked or it times out).
Digits 1–9 pick the first nine codes directly.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agent_console.domain.text import one_line
from agent_console.i18n import _
from agent_console.screens.bindings import TranslatedBindings, bindings_for


class WrapUpModal(TranslatedBindings, ModalScreen[str | None]):
    CSS_PATH = "wrap_up.tcss"
    BINDINGS = bindings_for("wrap_up")

    def __init__(self, codes: Sequence[str], case_key: str = "") -> None:
        super().__init__()
        self.codes = [c for c in dict.fromkeys(codes) if c.strip()]
        if not self.codes:
            raise ValueError(_("no wrap-up codes configured (setting wrap_up_codes)"))
        self.case_key = case_key

    def compose(self) -> ComposeResult:
        question = (_("Wrap-up {case}: how did it end?").format(case=self.case_key) if self.case_key
                    else _("Wrap-up: how did it end?"))
        with Vertical():
            yield Static(Text(question), id="wrap-up-title", markup=False)
            options = []
            for index, code in enumerate(self.codes):
                prompt = Text(f"{index + 1}  " if index < 9 else "   ", style="dim")
                prompt.append(one_line(code))
                options.append(Option(prompt, id=str(index)))
            yield OptionList(*options, id="wrap-up-codes")
            yield Static(_("enter pick · 1–9 pick directly · esc later (the wrap-up timer keeps running)"),
                         id="wrap-up-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit() and event.character != "0":
            index = int(event.character) - 1
            if index < len(self.codes):
                event.stop()
                self.dismiss(self.codes[index])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.codes[int(event.option.id)])

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_wrap_up(app, case_key: str = "") -> None:
    """After ``tracker.resolved(case_id)``: ask for the wrap-up code and end wrap-up with it.

    Escape leaves wrap-up running (it ends by the timeout, or call this again, e.g. from a key, to pick later).
    Uses ``app.tracker`` and ``app.settings.wrap_up_codes``.
    """
    from agent_console.domain.handling import HandlingError

    tracker = app.tracker
    if tracker.wrap_up_segment is None:
        app.notify(_("No wrap-up is running."), severity="warning")
        return

    def done(code: str | None) -> None:
        if code is None or tracker.wrap_up_segment is None:
            return
        try:
            tracker.wrap_up_done(code)
        except HandlingError as exc:
            app.notify(str(exc), severity="error", markup=False)
            return
        sync_state = getattr(app, "sync_agent_state", None)
        if sync_state is not None:  # the header shows the new state at once, not at the next tick
            sync_state()
        app.notify(_("Wrap-up: {code}. You are available.").format(code=code), markup=False)


    app.push_screen(WrapUpModal(app.settings.wrap_up_codes, case_key), done)
