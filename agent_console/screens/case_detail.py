"""One case: header, thread, the customer's other cases, its escalations and follow-ups, and the reply editor.

Every change goes through ``CaseService`` (which records the audit event and the outbox op; see ``case_actions``);
the screen reads in workers (``case_snapshot``) that post messages, and owns what they read. Drafts are saved as the
agent types (``case_drafts``) and restored when the case reopens.

Handling time: while this screen shows the case, the app's ``HandlingTracker`` times it (the live timer sits in the
case header). Modals (pick, canned, escalate, wrap-up, keys, palette) and the KB search keep the agent on the case;
another case or screen on top, or leaving, ends the segment, and coming back starts a new one.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.worker import Worker, WorkerState
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from agent_console.console_log import log_worker_error
from agent_console.domain.cases import CaseService
from agent_console.domain import sla
from agent_console.domain.sla import SLA_SYMBOL
from agent_console.domain.text import one_line
from agent_console.i18n import N_, _
from agent_console.screens.agent_screen import AgentScreen
from agent_console.screens.bindings import CommandEntry, TranslatedBindings, action_entries, bindings_for
from agent_console.screens.case_actions import CaseActions
from agent_console.screens.case_drafts import CaseDrafts
from agent_console.screens.case_merge_actions import CaseMergeActions, relations_text
from agent_console.screens.case_snapshot import (CaseLoaded, CaseLoadFailed, CaseSnapshot, DraftLoaded,
                                                 read_case_snapshot)
from agent_console.screens.messages import CasesChanged, SlaChanged
from agent_console.store.models import CaseStatus, Priority
from agent_console.store.queries import NotFound
from agent_console.widgets.case_header import CaseHeader
from agent_console.widgets.case_history import CaseHistory
from agent_console.widgets.handling_timer import HandlingTimer
from agent_console.widgets.header_bar import HeaderBar
from agent_console.widgets.key_footer import KeyFooter
from agent_console.widgets.labels import channel_label, priority_label, status_label
from agent_console.widgets.presence_line import PresenceLine
from agent_console.widgets.reply_editor import ReplyEditor
from agent_console.widgets.sla_badge import SLA_STYLE, local_time
from agent_console.widgets.thread_view import ThreadView
from agent_console.widgets.wrapping_option_list import WrappingOptionList


#: Below this many rows, the header turns compact and the editor smaller while the agent writes (80×24 keeps the
#: thread at least half the height).
SHORT_ROWS = 42


class CaseDetailScreen(TranslatedBindings, CaseActions, CaseMergeActions, CaseDrafts, AgentScreen):
    KEY_SCOPE = "case"
    KEYS_TITLE = N_("the case")
    CSS_PATH = "case_detail.tcss"
    BINDINGS = bindings_for("case")

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        self.snapshot: CaseSnapshot | None = None
        self._init_drafts()
        #: Canned or KB text chosen before the reply draft was read (inserted once it is).
        self._pending_inserts: list[str] = []
        #: The agent went to another case or screen; coming back starts a new handling segment.
        self._left = False
        self._resolving = False
        #: The messages the agent saw when the case opened (a reply asks first when others arrived since).
        self._seen_uids: frozenset[str] | None = None

    # --- layout ----------------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderBar(_("Case"))
        yield CaseHeader(id="case-header")
        yield Static(id="case-relations", markup=False)
        with Horizontal(id="case-body"):
            yield ThreadView(id="thread")
            with Vertical(id="sidebar"):
                yield Static(_("Customer's cases"), id="other-cases-title")
                yield WrappingOptionList(id="other-cases")
                yield CaseHistory(id="case-history")
        yield ReplyEditor(id="editor")
        yield KeyFooter()

    @property
    def service(self) -> CaseService:
        return CaseService(self.app.store, self.app.clock, self.app.agent, mail_from=self.app.reply_mail_from)

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
            self.notify(str(exc), title=_("Handling time"), severity="error", markup=False)
        except Exception as error:  # a read-only or full store: said in the header, the case stays usable
            report = getattr(self.app, "report_failure", None)
            if report is None or not report(error, N_("record handling time")):
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

    def on_reply_editor_writing(self, message: ReplyEditor.Writing) -> None:
        self.query_one(PresenceLine).writing(message.writing)  # colleagues see "… is replying"

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")
        self.set_class(self.size.height < SHORT_ROWS, "-short")  # writing: compact header, smaller editor

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Workers run with exit_on_error=False so a failed read never takes the console down; say so instead.
        if event.state == WorkerState.ERROR:
            log_worker_error(event.worker)
            error = event.worker.error
            report = getattr(self.app, "report_failure", None)
            if report is not None and report(error):
                return
            from agent_console.store.errors import describe

            self.notify(_("Something went wrong: {error}").format(error=describe(error)), title=_("Error"),
                        severity="error", markup=False)

    # --- loading ---------------------------------------------------------------------------------------------------

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="case-load", exit_on_error=False)
    def _load(self) -> None:
        try:
            snapshot = read_case_snapshot(self.app.store, self.service, self.case_id, with_drafts=not self._restored)
        except NotFound as exc:
            self.post_message(CaseLoadFailed(str(exc)))
            return
        self.post_message(CaseLoaded(snapshot))

    def on_case_load_failed(self, message: CaseLoadFailed) -> None:
        self.notify(message.reason, severity="error", markup=False)

    def on_case_loaded(self, message: CaseLoaded) -> None:
        snapshot = message.snapshot
        self.snapshot = snapshot
        app = self.app
        now = app.clock.now()
        app.tracker.prime_closed_seconds(self.case_id, snapshot.closed_handling_s)
        self.query_one(HeaderBar).title = snapshot.case.key
        self._show_header(snapshot, now)
        self.query_one("#thread", ThreadView).show_messages(snapshot.messages, app.zone, now, snapshot.calls,
                                                            mail_states=snapshot.mail_states,
                                                            attachments=snapshot.attachments)
        self._show_other_cases(snapshot.other_cases, now, snapshot.policies)
        self.query_one(CaseHistory).show(snapshot.escalations, snapshot.follow_ups, app.zone, now)
        for timer in self.query(HandlingTimer):
            timer.refresh_time()  # the case total is known now
        if self._seen_uids is None:
            self._seen_uids = frozenset(m.uid for m in snapshot.messages)
        if not self._restored:
            self._restore_drafts(snapshot.drafts)

    def refresh_language(self) -> None:
        """The interface language changed: every part of the case is drawn again in it (nothing is re-read)."""
        self.query_one("#other-cases-title", Static).update(_("Customer's cases"))
        self.app.update_clock()
        self.query_one(HeaderBar).refresh()
        self.editor.refresh_language()
        for timer in self.query(HandlingTimer):
            timer.refresh()
        snapshot = self.snapshot
        if snapshot is None:
            return
        now = self.app.clock.now()
        self._show_header(snapshot, now)
        self.query_one("#thread", ThreadView).show_messages(snapshot.messages, self.app.zone, now)
        self._show_other_cases(snapshot.other_cases, now, snapshot.policies)
        self.query_one(CaseHistory).show(snapshot.escalations, snapshot.follow_ups, self.app.zone, now)

    def _show_header(self, snapshot: CaseSnapshot, now) -> None:
        self.query_one(CaseHeader).show(snapshot.case, snapshot.customer, snapshot.assignee_name, snapshot.policy,
                                        now, self.app.zone)
        relations = self.query_one("#case-relations", Static)
        text = relations_text(snapshot, self._merge_key())
        relations.update(text)
        relations.display = bool(text.plain)

    def _show_other_cases(self, cases: list, now, policies: dict) -> None:
        option_list = self.query_one("#other-cases", OptionList)
        option_list.clear_options()
        if not cases:
            option_list.add_option(Option(Text(_("No other cases."), style="dim"), disabled=True))
            return
        for other in cases:
            prompt = Text()
            prompt.append(other.key, style="bold")
            prompt.append(f"  {channel_label(other.channel)} · {status_label(other.status)}")
            if other.is_open and other.sla_due_at is not None:
                countdown = sla.case_countdown(other, sla.policy_from(policies, other.channel, other.priority), now)
                prompt.append(f"  {SLA_SYMBOL[countdown.state]}", style=SLA_STYLE[countdown.state])
            prompt.append("\n")
            prompt.append(one_line(other.subject, 40))
            prompt.append(f"\n{local_time(other.created_at, self.app.zone, now=now)}", style="dim")
            option_list.add_option(Option(prompt, id=str(other.id)))

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
            self._read_draft(mode)  # opens the editor when the saved draft is in
            return
        editor.open(mode, text)

    def on_draft_loaded(self, message: DraftLoaded) -> None:
        self._saved_text.setdefault(message.mode, message.text)
        self.editor.open(message.mode, self._saved_text[message.mode])
        if message.mode == "reply":
            pending, self._pending_inserts = self._pending_inserts, []
            for text in pending:
                self.editor.text_area.insert(text)

    @on(TextArea.Changed, "#reply-text")
    def _editor_changed(self, event: TextArea.Changed) -> None:
        self._draft_changed(event.text_area.text)

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

    def _insert_text(self, text: str | None) -> None:
        if not text:
            return
        from agent_console.domain.kb_text import Paragraph, paragraph_insert

        editor = self.editor
        if not editor.is_open:
            self._open_editor("reply")
            if not editor.is_open:  # the saved draft is still being read: the text goes in after it
                self._pending_inserts.append(text)
                return
        area = editor.text_area
        if isinstance(text, Paragraph):  # a KB excerpt: a paragraph of its own, blank lines around it
            cursor = area.cursor_location
            text = paragraph_insert(area.get_text_range((0, 0), cursor),
                                    area.get_text_range(cursor, area.document.end), text)
        area.insert(text)
        area.focus()

    def _expand_shortcut(self, word: str) -> str | None:
        try:
            from agent_console.domain.canned import expand_shortcut
        except ModuleNotFoundError:
            return None
        try:
            return expand_shortcut(self.app.store, self.case_id, self.app.agent, word, clock=self.app.clock)
        except Exception as exc:  # a broken template must not lose the agent's text
            self.notify(_("Shortcut ;{word} failed: {error}").format(word=word, error=exc), severity="error",
                        markup=False)
            return None

    def action_canned(self) -> None:
        try:
            from agent_console.screens.canned import CannedPicker
        except ModuleNotFoundError:
            self.notify(_("Canned responses are not available."), severity="warning")
            return
        app = self.app
        app.push_screen(CannedPicker(store=app.store, clock=app.clock, agent=app.agent, case_id=self.case_id),
                        self._insert_text)

    def action_kb_search(self) -> None:
        try:
            from agent_console.screens.kb_search import KBSearchScreen
        except ModuleNotFoundError:
            self.notify(_("Knowledge base search is not available."), severity="warning")
            return
        app = self.app
        app.push_screen(KBSearchScreen(store=app.store, clock=app.clock, agent=app.agent, case_id=self.case_id),
                        self._insert_text)

    # --- command palette -------------------------------------------------------------------------------------------

    def command_entries(self) -> list[CommandEntry]:
        entries = action_entries(self, "case")
        entries.extend(CommandEntry(_("Set status: {status}").format(status=status_label(s)),
                                    _("change the case's status"), lambda v=s.value: self.set_status(v),
                                    keywords=s.value) for s in CaseStatus)
        entries.extend(CommandEntry(_("Set priority: {priority}").format(priority=priority_label(p)),
                                    _("change the case's priority"), lambda v=p.value: self.set_priority(v),
                                    keywords=p.value) for p in Priority)
        return entries
