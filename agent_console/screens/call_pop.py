"""The screen pop: a call rings for the agent and, over whatever screen they are on, the console shows who is
calling (``domain.screen_pop.CallerCard``): the customer's name and VIP mark, their open cases with the SLA state,
the last contact; an unknown or withheld number says so. ``ctrl+o`` opens the customer's case, ``ctrl+n`` starts a
new phone case for them (the new-case form, with their number filled in), ``esc`` dismisses the pop of this call.

The pop shows the call that has rung longest; further ringing calls are counted below it. The app
(``screens/phone_pop.PhonePops``) replaces the card or closes the pop when the calls change (answered by anyone,
hung up), and pushes the same (installed) pop for the next call: it is composed once.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from agent_console import formatting, keys
from agent_console.domain.screen_pop import CallerCard
from agent_console.domain.sla import SLA_STYLE, SLA_SYMBOL
from agent_console.domain.text import one_line
from agent_console.i18n import _, ngettext
from agent_console.screens.bindings import TranslatedBindings, bindings_for, display_key
from agent_console.widgets.labels import channel_label, sla_state_label, status_label

#: The pop's outcome: what the agent chose for the call.
OPEN, NEW_CASE, DISMISSED = "open", "new_case", "dismissed"


def shown_key(app, name: str) -> str:
    rebound = keys.keymap(getattr(app.settings, "keys", {}) or {}) if hasattr(app, "settings") else {}
    return display_key(rebound.get(name, keys.action_named(name).key))


def caller_line(card: CallerCard) -> Text:
    """Who is calling: the customer's name (★ VIP), else that the number is unknown or withheld — literally."""
    if card.withheld:
        return Text(_("Number withheld"), style="bold")
    if not card.known:
        return Text(_("Unknown caller: {number}").format(number=one_line(card.number, 40) or "—"), style="bold")
    line = Text(one_line(card.customer_name, 60), style="bold")
    if card.vip:
        line.append("  " + _("★ VIP"), style="bold yellow")
    return line


def case_lines(card: CallerCard) -> Text:
    text = Text()
    if not card.known:
        return text
    if not card.open_cases:
        text.append(_("No open case."))
        if card.case_key:
            text.append("  ")
            text.append(_("Most recent: {case}").format(case=card.case_key))
        return text
    for index, case in enumerate(card.open_cases):
        if index:
            text.append("\n")
        text.append(f"{case.key}  ", style="bold")
        text.append(one_line(case.subject, 44))
        text.append("  ")
        state = SLA_SYMBOL[case.sla_state] + " " + sla_state_label(case.sla_state)
        if case.remaining_s is not None:
            state += " " + formatting.duration(case.remaining_s, signed=True)
        text.append(state, style=SLA_STYLE[case.sla_state])
        text.append(f"  · {status_label(case.status)}")
    if card.more_open:
        text.append("\n")
        text.append(ngettext("and {count} more open case", "and {count} more open cases",
                             card.more_open).format(count=card.more_open))
    return text


def last_contact_line(card: CallerCard, zone=None) -> str:
    if not card.known:
        return ""
    if card.last_contact_at is None:
        return _("No earlier contact.")
    when = card.last_contact_at.astimezone(zone) if zone is not None else card.last_contact_at
    return _("Last contact: {when} ({channel})").format(when=formatting.date_time(when),
                                                         channel=channel_label(card.last_contact_channel))


class CallPopScreen(TranslatedBindings, ModalScreen[str]):
    """Dismisses with OPEN, NEW_CASE or DISMISSED, or is closed by the app with None when the call stopped ringing."""

    # Its rules (call_pop.tcss) are in the app's CSS_PATH.
    BINDINGS = bindings_for("call_pop")

    def __init__(self, card: CallerCard, others: int = 0) -> None:
        super().__init__()
        self.card = card
        self.others = others

    def compose(self) -> ComposeResult:
        with Vertical(id="call-pop"):
            yield Static(id="call-pop-title", markup=False)
            yield Static(id="call-pop-caller", markup=False)
            yield Static(id="call-pop-cases", markup=False)
            yield Static(id="call-pop-last", markup=False)
            yield Static(id="call-pop-others", markup=False)
            yield Static(id="call-pop-hint", markup=False)

    def on_mount(self) -> None:
        self.show(self.card, self.others)

    def on_screen_resume(self) -> None:
        self.show(self.card, self.others)  # the app pushes the same pop again for the next call

    def show(self, card: CallerCard, others: int = 0) -> None:
        """Show ``card`` (the same pop follows the calls: another call's card when the first stopped ringing)."""
        self.card, self.others = card, others
        if not self.query("#call-pop-title"):
            return  # not composed yet: on_mount shows it
        zone = getattr(self.app, "zone", None)
        title = (_("Incoming call · queue {queue}").format(queue=one_line(card.queue, 30)) if card.queue
                 else _("Incoming call"))
        self.query_one("#call-pop-title", Static).update(Text(title))
        caller = caller_line(card)
        if card.known and card.number:
            caller.append("  ")
            caller.append(one_line(card.number, 40), style="dim")
        self.query_one("#call-pop-caller", Static).update(caller)
        cases = self.query_one("#call-pop-cases", Static)
        cases.update(case_lines(card))
        cases.display = card.known
        last = self.query_one("#call-pop-last", Static)
        last.update(Text(last_contact_line(card, zone)))
        last.display = card.known
        others_line = self.query_one("#call-pop-others", Static)
        others_line.update(Text(ngettext("{count} more call is ringing", "{count} more calls are ringing",
                                         others).format(count=others)))
        others_line.display = others > 0
        app = self.app
        hint = (_("{open} open case · {new} new phone case · {dismiss} dismiss") if card.case_id is not None
                else _("{new} new phone case · {dismiss} dismiss"))
        self.query_one("#call-pop-hint", Static).update(Text(hint.format(
            open=shown_key(app, "call_pop_open"), new=shown_key(app, "call_pop_new_case"),
            dismiss=shown_key(app, "call_pop_dismiss"))))

    def action_open_case(self) -> None:
        if self.card.case_id is None:
            self.notify(_("This caller has no case yet."), severity="warning")
            return
        self.dismiss(OPEN)

    def action_new_case(self) -> None:
        self.dismiss(NEW_CASE)

    def action_dismiss_pop(self) -> None:
        self.dismiss(DISMISSED)
