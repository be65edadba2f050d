"""The new-case form (key ``N`` on the queue, "New case" in the palette): a call or a walk-in starts here.

The agent finds the customer as they type (phone number, e-mail address or name; the lookup runs debounced in a
worker, the results are a list the arrow keys move through) or creates a new one from what was typed, then picks the
channel (phone), the queue (the agent's first) and the priority (normal) and writes the subject. ``ctrl+s`` (or
enter in the subject) creates the case through ``domain.new_case`` and the form dismisses with the new case's id;
``esc`` dismisses with None and nothing was written.

``open_new_case_form(screen)`` opens the form and, once a case was created, starts its handling time at the moment
the form opened and shows the case.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from agent_console.console_log import log_worker_error
from agent_console.domain.cases import CaseError, CaseService
from agent_console.domain.new_case import (
    DEFAULT_CHANNEL,
    DEFAULT_PRIORITY,
    MSG_NO_CUSTOMER,
    MSG_NO_QUEUE,
    MSG_SUBJECT_MISSING,
    CustomerProblem,
    NewCaseRequest,
    check_new_customer,
    check_subject,
    create_claimed_case,
    customer_from_typed,
    queues_to_work,
)
from agent_console.domain.text import one_line
from agent_console.i18n import N_, _
from agent_console.screens.bindings import TranslatedBindings, bindings_for
from agent_console.store.customer_search import CustomerMatch, search_customers
from agent_console.store.models import Channel, Priority
from agent_console.store.queries import NotFound

#: Pause after a keystroke before the lookup runs (typing on does not start a search per letter).
SEARCH_DELAY_S = 0.2
NEW_CUSTOMER_OPTION = "new-customer"
#: A VIP customer's mark in the lookup: the same in every language.
VIP_MARK = "  ★ VIP"

#: The form's words, translated where they are shown.
TITLE = N_("New case")
SEARCH_LABEL = N_("Customer: phone number, e-mail or name")
SEARCH_PLACEHOLDER = N_("e.g. +49 30 1234567, karl@example.de or Karl")
NEW_CUSTOMER_PROMPT = N_("+ New customer")
NEW_CUSTOMER_FROM_TYPED = N_("+ New customer: {typed}")
NO_MATCH = N_("No customer matches {typed}.")
CHOSEN_CUSTOMER = N_("Customer: {customer}")
NEW_CUSTOMER_TITLE = N_("New customer")
HINT = N_("↑↓ customers · enter pick · tab next field · ctrl+s create · esc cancel")
CREATE_FAILED = N_("The case was not created: {reason}")
SOMETHING_FAILED = N_("Something went wrong ({error}); nothing was created. The log file has the details.")
#: A priority as the form names it (the value stays the store's); channel names are values and stay as stored.
PRIORITY_LABEL = {"low": N_("low"), "normal": N_("normal"), "high": N_("high"), "urgent": N_("urgent")}
#: The new customer's fields: (field, border title, placeholder).
NEW_CUSTOMER_FIELDS = (("name", N_("Name"), N_("Name (required)")),
                       ("email", N_("E-mail"), N_("E-mail address")),
                       ("phone", N_("Phone"), N_("Phone number")))


def customer_label(match: CustomerMatch) -> Text:
    """One result line: name, e-mail, phone — shown literally."""
    text = Text(one_line(match.name, 40), style="bold")
    for contact in (match.email, match.phone):
        if contact:
            text.append("  ·  ")
            text.append(one_line(contact, 40))
    if match.vip:
        text.append(VIP_MARK, style="bold")

    return text


class NewCaseModal(TranslatedBindings, ModalScreen[int | None]):
    CSS_PATH = "new_case.tcss"
    BINDINGS = bindings_for("new_case")
    AUTO_FOCUS = "#new-case-search"

    def __init__(self, queues: list[str], search: str = "", call_id: str | None = None) -> None:
        """``search`` is looked up at once (the caller's number, when the form opens from a screen pop); the call
        ``call_id`` (the pop's) is attached to the case created."""
        super().__init__()
        self.initial_search = search
        self.call_id = call_id
        self.queues = [q for q in dict.fromkeys(queues) if q]
        #: The customer picked from the lookup (None: none yet, or a new one is being created).
        self.chosen: CustomerMatch | None = None
        self.creating_customer = False
        self.matches: list[CustomerMatch] = []
        #: The text the list shows results for (None until the first lookup finished).
        self.results_for: str | None = None
        self._search_timer: Timer | None = None
        #: Enter was pressed before the results of the text were in: pick the first when they arrive.
        self._pick_when_ready = False
        self._saving = False

    def compose(self) -> ComposeResult:
        # Scrolls when the terminal is too low for the whole form (80×24 with a new customer's fields open).
        with VerticalScroll(id="new-case-form"):
            yield Static(_(TITLE), id="new-case-title")
            yield Static(_(SEARCH_LABEL), classes="field-label")
            yield Input(self.initial_search, placeholder=_(SEARCH_PLACEHOLDER), id="new-case-search")
            yield OptionList(Option(_(NEW_CUSTOMER_PROMPT), id=NEW_CUSTOMER_OPTION), id="new-case-results")
            yield Static("", id="new-case-customer", markup=False)
            with Vertical(id="new-customer"):
                yield Static(_(NEW_CUSTOMER_TITLE), classes="field-label")
                for field, _title, placeholder in NEW_CUSTOMER_FIELDS:
                    yield Input(placeholder=_(placeholder), id=f"new-customer-{field}")
            with Horizontal(id="new-case-choices"):
                with Vertical():
                    yield Static(_("Channel"), classes="field-label")
                    yield Select([(c.value, c.value) for c in Channel], value=DEFAULT_CHANNEL, allow_blank=False,
                                 id="new-case-channel")
                with Vertical():
                    yield Static(_("Queue"), classes="field-label")
                    queue_options = [(Text(one_line(q)), q) for q in self.queues]
                    if queue_options:
                        yield Select(queue_options, value=self.queues[0], allow_blank=False, id="new-case-queue")
                    else:
                        yield Select([], id="new-case-queue")
                with Vertical():
                    yield Static(_("Priority"), classes="field-label")
                    yield Select([(_(PRIORITY_LABEL.get(p.value, p.value)), p.value) for p in Priority],
                                 value=DEFAULT_PRIORITY, allow_blank=False, id="new-case-priority")

            yield Static(_("Subject (required)"), classes="field-label")
            yield Input(placeholder=_("What the customer needs, in one line"), id="new-case-subject")
            yield Static("", id="new-case-error", markup=False)
            yield Static(_(HINT), id="new-case-hint")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The workers run with exit_on_error=False: a failed lookup or write is logged and said, the form stays.
        if event.state == WorkerState.ERROR:
            event.stop()
            log_worker_error(event.worker)
            self._saving = False
            doing = _("look up the customer") if event.worker.group == "customer-search" else _("create the case")
            self.app.report_failure(event.worker.error, doing)  # a store problem: also said in the header
            self._say(_(SOMETHING_FAILED).format(error=type(event.worker.error).__name__))

    def on_mount(self) -> None:
        self.query_one("#new-customer").display = False
        for field, title, _placeholder in NEW_CUSTOMER_FIELDS:
            self.query_one(f"#new-customer-{field}", Input).border_title = _(title)  # stays when it is filled
        if self.initial_search:
            self._start_search()

    # --- the customer lookup ---------------------------------------------------------------------------------------

    @property
    def search_text(self) -> str:
        return self.query_one("#new-case-search", Input).value

    @on(Input.Changed, "#new-case-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.chosen is not None or self.creating_customer:
            self._choose_none()  # typing again: the agent is looking for someone else
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY_S, self._start_search)

    def _start_search(self) -> None:
        self._search(self.search_text)

    @work(thread=True, exclusive=True, group="customer-search", exit_on_error=False)
    def _search(self, text: str) -> None:
        with self.app.store.session() as session:
            matches = search_customers(session, text)
        self.app.call_from_thread(self._show_matches, text, matches)

    def _show_matches(self, text: str, matches: list[CustomerMatch]) -> None:
        if text != self.search_text:
            return  # typed on meanwhile: the next lookup is on its way
        self.matches = matches
        results = self.query_one("#new-case-results", OptionList)
        results.clear_options()
        options = [Option(customer_label(m), id=f"customer-{m.id}") for m in matches]
        typed = one_line(text, 40)
        if typed and not matches:
            options.append(Option(Text(_(NO_MATCH).format(typed=repr(typed)), style="dim"), disabled=True))
        options.append(Option(Text(_(NEW_CUSTOMER_FROM_TYPED).format(typed=typed) if typed
                                   else _(NEW_CUSTOMER_PROMPT)), id=NEW_CUSTOMER_OPTION))
        results.add_options(options)
        results.highlighted = 0 if matches else len(options) - 1
        self.results_for = text
        if self._pick_when_ready:
            self._pick_when_ready = False
            self._pick_highlighted()

    def action_move(self, delta: int) -> None:
        results = self.query_one("#new-case-results", OptionList)
        if results.option_count:
            current = results.highlighted if results.highlighted is not None else -delta
            results.highlighted = max(0, min(results.option_count - 1, current + delta))

    @on(Input.Submitted, "#new-case-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.results_for != self.search_text:
            self._pick_when_ready = True
            return
        self._pick_highlighted()

    def _pick_highlighted(self) -> None:
        results = self.query_one("#new-case-results", OptionList)
        if results.highlighted is not None:
            self._pick(results.get_option_at_index(results.highlighted).id)

    @on(OptionList.OptionSelected, "#new-case-results")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option.id)

    def _pick(self, option_id: str | None) -> None:
        if option_id == NEW_CUSTOMER_OPTION:
            self._create_customer()
            return
        match = next((m for m in self.matches if f"customer-{m.id}" == option_id), None)
        if match is None:
            return
        self.chosen, self.creating_customer = match, False
        self.query_one("#new-customer").display = False
        before, _field, after = _(CHOSEN_CUSTOMER).partition("{customer}")
        self.query_one("#new-case-customer", Static).update(
            Text(before).append_text(customer_label(match)).append(after))
        self._say("")
        self.query_one("#new-case-subject", Input).focus()

    def _create_customer(self) -> None:
        self.chosen, self.creating_customer = None, True
        prefill = customer_from_typed(self.search_text)
        fields = {"name": prefill.name, "email": prefill.email or "", "phone": prefill.phone or ""}
        for field, value in fields.items():
            field_input = self.query_one(f"#new-customer-{field}", Input)
            field_input.value = value
            field_input.cursor_position = len(value)
        self.query_one("#new-case-customer", Static).update("")
        self.query_one("#new-customer").display = True
        self._say("")
        empty = next((field for field, value in fields.items() if not value), "name")
        self.query_one(f"#new-customer-{empty}", Input).focus()

    def _choose_none(self) -> None:
        self.chosen, self.creating_customer = None, False
        self.query_one("#new-customer").display = False
        self.query_one("#new-case-customer", Static).update("")

    # --- creating --------------------------------------------------------------------------------------------------

    @on(Input.Submitted, "#new-customer-name, #new-customer-email, #new-customer-phone")
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(Input.Submitted, "#new-case-subject")
    def _subject_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def _say(self, message: str) -> None:
        self.query_one("#new-case-error", Static).update(Text(message))

    def request(self) -> NewCaseRequest | tuple[str, str]:
        """What to create, or (the message saying what is wrong, the id of the field to fix)."""
        new_customer = None
        if self.creating_customer:
            name, email, phone = (self.query_one(f"#new-customer-{field}", Input).value
                                  for field in ("name", "email", "phone"))
            new_customer = check_new_customer(name, email, phone)
            if isinstance(new_customer, CustomerProblem):
                return new_customer.message, f"new-customer-{new_customer.field}"
        elif self.chosen is None:
            return _(MSG_NO_CUSTOMER), "new-case-search"
        queue = self.query_one("#new-case-queue", Select).value
        if not isinstance(queue, str):
            return _(MSG_NO_QUEUE), "new-case-queue"
        subject = check_subject(self.query_one("#new-case-subject", Input).value)
        if not subject:
            return _(MSG_SUBJECT_MISSING), "new-case-subject"
        return NewCaseRequest(subject=subject, channel=str(self.query_one("#new-case-channel", Select).value),
                              queue=queue, priority=str(self.query_one("#new-case-priority", Select).value),
                              customer_id=self.chosen.id if self.chosen else None, new_customer=new_customer,
                              call_id=self.call_id)

    def action_submit(self) -> None:
        if self._saving:
            return
        result = self.request()
        if isinstance(result, tuple):
            message, field = result
            self._say(message)
            self.query_one(f"#{field}").focus()
            return
        self._saving = True
        self._create(result)

    @work(thread=True, group="new-case-create", exit_on_error=False)
    def _create(self, request: NewCaseRequest) -> None:
        app = self.app
        try:
            case = create_claimed_case(CaseService(app.store, app.clock, app.agent), request)
        except (CaseError, NotFound) as exc:
            app.call_from_thread(self._refused, _(CREATE_FAILED).format(reason=exc))
            return
        app.call_from_thread(self.dismiss, case.id)

    def _refused(self, message: str) -> None:
        self._saving = False
        self._say(message)

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_new_case_form(screen, search: str = "", call_id: str | None = None) -> None:
    """Open the form over ``screen`` (``search`` filled in and looked up; the case created is the call
    ``call_id``'s when given); a created case gets its handling time
    from the moment the form opened and opens (claimed) in the case screen, through ``screen.open_case(case_id)``
    where the screen has one, else over it."""
    from agent_console.domain.handling import HandlingError
    from agent_console.store import queries

    app = screen.app
    opened_at: datetime = app.clock.now()
    with app.store.session() as session:
        queues = queues_to_work(app.agent, queries.queue_names(session))

    def created(case_id: int | None) -> None:
        if case_id is None:
            return
        try:
            app.guarded(app.tracker.case_opened, case_id, opened_at, doing=_("record handling time"))
        except HandlingError as exc:
            screen.notify(str(exc), title=_("Handling time"), severity="error", markup=False)

        open_case = getattr(screen, "open_case", None)
        if open_case is not None:
            open_case(case_id)
        else:
            from agent_console.screens.case_detail import CaseDetailScreen

            app.push_screen(CaseDetailScreen(case_id))

    app.push_screen(NewCaseModal(queues, search, call_id), created)
