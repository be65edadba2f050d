"""``?``: every key of the screen the agent is on (after their rebinding), plus the keys that work everywhere."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from agent_console.i18n import N_, _
from agent_console.screens.bindings import TranslatedBindings, bindings_for, key_entries

NAVIGATION = {
    "queue": [("↑ ↓ j k", N_("Move")), ("PgUp PgDn", N_("Page")), ("Home End", N_("First / last case")),
              ("ctrl+p", N_("Command palette"))],
    "case": [("tab", N_("Next area (thread, customer's cases, editor)")),
             ("↑ ↓", N_("Scroll the thread / pick a case")),
             ("enter", N_("Open the highlighted case of this customer")), ("ctrl+p", N_("Command palette"))],
}


class KeysScreen(TranslatedBindings, ModalScreen[None]):
    DEFAULT_CSS = """
    KeysScreen {
        align: center middle;
    }
    KeysScreen > VerticalScroll {
        width: 72;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS = bindings_for("help")

    def __init__(self, scope: str, title: str) -> None:
        """``title``: the screen's name, as its caller gives it (translated by the caller)."""
        super().__init__()
        self.scope = scope
        self.title_text = title

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._table(), id="keys-table", markup=False)

    def _table(self) -> Table:
        table = Table(title=Text(_("Keys — {screen}").format(screen=self.title_text), style="bold"), expand=True,
                      box=None, show_header=True, header_style="bold")
        table.add_column(_("Key"), no_wrap=True, style="bold")
        table.add_column(_("Action"))
        for key, description, _action in key_entries(self.app, self.scope):
            table.add_row(Text(key), Text(description))
        for key, description in NAVIGATION.get(self.scope, []):
            table.add_row(Text(key), Text(_(description)))
        table.add_section()
        for key, description, _action in key_entries(self.app, "app"):
            table.add_row(Text(key), Text(description))
        return table

    def refresh_language(self) -> None:
        self.query_one("#keys-table", Static).update(self._table())

    def action_close(self) -> None:
        self.dismiss(None)
