"""The console follows the telephone: the screen pop of calls ringing for its agent, and the handling time of the
calls the agent answers.

A worker reads the store (``domain.screen_pop``) off the UI thread every ``PHONE_CHECK_S`` — events that ``cti
event`` writes into a standalone console's store — and at once when the sync engine pulled changed calls (the app's
``CallsChanged`` message). What it found comes back to the UI thread, which:

The pull's thread reads the calls itself (it is off the UI thread already) and hands the result over, so a call
from the team server pops without a further hop through a worker.

* shows the pop of the longest ringing call over whatever screen is in front (``screens/call_pop.py``), follows it
  when the calls change and closes it when no call rings for the agent any more (answered by anyone, hung up);
* starts the handling time on the call's case when this agent answered (``HandlingTracker.case_opened``, dated to
  the answer) and wrap-up when the call ended normally (``HandlingTracker.resolved``, and the wrap-up code is asked
  for, as after resolving).
"""

from __future__ import annotations

import threading

from agent_console.i18n import N_, _

#: The name the pop is installed under: composed once, pushed again for every call.
POP_SCREEN = "call-pop"
#: Seconds between two looks at the store for calls (a synced console also looks when the pull brought calls).
PHONE_CHECK_S = 0.5


class PhonePops:
    """Mixed into the app (which has ``store``, ``clock``, ``agent``, ``tracker``, ``guarded``, ``run_worker``)."""

    _phone_watch = None
    _call_pop = None
    #: Calls whose pop the agent dismissed (while they ring).
    _pops_dismissed: set[str]

    def start_phone_watch(self, interval_s: float | None = PHONE_CHECK_S) -> None:
        from agent_console.domain.screen_pop import PhoneWatch

        self._pops_dismissed = set()
        self._phone_read_lock = threading.Lock()
        self._phone_watch = PhoneWatch(self.agent.id, self.clock.now())
        if interval_s:
            self.set_interval(interval_s, self.check_calls)
        self.check_calls()

    def on_calls_changed(self, message) -> None:
        self.check_calls()

    def calls_pulled(self, call_uids) -> None:
        """The sync engine pulled changed calls (called in its thread): read them here and hand them to the UI."""
        if self._phone_watch is None:
            from agent_console.app_sync import CallsChanged

            self.post_message(CallsChanged(frozenset(call_uids)))  # before the watch started: look once it has
            return
        cards, changes = self._phone_read()
        self.call_later(self.calls_read, cards, changes)

    def check_calls(self) -> None:
        if self._phone_watch is None:
            return
        self.run_worker(self._read_calls, thread=True, group="phone", exclusive=True, exit_on_error=False)

    def _read_calls(self) -> None:
        self.call_from_thread(self.calls_read, *self._phone_read())

    def _phone_read(self):
        """(caller cards, handling changes) as the store has them now; one reader at a time (the watch remembers
        what it said)."""
        from agent_console.domain.screen_pop import pops_for

        with self._phone_read_lock, self.store.session() as session:
            cards = pops_for(session, self.clock, self.agent)
            changes = self._phone_watch.changes(session)
        return cards, changes

    def calls_read(self, cards, changes) -> None:
        """On the UI thread: apply what the agent's calls did, then show (or follow, or close) the pop."""
        from agent_console.domain.handling import HandlingError
        from agent_console.domain.screen_pop import HandlingStart

        for change in changes:
            try:
                if isinstance(change, HandlingStart):
                    self.guarded(self.tracker.case_opened, change.case_id, change.at,
                                 doing=N_("record handling time"))
                else:
                    self._call_ended(change)
            except HandlingError as exc:
                self.notify(str(exc), title=_("Handling time"), severity="error", markup=False)
        if changes:
            self.sync_agent_state()
        self._show_pops(cards)

    def _call_ended(self, change) -> None:
        self.guarded(self.tracker.resolved, change.case_id, doing=N_("record handling time"))
        if self.tracker.wrap_up_case_id == change.case_id:
            from agent_console.screens.wrap_up import ask_wrap_up

            ask_wrap_up(self, change.case_key)

    def _show_pops(self, cards) -> None:
        from agent_console.screens.call_pop import CallPopScreen

        self._pops_dismissed &= {card.call_uid for card in cards}
        shown = [card for card in cards if card.call_uid not in self._pops_dismissed]
        pop = self._call_pop
        if pop is not None and pop not in self.screen_stack:
            pop = self._call_pop = None
        if not shown:
            if pop is not None and self.screen is pop:  # under another dialog: closed at the next look
                self._call_pop = None
                pop.dismiss(None)
            return
        if pop is not None:
            if pop.card != shown[0] or pop.others != len(shown) - 1:
                pop.show(shown[0], len(shown) - 1)
            return
        if not self.is_screen_installed(POP_SCREEN):
            self.install_screen(CallPopScreen(shown[0], len(shown) - 1), POP_SCREEN)
        pop = self._call_pop = self.get_screen(POP_SCREEN)
        pop.card, pop.others = shown[0], len(shown) - 1
        self.push_screen(POP_SCREEN, lambda choice, pop=pop: self._pop_closed(pop, choice))

    def _pop_closed(self, pop, choice: str | None) -> None:
        from agent_console.screens.call_pop import DISMISSED, NEW_CASE, OPEN

        if self._call_pop is pop:
            self._call_pop = None
        card = pop.card
        if choice in (OPEN, NEW_CASE, DISMISSED):
            self._pops_dismissed.add(card.call_uid)
        if choice == OPEN and card.case_id is not None:
            from agent_console.screens.case_detail import CaseDetailScreen

            self.push_screen(CaseDetailScreen(card.case_id))
        elif choice == NEW_CASE:
            from agent_console.screens.new_case import open_new_case_form

            open_new_case_form(self.screen, search=card.number, call_id=card.call_id)
