"""A yes/no question before something the agent may not have meant (resolving a waiting case, replying on a break).

Dismisses with True (y / enter) or False (n / escape); the hint names the keys as the agent has bound them. The question and its reasons are shown literally.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from agent_console.domain.text import one_line
from agent_console.i18n import N_, _
from agent_console.screens.bindings import TranslatedBindings, bindings_for, key_entries


class ConfirmModal(TranslatedBindings, ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmModal {
        align: center middle;
    }
    ConfirmModal > Vertical {
        width: 64;
        max-width: 95%;
        height: auto;
        border: round $warning;
        background: $surface;
        padding: 0 1;
    }
    ConfirmModal #confirm-question {
        text-style: bold;
        padding: 0 0 1 0;
    }
    ConfirmModal #confirm-reasons {
        padding: 0 0 1 0;
    }
    ConfirmModal #confirm-hint {
        color: $text-muted;
    }
    """

    KEY_SCOPE = "confirm"
    BINDINGS = bindings_for("confirm")

    def __init__(self, question: str, reasons: list[str] | None = None, *, yes_label: str | None = None) -> None:
        """``question``, ``reasons`` and ``yes_label`` are shown literally: the caller passes them translated."""
        super().__init__()
        self.question = question
        self.reasons = list(reasons or [])
        self.yes_label = yes_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(one_line(self.question)), id="confirm-question", markup=False)
            if self.reasons:
                reasons = Text("\n".join(f"• {one_line(reason)}" for reason in self.reasons))
                yield Static(reasons, id="confirm-reasons", markup=False)
            keys = {action: key for key, _description, action in key_entries(self.app, "confirm")}  # as rebound
            yes = self.yes_label if self.yes_label is not None else _(DEFAULT_YES)
            hint = Text(_(CONFIRM_HINT).format(yes_keys=keys["confirm"], yes=yes, no_keys=keys["cancel"]))
            yield Static(hint, id="confirm-hint", markup=False)

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


CONFIRM_HINT = N_("{yes_keys}: {yes} · {no_keys}: cancel")
DEFAULT_YES = N_("yes")

