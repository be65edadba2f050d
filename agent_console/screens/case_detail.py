"""One case: header, thread, the customer's other cases, and the reply editor.

Every change goes through ``CaseService`` (which records the audit event and the outbox op); the screen only reads via
``store.queries``. Drafts are saved as the agent types (debounced, in a worker) and restored when the case reopens.

Handling time: while this screen shows the case, the app's ``HandlingTracker`` times it (the live timer sits in the
case header). Modals (pick, canned, escalate, wrap-up, keys, palette) and the KB search keep the agent on the case;
another case or screen on top, or leaving, ends the segment, and coming back starts a new one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState
from textual.widgets import Footer, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from agent_console.console_log import log_worker_error
from agent_console.domain.cases import CaseError, CaseService
from agent_console.domain import sla
from agent_console.domain.sla import SLA_SYMBOL
from agent_console.domain.text import one_line
from agent_console.screens.bindings import CommandEntry, action_entries, bindings_for
from agent_console.screens.messages import CasesChanged, SlaChanged
from agent_console.screens.pick import PickModal
from agent_console.store import queries
from agent_console.store.models import Agent, Case, CaseStatus, Customer, Priority
from agent_console.store.queries import NotFound
from agent_console.widgets.case_header import CaseHeader
from agent_console.widgets.handling_timer import HandlingTimer
from agent_console.widgets.header_bar import HeaderBar
from agent_console.widgets.reply_editor import ReplyEditor
from agent_console.widgets.sla_badge import SLA_STYLE, local_time
from agent_console.widgets.thread_view import ThreadView

DRAFT_DELAY_S = 0.7
DRAFT_KINDS = ("reply", "note")


@dataclass
class CaseSnapshot:
    """What the screen shows, read in one go from the store."""

    case: object
    customer: Customer | None
    assignee_name: str | None
    policy: object
    messages: list
    other_cases: list
    drafts: dict[str, str]
    #: Every SLA policy by (channel, priority): the other cases' SLA states use their own policies.
    policies: dict = field(default_factory=dict)


class CaseDetailScreen(Screen):
    KEY_SCOPE = "case"
    CSS_PATH = "case_detail.tcss"
    BINDINGS = bindings_for("case")

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        self.snapshot: CaseSnapshot | None = None
        self._draft_timer: Timer | None = None
        self._draft_lock = threading.Lock()
        self._draft_sequence = 0
        self._saved_sequence = 0
        self._saved_text: dict[str, str] = {}
        self._restored = False
        #: The agent went to another case or screen; coming back starts a new handling segment.
        self._left = False
        self._resolving = False

    # --- layout ----------------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderBar("Case")
        yield CaseHeader(id="case-header")
        with Horizontal(id="case-body"):
            yield ThreadView(id="thread")
            with Vertical(id="sidebar"):
                yield Static("Customer's cases", id="other-cases-title")
                yield OptionList(id="other-cases")
        yield ReplyEditor(id="editor")
        yield Footer()

    @property
    def service(self) -> CaseService:
        return CaseService(self.app.store, self.app.clock, self.app.agent)

    @property
    def editor(self) -> ReplyEditor:
        return self.query_one("#editor", ReplyEditor)

    def on_mount(self) -> None:
        self.editor.text_area.expander = self._expand_shortcut
        self.query_one("#thread", ThreadView).focus()
        tracker = self.app.tracker
        self._track(tracker.case_opened, self.case_id)
        self.query_one("#case-header-slots").mount(HandlingTimer(tracker, self.case_id))
        self.set_interval(1.0, self._refresh_header)
        self.reload()

    def on_unmount(self) -> None:
        self.flush_draft()
        self._leave_case()

    def on_screen_suspend(self) -> None:
        # Runs once the new screen is on top of the stack: a modal (or the KB search) keeps the agent on the case.
        if self._keeps_agent_on_case(self.app.screen):
            return
        self._left = self._leave_case()

    def on_screen_resume(self) -> None:
        if self._left:
            self._left = False
            self._track(self.app.tracker.case_opened, self.case_id)

    @staticmethod
    def _keeps_agent_on_case(screen) -> bool:
        if isinstance(screen, ModalScreen):
            return True
        try:
            from agent_console.screens.kb_search import KBSearchScreen
        except ModuleNotFoundError:
            return False
        return isinstance(screen, KBSearchScreen)

    def _leave_case(self) -> bool:
        tracker = self.app.tracker
        if tracker.case_id != self.case_id:
            return False
        self._track(tracker.case_left)
        return True

    def _track(self, event, *args) -> None:
        """Tell the tracker something; a failure to record time is shown, never fatal for the agent's work."""
        from agent_console.domain.handling import HandlingError

        try:
            event(*args)
        except HandlingError as exc:
            self.notify(str(exc), title="Handling time", severity="error", markup=False)
        except Exception as error:  # a read-only or full store: said in the header, the case stays usable
            report = getattr(self.app, "report_failure", None)
            if report is None or not report(error, "record handling time"):
                raise
        self.app.sync_agent_state()
        for timer in self.query(HandlingTimer):
            timer.refresh_time()

    def _refresh_header(self) -> None:
        # SLA countdowns move every second; the snapshot is re-read only when something changed.
        if self.snapshot is not None and self.is_current:
            self._show_header(self.snapshot, self.app.clock.now())

    def on_sla_changed(self, message: SlaChanged) -> None:
        """The SLA sweeper recorded a breach or escalated a case: show the case as it is now."""
        self.reload()

    def on_cases_changed(self, message: CasesChanged) -> None:
        if self.case_id in message.case_ids:
            self.reload()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Workers run with exit_on_error=False so a failed read never takes the console down; say so instead.
        if event.state == WorkerState.ERROR:
            log_worker_error(event.worker)
            error = event.worker.error
            report = getattr(self.app, "report_failure", None)
            if report is not None and report(error):
                return
            from agent_console.store.errors import describe

            self.notify(f"Something went wrong: {describe(error)}", title="Error", severity="error", markup=False)

    # --- loading ---------------------------------------------------------------------------------------------------

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="case-load", exit_on_error=False)
    def _load(self) -> None:
        app = self.app
        try:
            snapshot = self._read_snapshot()
        except NotFound as exc:
            app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        app.call_from_thread(self._show, snapshot)

    def _read_snapshot(self) -> CaseSnapshot:
        app = self.app
        with app.store.session() as session:
            case = session.get(Case, self.case_id)
            if case is None:
                raise NotFound(f"case {self.case_id} no longer exists")
            customer = session.get(Customer, case.customer_id)
            assignee = session.get(Agent, case.assignee_id) if case.assignee_id else None
            policy = queries.policy_for(session, case.channel, case.priority)
            messages = queries.thread(session, case.id)
            others = [c for c in queries.customer_cases(session, case.customer_id) if c.id != case.id]
            policies = queries.all_policies(session)
            session.expunge_all()
        drafts = {}
        if not self._restored:
            for kind in DRAFT_KINDS:
                drafts[kind] = self.service.load_draft(self.case_id, kind)
        return CaseSnapshot(case, customer, assignee.name if assignee else None, policy, messages, others, drafts,
                            policies)

    def _show(self, snapshot: CaseSnapshot) -> None:
        self.snapshot = snapshot
        app = self.app
        now = app.clock.now()
        case = snapshot.case
        self.query_one(HeaderBar).title = case.key
        self._show_header(snapshot, now)
        self.query_one("#thread", ThreadView).show_messages(snapshot.messages, app.zone, now)
        self._show_other_cases(snapshot.other_cases, now, snapshot.policies)
        if not self._restored:
            self._restored = True
            self._restore_drafts(snapshot.drafts)

    def _show_header(self, snapshot: CaseSnapshot, now) -> None:
        self.query_one(CaseHeader).show(snapshot.case, snapshot.customer, snapshot.assignee_name, snapshot.policy,
                                        now, self.app.zone)

    def _show_other_cases(self, cases: list, now, policies: dict) -> None:
        option_list = self.query_one("#other-cases", OptionList)
        option_list.clear_options()
        if not cases:
            option_list.add_option(Option(Text("No other cases.", style="dim"), disabled=True))
            return
        for other in cases:
            prompt = Text()
            prompt.append(other.key, style="bold")
            prompt.append(f"  {other.channel} · {other.status}")
            if other.is_open and other.sla_due_at is not None:
                countdown = sla.case_countdown(other, sla.policy_from(policies, other.channel, other.priority), now)
                prompt.append(f"  {SLA_SYMBOL[countdown.state]}", style=SLA_STYLE[countdown.state])
            prompt.append("\n")
            prompt.append(one_line(other.subject, 40))
            prompt.append(f"\n{local_time(other.created_at, self.app.zone, now=now)}", style="dim")
            option_list.add_option(Option(prompt, id=str(other.id)))

    def _restore_drafts(self, drafts: dict[str, str]) -> None:
        self._saved_text = dict(drafts)
        for kind in DRAFT_KINDS:
            if drafts.get(kind):
                self.editor.open(kind, drafts[kind])
                self.notify(f"Your unsent {kind} was restored.", title="Draft", markup=False)
                return

    # --- the customer's other cases --------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#other-cases")
    def _open_other_case(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.push_screen(CaseDetailScreen(int(event.option.id)))

    def action_focus_history(self) -> None:
        option_list = self.query_one("#other-cases", OptionList)
        if option_list.highlighted is None and option_list.option_count:
            option_list.highlighted = 0
        option_list.focus()

    def action_focus_thread(self) -> None:
        self.query_one("#thread", ThreadView).focus()

    # --- editor and drafts -----------------------------------------------------------------------------------------

    def action_reply(self) -> None:
        self._open_editor("reply")

    def action_note(self) -> None:
        self._open_editor("note")

    def _open_editor(self, mode: str) -> None:
        editor = self.editor
        if editor.is_open and editor.mode == mode:
            editor.text_area.focus()
            return
        self.flush_draft()
        text = self._saved_text.get(mode)
        if text is None:
            text = self.service.load_draft(self.case_id, mode)
            self._saved_text[mode] = text
        editor.open(mode, text)

    @on(TextArea.Changed, "#reply-text")
    def _editor_changed(self, event: TextArea.Changed) -> None:
        if not self.editor.is_open:
            return
        if event.text_area.text == self._saved_text.get(self.editor.mode, ""):
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY_S, self._save_draft_soon)

    def _draft_state(self) -> tuple[str, str, int]:
        with self._draft_lock:
            self._draft_sequence += 1
            return self.editor.mode, self.editor.text_area.text, self._draft_sequence

    def _save_draft_soon(self) -> None:
        self._draft_timer = None
        mode, text, sequence = self._draft_state()
        self._saved_text[mode] = text
        self._save_draft(mode, text, sequence)

    @work(thread=True, group="draft", exit_on_error=False)
    def _save_draft(self, mode: str, text: str, sequence: int) -> None:
        self._write_draft(mode, text, sequence)

    def _write_draft(self, mode: str, text: str, sequence: int) -> None:
        with self._draft_lock:
            if sequence < self._saved_sequence:
                return  # a newer version is already in the store
            self._saved_sequence = sequence
            try:
                self.service.save_draft(self.case_id, text, mode)
            except CaseError as exc:
                self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)

    def flush_draft(self) -> None:
        """Write a pending draft now (leaving the editor or the screen, quitting)."""
        if self._draft_timer is None:
            return
        self._draft_timer.stop()
        self._draft_timer = None
        try:
            mode, text, sequence = self._draft_state()
        except Exception:  # the editor is already gone
            return
        self._saved_text[mode] = text
        with self._draft_lock:
            if sequence >= self._saved_sequence:
                self._saved_sequence = sequence
                try:
                    self.service.save_draft(self.case_id, text, mode)
                except CaseError:
                    pass

    def action_back(self) -> None:
        """Leave the editor (its draft is kept: r brings it back), else go back to where the agent came from."""
        editor = self.editor
        self.flush_draft()
        if editor.is_open:
            editor.close()
            self.query_one("#thread", ThreadView).focus()
            return
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def action_send(self) -> None:
        editor = self.editor
        if not editor.is_open:
            self.notify("Nothing to send: press r to reply or i for a note.", severity="warning")
            return
        text = editor.text_area.text
        if not text.strip():
            self.notify("The message is empty.", severity="warning")
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        with self._draft_lock:
            self._draft_sequence += 1
            self._saved_sequence = self._draft_sequence  # no older draft save may land after the send
        self._send(editor.mode, text)

    @work(thread=True, group="case-action", exit_on_error=False)
    def _send(self, mode: str, text: str) -> None:
        app = self.app
        try:
            if mode == "note":
                self.service.note(self.case_id, text)
            else:
                self.service.reply(self.case_id, text)
        except (CaseError, NotFound) as exc:
            app.call_from_thread(self.notify, str(exc), title="Not sent", severity="error", markup=False)
            return
        app.call_from_thread(self._after_send, mode)

    def _after_send(self, mode: str) -> None:
        editor = self.editor
        self._saved_text[mode] = ""
        editor.text_area.load_text("")
        editor.close()
        self.query_one("#thread", ThreadView).focus()
        self.notify("Internal note added." if mode == "note" else "Reply sent.", markup=False)
        self.reload()

    def _insert_text(self, text: str | None) -> None:
        if not text:
            return
        from agent_console.domain.kb_text import Paragraph, paragraph_insert

        editor = self.editor
        if not editor.is_open:
            self._open_editor("reply")
        area = editor.text_area
        if isinstance(text, Paragraph):  # a KB excerpt: a paragraph of its own, blank lines around it
            cursor = area.cursor_location
            text = paragraph_insert(area.get_text_range((0, 0), cursor),
                                    area.get_text_range(cursor, area.document.end), text)
        area.insert(text)
        area.focus()

    def _expand_shortcut(self, word: str) -> str | None:
        try:
            from agent_console.domain.templates import expand_shortcut
        except ModuleNotFoundError:
            return None
        try:
            return expand_shortcut(self.app.store, self.case_id, self.app.agent, word, clock=self.app.clock)
        except Exception as exc:  # a broken template must not lose the agent's text
            self.notify(f"Shortcut ;{word} failed: {exc}", severity="error", markup=False)
            return None

    def action_canned(self) -> None:
        try:
            from agent_console.screens.canned import CannedPicker
        except ModuleNotFoundError:
            self.notify("Canned responses are not available.", severity="warning")
            return
        app = self.app
        app.push_screen(CannedPicker(store=app.store, clock=app.clock, agent=app.agent, case_id=self.case_id),
                        self._insert_text)

    def action_kb_search(self) -> None:
        try:
            from agent_console.screens.kb_search import KBSearchScreen
        except ModuleNotFoundError:
            self.notify("Knowledge base search is not available.", severity="warning")
            return
        app = self.app
        app.push_screen(KBSearchScreen(store=app.store, clock=app.clock, agent=app.agent, case_id=self.case_id),
                        self._insert_text)

    # --- case changes ----------------------------------------------------------------------------------------------

    @work(thread=True, group="case-action", exit_on_error=False)
    def _change(self, what: str, method: str, *args) -> None:
        app = self.app
        try:
            case = getattr(self.service, method)(self.case_id, *args)
        except (CaseError, NotFound) as exc:
            app.call_from_thread(self.notify, str(exc), title=f"Cannot {what}", severity="error", markup=False)
            return
        app.call_from_thread(self._after_change, f"{case.key}: {what} done.", method, case.key)

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
        self._change("claim", "claim")

    def action_release(self) -> None:
        self._change("release", "release")

    def action_resolve(self) -> None:
        # Resolving an already resolved case changes nothing, so it starts no second wrap-up.
        self._resolving = self.snapshot is not None and self.snapshot.case.status != CaseStatus.resolved
        self._change("resolve", "resolve")

    def action_reopen(self) -> None:
        self._change("reopen", "reopen")

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
        options = [(s.value, s.value) for s in CaseStatus]
        self.app.push_screen(PickModal("Set the status…", options, self._current("status")),
                             lambda value: value and self._change(f"status {value}", "set_status", value))

    def action_change_priority(self) -> None:
        options = [(p.value, p.value) for p in Priority]
        self.app.push_screen(PickModal("Set the priority…", options, self._current("priority")),
                             lambda value: value and self._change(f"priority {value}", "set_priority", value))

    def action_change_queue(self) -> None:
        self._read_queue_names()

    @work(thread=True, group="queue-names", exit_on_error=False)
    def _read_queue_names(self) -> None:
        with self.app.store.session() as session:
            names = queries.queue_names(session)
        self.app.call_from_thread(self._pick_queue, names)

    def _pick_queue(self, names: list[str]) -> None:
        self.app.push_screen(PickModal("Move to the queue…", [(n, n) for n in names], self._current("queue")),
                             lambda value: value and self._change(f"move to {value}", "set_queue", value))

    # --- command palette -------------------------------------------------------------------------------------------

    def command_entries(self) -> list[CommandEntry]:
        entries = action_entries(self, "case")
        entries.extend(CommandEntry(f"Set status: {s.value}", "change the case's status",
                                    lambda v=s.value: self._change(f"status {v}", "set_status", v))
                       for s in CaseStatus)
        entries.extend(CommandEntry(f"Set priority: {p.value}", "change the case's priority",
                                    lambda v=p.value: self._change(f"priority {v}", "set_priority", v))
                       for p in Priority)
        return entries
