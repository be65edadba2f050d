"""The case screen's changes: claim, release, resolve (confirmed when it needs it), reopen, escalate, status,
priority, queue, and sending a reply (alone, or with resolve / pending, after a break is ended if one is running).

A mixin of ``CaseDetailScreen``: every change runs through ``CaseService`` in a worker; the screen's snapshot says
whether resolving needs the agent's confirmation (``domain.resolving``).
"""

from __future__ import annotations

from textual import work

from agent_console.domain.cases import CaseError
from agent_console.domain.collisions import reply_collision, seen_message
from agent_console.domain.outgoing import check_outgoing, not_sent
from agent_console.domain.resolving import resolve_concerns
from agent_console.i18n import N_, _
from agent_console.screens.confirm import ConfirmModal
from agent_console.screens.pick import PickModal
from agent_console.store import queries
from agent_console.store.models import AgentState, CaseStatus, Priority
from agent_console.store.queries import NotFound
from agent_console.widgets.labels import priority_label, status_label

# Every text is marked with N_ and translated where it is shown (``_(RESOLVE_QUESTION)``).
RESOLVE_QUESTION = N_("Resolve {key}?")
RESOLVE_YES = N_("resolve")
BREAK_QUESTION = N_("You are on a break. End the break and send?")
BREAK_YES = N_("end the break and send")
NOTHING_TO_SEND = N_("Nothing to send: press r to reply or i for a note.")
EMPTY = N_("The message is empty.")
ONLY_REPLIES = N_("Only a reply can be sent with resolve or pending; a note is sent with ctrl+s.")
SENT = {"note": N_("Internal note added."), "reply": N_("Reply sent.")}
NOT_SENT_YET = N_("Not sent: read what arrived, your reply is kept.")
DONT_SEND_YET = N_("Don't send yet (keep the reply)")
SEND_ANYWAY = N_("Send anyway")
SENT_AND = {CaseStatus.resolved: N_("Reply sent, {key} resolved."),
            CaseStatus.pending: N_("Reply sent, {key} set pending.")}
SENT_BUT_NOT = {CaseStatus.resolved: N_("Sent, but not resolved"), CaseStatus.pending: N_("Sent, but not pending")}
#: Each change of the case: what the agent reads when it is done ({value}: the new status, priority or queue) …
CHANGE_DONE = {"claim": N_("{key}: claim done."), "release": N_("{key}: release done."),
               "resolve": N_("{key}: resolve done."), "reopen": N_("{key}: reopen done."),
               "set_status": N_("{key}: status {value} done."), "set_priority": N_("{key}: priority {value} done."),
               "set_queue": N_("{key}: move to {value} done.")}
#: … and the title of the notification when it is refused.
CHANGE_REFUSED = {"claim": N_("Cannot claim"), "release": N_("Cannot release"), "resolve": N_("Cannot resolve"),
                  "reopen": N_("Cannot reopen"), "set_status": N_("Cannot change the status"),
                  "set_priority": N_("Cannot change the priority"), "set_queue": N_("Cannot move the case")}


