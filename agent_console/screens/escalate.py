"""The escalate modal (key ``e`` on a case): a higher tier and/or another queue, and a required reason.

It only asks; it writes nothing. It dismisses with an :class:`EscalationRequest` (or None on escape) and the case
screen passes that to ``EscalationService.escalate``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from types import SimpleNamespace

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from agent_console.domain.escalation import MAX_TIER, EscalationRequest, status_word
from agent_console.domain.text import clean_text, one_line
from agent_console.i18n import N_, _
from agent_console.screens.bindings import TranslatedBindings, bindings_for

TIER_NAMES = {2: N_("Tier 2 — specialists"), 3: N_("Tier 3 — experts")}
MSG_NO_TARGET = N_("Choose a higher tier or another queue.")
MSG_NO_REASON = N_("A reason is required.")

#: Select values cannot be None: 0 and "" mean "keep".
KEEP_TIER = 0
KEEP_QUEUE = ""


class EscalateModal(TranslatedBindings, ModalScreen[EscalationRequest | None]):
    CSS_PATH = "escalate.tcss"
    BINDINGS = bindings_for("escalate")

    def __init__(self, case_key: str, current_tier: int, current_queue: str, queues: Sequence[str]) -> None:
        super().__init__()
        self.case_key = case_key
        self.current_tier = current_tier
        self.current_queue = current_queue
        self.queues = [q for q in dict.fromkeys(queues) if q and q != current_queue]

    def compose(self) -> ComposeResult:
        higher = [tier for tier in range(self.current_tier + 1, MAX_TIER + 1)]
        tier_options = [(_(TIER_NAMES[tier]) if tier in TIER_NAMES else _("Tier {tier}").format(tier=tier), tier)
                        for tier in higher]
        tier_options.append((_("Keep tier {tier}").format(tier=self.current_tier), KEEP_TIER))
        queue_options = [(Text(_("Keep queue {queue}").format(queue=one_line(self.current_queue))), KEEP_QUEUE)]
        queue_options += [(Text(one_line(q)), q) for q in self.queues]
        with Vertical():
            yield Static(Text(_("Escalate {case}").format(case=self.case_key)), id="escalate-title", markup=False)
            yield Static(_("To tier"), classes="field-label")
            yield Select(tier_options, value=higher[0] if higher else KEEP_TIER, allow_blank=False,
                         id="escalate-tier")
            yield Static(_("To queue"), classes="field-label")
            yield Select(queue_options, value=KEEP_QUEUE, allow_blank=False, id="escalate-queue")
            yield Static(_("Reason (required — it stays on the case)"), classes="field-label")
            yield Input(placeholder=_("e.g. needs a line measurement by the network team"), id="escalate-reason")
            yield Static("", id="escalate-error", markup=False)
            yield Static(_("enter or ctrl+s escalate · tab next field · esc cancel"), id="escalate-hint")

    def on_mount(self) -> None:
        self.query_one("#escalate-reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def request(self) -> EscalationRequest | str:
        """The request, or the message (untranslated: ``MSG_NO_TARGET``, ``MSG_NO_REASON``) saying what is
        missing."""
        reason = clean_text(self.query_one("#escalate-reason", Input).value).strip()
        tier = self.query_one("#escalate-tier", Select).value
        queue = self.query_one("#escalate-queue", Select).value
        to_tier = tier if isinstance(tier, int) and tier != KEEP_TIER else None
        to_queue = queue if isinstance(queue, str) and queue != KEEP_QUEUE else None
        if to_tier is None and to_queue is None:
            return MSG_NO_TARGET
        if not reason:
            return MSG_NO_REASON
        return EscalationRequest(reason=reason, to_tier=to_tier, to_queue=to_queue)

    def action_submit(self) -> None:
        result = self.request()
        if isinstance(result, str):
            self.query_one("#escalate-error", Static).update(Text(_(result)))
            if result == MSG_NO_REASON:
                self.query_one("#escalate-reason", Input).focus()
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)


def escalate_from_screen(screen, case_id: int, *, queues: Sequence[str] | None = None,
                         on_escalated: Callable[[object], None] | None = None) -> None:
    """Key ``e`` on a case: ask with the modal, then escalate through ``EscalationService``.

    Uses the app's ``store``, ``clock``, ``agent``, ``settings`` (``follow_up_hours``) and, when present, ``tracker``
    (the case leaves the agent, so its handling segment ends). Rule violations are shown as notifications; nothing
    is written on cancel. ``on_escalated(escalation_row)`` runs after a successful escalation (e.g. go back to the
    queue).
    """
    from agent_console.domain.escalation import EscalationError, EscalationService
    from agent_console.store.models import Case
    from agent_console.store.queries import NotFound, queue_names

    app = screen.app

    def read() -> None:
        # Off the UI thread; the modal opens from what was read.
        with app.store.session() as session:
            case = session.get(Case, case_id)
            names = list(queues) if queues is not None else queue_names(session)
            shown = None if case is None else SimpleNamespace(key=case.key, is_open=case.is_open,
                                                               status=case.status, tier=case.tier, queue=case.queue)
        app.call_from_thread(ask, shown, names)

    def ask(case, names: list[str]) -> None:
        if case is None:
            screen.notify(_("That case no longer exists."), severity="error")
            return
        if not case.is_open:
            screen.notify(_("{case} is {status}; reopen it before escalating.")
                          .format(case=case.key, status=status_word(case.status)), severity="warning",

                          markup=False)
            return
        app.push_screen(EscalateModal(case.key, case.tier, case.queue, names), partial(done, case))

    def done(case, request: EscalationRequest | None) -> None:
        if request is None:
            return
        settings = getattr(app, "settings", None)
        service = EscalationService(app.store, app.clock, app.agent,
                                    follow_up_hours=getattr(settings, "follow_up_hours", 24))
        try:
            row = service.escalate(case_id, to_tier=request.to_tier, to_queue=request.to_queue,
                                   reason=request.reason)
        except (EscalationError, NotFound) as exc:
            screen.notify(str(exc), severity="error", markup=False)
            return
        tracker = getattr(app, "tracker", None)
        if tracker is not None and tracker.case_id == case_id:
            tracker.case_left()
        if request.to_tier and request.to_queue:
            done_text = _("{case} escalated to tier {tier} and queue {queue}.")
        elif request.to_tier:
            done_text = _("{case} escalated to tier {tier}.")
        else:
            done_text = _("{case} escalated to queue {queue}.")
        screen.notify(" ".join((done_text.format(case=case.key, tier=row.to_tier, queue=row.to_queue),
                                _("A follow-up reminds you to check back with the customer."))), markup=False)

        if on_escalated is not None:
            on_escalated(row)

    screen.run_worker(read, thread=True, group="escalate-read", exit_on_error=False)

