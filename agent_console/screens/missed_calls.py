"""The missed calls to call back (key ``M``, "Missed calls" in the palette): callers who gave up or were not
answered, newest first — the list ``agent-console cti missed`` prints. ``enter`` opens the customer's case, ``k``
marks the call as called back (it leaves the list; a later answered call with the same number does that too).
The list is read and changed in workers; names and numbers are shown literally."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from agent_console import formatting
from agent_console.domain.text import one_line
from agent_console.i18n import N_, _, ngettext
from agent_console.screens.agent_screen import AgentScreen
from agent_console.screens.bindings import action_entries, bindings_for
from agent_console.store.errors import describe

#: How a hangup's cause is named in the list.
CAUSE_LABELS = {"cancel": N_("caller hung up"), "noAnswer": N_("not answered"), "busy": N_("busy"),
                "congestion": N_("network busy"), "notFound": N_("not reached"),
                "normalClearing": N_("ended"), "forwarded": N_("forwarded")}


def missed_line(call, zone=None) -> Text:
    if call.withheld:
        who = Text(_("Number withheld"), style="bold")
    else:
        who = Text(one_line(call.number, 40) or "—", style="bold")
    line = who
    line.append("  ")
    line.append(one_line(call.customer_name, 50) if call.customer_name else _("unknown caller"))
    if call.case_key:
        line.append(f"  {call.case_key}", style="cyan")
    line.append("\n  ")
    details = []
    if call.ended_at is not None:
        ended = call.ended_at.astimezone(zone) if zone is not None else call.ended_at
        details.append(formatting.date_time(ended))
    if call.cause:
        label = CAUSE_LABELS.get(call.cause)
        details.append(_(label) if label else one_line(call.cause))
    if call.queue:
        details.append(_("queue {queue}").format(queue=one_line(call.queue, 30)))
    line.append(" · ".join(details), style="dim")
    return line


class MissedCallsScreen(AgentScreen):
    CSS_PATH = "missed_calls.tcss"
    BINDINGS = bindings_for("missed_calls")
    KEY_SCOPE = "missed_calls"
    KEYS_TITLE = N_("the missed calls")

    def __init__(self) -> None:
        super().__init__()
        self.calls: list = []

    def compose(self) -> ComposeResult:
        yield Static(Text(_("Missed calls to call back"), style="bold"), id="missed-title")
        yield Static(id="missed-status", markup=False)
        yield OptionList(id="missed-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#missed-list", OptionList).focus()
        self.action_reload()

    def command_entries(self):
        return action_entries(self, "missed_calls")

    @property
    def current(self):
        highlighted = self.query_one("#missed-list", OptionList).highlighted
        return self.calls[highlighted] if highlighted is not None and highlighted < len(self.calls) else None

    def action_reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="missed-calls", exit_on_error=False)
    def _load(self) -> None:
        from agent_console.domain.screen_pop import missed_to_call_back

        app = self.app
        try:
            with app.store.session() as session:
                calls = missed_to_call_back(session)
        except Exception as exc:  # noqa: BLE001 - the screen stays; the line says what went wrong
            app.call_from_thread(self._status, Text(_("Could not read the calls: {reason}").format(
                reason=describe(exc)), style="yellow"))
            return
        app.call_from_thread(self._show, calls)

    def _status(self, line: Text) -> None:
        self.query_one("#missed-status", Static).update(line)

    def _show(self, calls) -> None:
        listing = self.query_one("#missed-list", OptionList)
        previous = listing.highlighted or 0
        self.calls = calls
        zone = getattr(self.app, "zone", None)
        listing.set_options(Option(missed_line(call, zone), id=call.call_id) for call in calls)
        if calls:
            listing.highlighted = min(previous, len(calls) - 1)
            self._status(Text(ngettext("{count} missed call to call back", "{count} missed calls to call back",
                                       len(calls)).format(count=len(calls))))
        else:
            self._status(Text(_("No missed calls to call back."), style="dim"))

    @on(OptionList.OptionSelected, "#missed-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open_case()

    def action_open_case(self) -> None:
        call = self.current
        if call is None:
            return
        if call.case_id is None:
            self.notify(_("This caller has no case."), severity="warning")
            return
        from agent_console.screens.case_detail import CaseDetailScreen

        self.app.push_screen(CaseDetailScreen(call.case_id))

    def action_called_back(self) -> None:
        call = self.current
        if call is not None:
            self._mark(call.call_id)

    @work(thread=True, group="missed-call-mark", exit_on_error=False)
    def _mark(self, call_id: str) -> None:
        from agent_console.domain.calls import CallEventError, mark_called_back

        app = self.app
        try:
            with app.store.transaction() as session:
                mark_called_back(session, app.clock, call_id, app.agent)
        except CallEventError as exc:
            app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
        except Exception as exc:  # noqa: BLE001
            if not app.call_from_thread(app.report_failure, exc, N_("mark the call as called back")):
                raise
        else:
            app.call_from_thread(self.notify, _("Marked as called back."), markup=False)
        app.call_from_thread(self.action_reload)

    def action_back(self) -> None:
        self.dismiss()