class CaseActions:
    # --- sending ---------------------------------------------------------------------------------------------------

    def action_send(self) -> None:
        self._send_checked(None)

    def action_send_and(self, status: str) -> None:
        self._send_checked(CaseStatus(status))

    def _send_checked(self, then_status: CaseStatus | None) -> None:
        editor = self.editor
        if not editor.is_open:
            self.notify(_(NOTHING_TO_SEND), severity="warning")
            return
        mode, text = editor.mode, editor.text_area.text
        if not text.strip():
            self.notify(_(EMPTY), severity="warning")
            return
        if then_status is not None and mode != "reply":
            self.notify(_(ONLY_REPLIES), severity="warning")
            return
        if not self._outgoing_text_ok(text):
            return
        concerns = []
        if then_status == CaseStatus.resolved and self.snapshot is not None:
            # The reply about to go out answers the customer: only who the case belongs to is left to ask about.
            snapshot = self.snapshot
            concerns = resolve_concerns(snapshot.case, [], self.app.agent.id, snapshot.assignee_name)

        def send() -> None:
            self._supersede_drafts()
            self._send(mode, text, then_status)

        def after_break_check() -> None:
            if concerns:
                self._confirm(_(RESOLVE_QUESTION).format(key=self.snapshot.case.key), concerns, _(RESOLVE_YES), send)
            else:
                send()

        if self.app.tracker.state == AgentState.break_:
            def end_break_and_go() -> None:
                self._track(self.app.tracker.set_state, AgentState.available)
                after_break_check()

            self._confirm(_(BREAK_QUESTION), [], _(BREAK_YES), end_break_and_go)
            return
        after_break_check()

    def _outgoing_text_ok(self, text: str) -> bool:
        """Nothing broken reaches a customer: the editor names each leftover placeholder or template syntax."""
        problems = check_outgoing(text)
        if problems:
            first = problems[0]
            self.editor.show_problems([not_sent(problems)], (first.line - 1, first.column - 1))
        return not problems

    def _confirm(self, question: str, reasons: list[str], yes: str, then) -> None:
        self.app.push_screen(ConfirmModal(question, reasons, yes_label=yes),
                             lambda confirmed: then() if confirmed else None)

    @work(thread=True, group="case-action", exit_on_error=False)
    def _send(self, mode: str, text: str, then_status: CaseStatus | None, confirmed: bool = False) -> None:
        app = self.app
        if mode == "reply" and not confirmed and self._seen_uids is not None:
            with app.store.session() as session:
                now = [seen_message(m) for m in queries.thread(session, self.case_id)]
            collision = reply_collision(self._seen_uids, now, app.agent.id)
            if collision is not None:
                app.call_from_thread(self._ask_before_sending, text, then_status, collision.reason_text(),
                                     frozenset(m.uid for m in now))
                return
        try:
            if mode == "note":
                self.service.note(self.case_id, text)
            else:
                self.service.reply(self.case_id, text)
        except (CaseError, NotFound) as exc:
            app.call_from_thread(self.notify, str(exc), title=_("Not sent"), severity="error", markup=False)
            return
        app.call_from_thread(self._after_send, mode)
        if then_status is None:
            return
        resolving = then_status == CaseStatus.resolved
        if resolving:
            self._resolving = self.snapshot is not None and self.snapshot.case.status != CaseStatus.resolved
        try:
            case = self.service.set_status(self.case_id, then_status)
        except (CaseError, NotFound) as exc:
            app.call_from_thread(self.notify, str(exc), title=_(SENT_BUT_NOT[then_status]), severity="error",
                                 markup=False)
            return
        app.call_from_thread(self._after_change, _(SENT_AND[then_status]).format(key=case.key),
                             "resolve" if resolving else "set_status", case.key)

    def _ask_before_sending(self, text: str, then_status: CaseStatus | None, reason: str,
                            now_seen: frozenset[str]) -> None:
        """A newer customer message or a colleague's reply arrived since the case opened: send anyway, or not yet."""
        def answered(choice: str | None) -> None:
            if choice == "send":
                self._seen_uids = now_seen
                self._send("reply", text, then_status, True)
            else:
                self._save_draft_soon()  # the reply stays in the editor and in the draft
                self.notify(_(NOT_SENT_YET), title=_("Reply"), markup=False)

        self.app.push_screen(PickModal(reason, [("read", _(DONT_SEND_YET)), ("send", _(SEND_ANYWAY))]), answered)

    def _after_send(self, mode: str) -> None:
        editor = self.editor
        self._saved_text[mode] = ""
        editor.text_area.load_text("")
        editor.close()
        self.action_focus_thread()
        self.notify(_(SENT[mode]), markup=False)
        self.reload()

    # --- changes ---------------------------------------------------------------------------------------------------

    @work(thread=True, group="case-action", exit_on_error=False)
    def _change(self, method: str, value: str | None = None) -> None:
        """``CaseService.<method>`` in a worker (with ``value``: the new status, priority or queue)."""
        app = self.app
        try:
            case = getattr(self.service, method)(self.case_id, *(() if value is None else (value,)))
        except (CaseError, NotFound) as exc:
            app.call_from_thread(self.notify, str(exc), title=_(CHANGE_REFUSED[method]), severity="error",
                                 markup=False)
            return
        shown = {"set_status": status_label, "set_priority": priority_label}.get(method, str)(value)
        app.call_from_thread(self._after_change, _(CHANGE_DONE[method]).format(key=case.key, value=shown), method,
                             case.key)

    def set_status(self, value: str) -> None:
        self._change("set_status", value)

    def set_priority(self, value: str) -> None:
        self._change("set_priority", value)

    def _after_change(self, message: str, method: str = "", case_key: str = "") -> None:
        self.notify(message, markup=False)
        tracker = self.app.tracker
        if method in ("claim", "reopen"):
            self._track(tracker.case_opened, self.case_id)
        elif method == "resolve" and self._resolving:
            self._resolving = False
            self._track(tracker.resolved, self.case_id)
            if tracker.wrap_up_case_id == self.case_id:
                from agent_console.screens.wrap_up import ask_wrap_up

                ask_wrap_up(self.app, case_key)
        self.reload()

    def action_claim(self) -> None:
        self._change("claim")

    def action_release(self) -> None:
        self._change("release")

    def action_resolve(self) -> None:
        snapshot = self.snapshot
        concerns = []
        if snapshot is not None and snapshot.case.status != CaseStatus.resolved:
            concerns = resolve_concerns(snapshot.case, snapshot.messages, self.app.agent.id, snapshot.assignee_name)
        if concerns:
            self._confirm(_(RESOLVE_QUESTION).format(key=snapshot.case.key), concerns, _(RESOLVE_YES),
                          self._resolve_now)
        else:
            self._resolve_now()

    def _resolve_now(self) -> None:
        # Resolving an already resolved case changes nothing, so it starts no second wrap-up.
        self._resolving = self.snapshot is not None and self.snapshot.case.status != CaseStatus.resolved
        self._change("resolve")

    def action_reopen(self) -> None:
        self._change("reopen")

    def action_escalate(self) -> None:
        from agent_console.screens.escalate import escalate_from_screen

        escalate_from_screen(self, self.case_id, on_escalated=self._after_escalated)  # reads the queues off the UI

    def _after_escalated(self, _row) -> None:
        # The case has left the agent (escalate_from_screen ended its segment): back to the queue.
        self.app.sync_agent_state()
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.reload()

    def _current(self, field: str) -> str | None:
        return getattr(self.snapshot.case, field) if self.snapshot else None

    def action_change_status(self) -> None:
        options = [(s.value, status_label(s)) for s in CaseStatus]
        self.app.push_screen(PickModal(_("Set the status…"), options, self._current("status")),
                             lambda value: value and self.set_status(value))

    def action_change_priority(self) -> None:
        options = [(p.value, priority_label(p)) for p in Priority]
        self.app.push_screen(PickModal(_("Set the priority…"), options, self._current("priority")),
                             lambda value: value and self.set_priority(value))

    def action_change_queue(self) -> None:
        self._read_queue_names()

    @work(thread=True, group="queue-names", exit_on_error=False)
    def _read_queue_names(self) -> None:
        with self.app.store.session() as session:
            names = queries.queue_names(session)
        self.app.call_from_thread(self._pick_queue, names)

    def _pick_queue(self, names: list[str]) -> None:
        self.app.push_screen(PickModal(_("Move to the queue…"), [(n, n) for n in names], self._current("queue")),
                             lambda value: value and self._change("set_queue", value))
