"""The queue: every case of the chosen view as a virtual table, most urgent SLA first.

Only the ordered case ids of the view are loaded (in a worker, latest request wins); rows are paged in by the table as
they scroll into view, so the screen behaves the same with 100 or 100,000 cases.

The free-text filter (``queue_filter.py``) runs in memory: the "key, subject, customer" texts of the open cases are loaded once in the
background (and read again when cases may have changed them: periodic and sync refreshes, coming back to the screen),
and a keystroke narrows the view's ids on the spot — no query, no worker — when the texts are there; before that, the
keystroke's worker loads them itself.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from agent_console.console_log import log_worker_error
from agent_console.domain.cases import CaseError, CaseService
from agent_console.domain.text import one_line
from agent_console.i18n import N_, _, pgettext
from agent_console.screens.agent_screen import AgentScreen
from agent_console.screens.bindings import CommandEntry, TranslatedBindings, action_entries, bindings_for
from agent_console.screens.messages import CasesChanged, QueueNamesLoaded, SlaChanged
from agent_console.screens.pick import PickModal
from agent_console.screens.queue_filter import CaseTextFilter, FilterInput, filter_needle
from agent_console.screens.queue_status import sort_title, status_text
from agent_console.store import queries
from agent_console.store.db import KeptConnection
from agent_console.store.models import Channel
from agent_console.store.queries import NotFound, QueueView
from agent_console.widgets.case_table import COLUMNS, DUE_COLUMN, CaseTable
from agent_console.widgets.header_bar import HeaderBar
from agent_console.widgets.key_footer import KeyFooter
from agent_console.widgets.labels import channel_label

#: How often the queue re-reads its view on its own (changes by colleagues, the sync, other screens).
REFRESH_S = 20.0
#: Rows fetched first when the screen opens, before the whole view.
HEAD_ROWS = 100
#: ``keep`` value: stay on whatever case the cursor is on when the rows arrive.
KEEP_CURRENT = -1
FILTER_PLACEHOLDER = N_("Filter by subject, customer or key — enter to go back to the list")
#: Seconds after the view is complete before the filter's texts load in the background (the first frames first).
SEARCH_TEXTS_DELAY_S = 0.3


class QueueScreen(TranslatedBindings, AgentScreen):
    KEY_SCOPE = "queue"
    KEYS_TITLE = N_("the queue")
    CSS_PATH = "queue.tcss"
    BINDINGS = bindings_for("queue")
    AUTO_FOCUS = "#queue-table"

    def __init__(self) -> None:
        super().__init__(id="queue-screen")
        self.view_name = "open"
        self.view_queue: str | None = None
        self.view_channel: str | None = None
        self.sort = "sla"
        self.descending = False
        self.filter_text = ""
        self._generation = 0
        self._generation_lock = threading.Lock()
        self._loaded = False
        self._queue_names: list[str] = []
        self._texts = CaseTextFilter()
        #: Cases may have changed since the texts were read: read them again before (or while) the agent filters.
        self._texts_stale = False
        #: (view key, version, ordered ids) of the view without a filter: what the filter narrows. Re-reads bump
        #: ``_base_version``; until the new ids are in, keystrokes still filter the previous ones on the spot.
        self._base: tuple[tuple, int, list[int]] | None = None
        self._base_version = 0
        #: The unfiltered ids the filter's texts are complete for (no text missing).
        self._texts_complete_for: list[int] | None = None
        #: A connection of the screen's own for paging rows in while drawing (see ``_fetch_rows``).
        self._rows_reader: KeptConnection | None = None

    # --- layout ----------------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderBar(pgettext("title", "Queue"))
        yield FilterInput(self.filter_to, placeholder=_(FILTER_PLACEHOLDER), id="queue-filter")
        table = CaseTable(self._fetch_rows, self.app.clock.now, id="queue-table")
        table.empty_message = N_("Loading cases…")  # until the first rows arrive (never "no cases" before we know)
        yield table
        yield Static(id="queue-status", markup=False)
        yield KeyFooter()

    def refresh_language(self) -> None:
        """The interface language changed: header, filter hint, column headers, rows and status line follow."""
        self.query_one(HeaderBar).title = pgettext("title", "Queue")
        self.app.update_clock()
        self.query_one(HeaderBar).refresh()
        self.query_one("#queue-filter", Input).placeholder = _(FILTER_PLACEHOLDER)
        self.table.refresh_language()
        self._show_status(partial=not self._loaded)

    @property
    def table(self) -> CaseTable:
        return self.query_one("#queue-table", CaseTable)

    def on_mount(self) -> None:
        self.reload()
        self.set_interval(1.0, self._tick)
        self.set_interval(REFRESH_S, self._periodic_refresh)

    def on_unmount(self) -> None:
        if self._rows_reader is not None:
            self._rows_reader.close()

    def on_screen_resume(self) -> None:
        if self._loaded:
            self._reread()

    def _periodic_refresh(self) -> None:
        # Other agents (via sync) and other screens change cases: pick that up without a keystroke.
        if self.is_current and self._loaded:
            self._reread()

    def on_sla_changed(self, message: SlaChanged) -> None:
        """The SLA sweeper recorded a breach or raised a priority: re-read the rows (priority, breach flag)."""
        if self._loaded:
            self._reread(texts_changed=False)

    def on_cases_changed(self, message: CasesChanged) -> None:
        """The sync engine pulled changes: the queue on screen shows them (a hidden one re-reads when it shows)."""
        if self.is_current:
            try:
                self.action_refresh_queue()
            except NoMatches:
                pass  # being built or torn down: it reads the store when it shows again

    def _reread(self, texts_changed: bool = True) -> None:
        """Cases may have changed: re-read the view's ids, its visible rows and (unless only SLA fields or the
        assignee changed) the filter's texts — at once while a filter is shown, else when the agent next filters."""
        self._base_version += 1
        self.reload(keep=self.table.current_case_id)  # the new ids replace every cached row
        if texts_changed and self._texts.loaded:
            self._texts_stale = True
            if filter_needle(self.filter_text):
                self._refresh_search_texts()

    def _refresh_search_texts(self) -> None:
        self._texts_stale = False
        self._load_search_texts()

    def _preload_search_texts(self) -> None:
        if not self._texts.loaded:
            self._load_search_texts()

    def _tick(self) -> None:
        # Countdowns move every second: repaint the visible rows only (rows are cached, nothing is re-queried).
        if self.is_current:
            self.table.refresh()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Workers run with exit_on_error=False so a failed read never takes the console down; say so instead.
        if event.state == WorkerState.ERROR:
            log_worker_error(event.worker)
            self.notify(_("Something went wrong: {error}").format(error=event.worker.error), title=_("Error"),
                        severity="error", markup=False)

    # --- loading ---------------------------------------------------------------------------------------------------

    def _fetch_rows(self, ids: list[int]) -> dict[int, dict]:
        # Called while the table draws (UI thread only), so one kept connection serves every page.
        if self._rows_reader is None:
            self._rows_reader = KeptConnection(self.app.store.engine)
        return self._rows_reader.read(queries.queue_rows_on, ids)

    def current_view(self) -> QueueView:
        return QueueView(view=self.view_name if self.view_name != "follow_ups" else "open",
                         agent_id=self.app.agent.id, queue=self.view_queue, channel=self.view_channel,
                         text=self.filter_text, sort=self.sort, descending=self.descending)

    def reload(self, keep: int | None = None) -> None:
        """Re-query the view's ids in a worker; a newer request supersedes an older one (typing never waits)."""
        with self._generation_lock:
            self._generation += 1
            generation = self._generation
        self._load_ids(generation, self.current_view(), self.view_name == "follow_ups", keep)

    @work(thread=True, exclusive=True, group="queue-ids", exit_on_error=False)
    def _load_ids(self, generation: int, view: QueueView, follow_ups: bool, keep: int | None) -> None:
        app = self.app
        now = app.clock.now()
        needle = filter_needle(view.text)
        base_version = self._base_version
        with app.store.session() as session:
            policies = queries.all_policies(session) if not self._loaded else None
            if not self._loaded and not follow_ups and not needle:
                # The first screenful at once (an index range scan), the whole view right after.
                head = queries.queue_case_ids(session, view, limit=HEAD_ROWS)
                painted = threading.Event()
                app.call_from_thread(self._apply_ids, generation, head, keep, policies, None)
                app.call_from_thread(self.call_after_refresh, painted.set)
                keep = KEEP_CURRENT  # the agent may already have moved the cursor in the first rows
                # Turning the whole view into Python ints holds the GIL for a while: let the first frame out first.
                painted.wait(timeout=1.0)
            if not self._loaded:
                self.post_message(QueueNamesLoaded(queries.queue_names(session)))  # for the palette
            due_times = None
            if follow_ups:
                due_times = {}
                for follow_up in queries.open_follow_ups(session, app.agent.id):  # soonest due first
                    due_times.setdefault(follow_up.case_id, follow_up.due_at)
                ids = list(due_times)
                ids = self._filtered(session, ids, needle) if needle else ids
            elif needle:
                # Never a LIKE scan: the texts are loaded here if the background load has not finished yet.
                ids = self._filtered(session, self._base_ids(session, view, base_version), needle)
            else:
                ids = queries.queue_case_ids(session, view)
                self._base = (self._base_key(view), base_version, ids)
                if self._texts.covers(ids):  # ready for the next keystroke to filter on the spot
                    self._texts_complete_for = ids
                    self._texts.prepare(ids)
            due = len(queries.open_follow_ups(session, app.agent.id, due_before=now))
        if get_current_worker().is_cancelled or generation != self._generation:
            return
        app.call_from_thread(self._apply_ids, generation, ids, keep, policies, due, due_times)

    @staticmethod
    def _base_key(view: QueueView) -> tuple:
        return (view.view, view.agent_id, view.queue, view.channel, view.tier, view.sort, view.descending)

    def _base_ids(self, session, view: QueueView, version: int) -> list[int]:
        key = self._base_key(view)
        base = self._base
        if base is not None and base[0] == key and base[1] == version:
            return base[2]
        ids = queries.queue_case_ids(session, replace(view, text=""))
        self._base = (key, version, ids)
        return ids

    def _filtered(self, session, ids: list[int], needle: str) -> list[int]:
        self._texts.ensure_loaded(session)
        if self._texts_complete_for is not ids:
            missing = self._texts.missing(ids)
            if missing:
                self._texts.add(session, missing)
            self._texts_complete_for = ids
        return self._texts.filter(ids, needle)

    def _filter_now(self) -> bool:
        """Filter on the UI thread when everything it needs is in memory (the usual keystroke); False otherwise."""
        if self.view_name == "follow_ups" or not self._texts.loaded:
            return False
        view = self.current_view()
        base = self._base
        if base is None or base[0] != self._base_key(view):
            return False
        _key, version, base_ids = base
        if self._texts_complete_for is not base_ids:
            if not self._texts.covers(base_ids):
                return False  # cases the texts do not know yet: the worker reads theirs
            self._texts_complete_for = base_ids
        with self._generation_lock:
            self._generation += 1  # any slower request still under way is now stale
            generation = self._generation
        ids = self._texts.filter(base_ids, filter_needle(view.text))
        self._apply_ids(generation, ids, None, None, self.app.follow_ups_due)
        if version != self._base_version:
            self.reload()  # the view is being re-read: filter the new ids too when they are in
        return True

    @work(thread=True, exclusive=True, group="queue-search-texts", exit_on_error=False)
    def _load_search_texts(self) -> None:
        with self.app.store.session() as session:
            self._texts.load(session)
            base = self._base
            if base is not None:
                base_ids = base[2]
                missing = self._texts.missing(base_ids)
                if missing and self.view_name == "all":
                    self._texts.add(session, missing)
                self._texts_complete_for = base_ids if self._texts.covers(base_ids) else None
                self._texts.prepare(base_ids)
        if filter_needle(self.filter_text):
            self.app.call_from_thread(self._refilter)

    def _refilter(self) -> None:
        """New texts arrived while a filter is shown: apply it again (subjects and names may have changed)."""
        if filter_needle(self.filter_text) and not self._filter_now():
            self.reload(keep=self.table.current_case_id)

    def _apply_ids(self, generation: int, ids: list[int], keep: int | None, policies,
                   follow_ups_due: int | None, due_times: dict | None = None) -> None:
        if generation != self._generation:
            return
        table = self.table
        if policies is not None:
            table.policies = policies
        if due_times is not None or table.follow_up_due is not None:
            table.show_follow_ups(due_times)
        table.sort_column = self.shown_sort
        table.descending = self.descending and self.view_name != "follow_ups"
        table.empty_message = (N_("No cases match the filter.") if self.filter_text.strip()
                               else N_("No cases in this view."))
        table.set_ids(ids, keep_case_id=table.current_case_id if keep == KEEP_CURRENT else keep)
        if follow_ups_due is None:  # only the first screenful so far
            self._show_status(partial=True)
            return
        self.app.follow_ups_due = follow_ups_due
        if not self._loaded:
            self._loaded = True
            self.set_timer(SEARCH_TEXTS_DELAY_S, self._preload_search_texts)
            # What exists now (Textual, SQLAlchemy, the store's mappings, the view's ids) lives as long as the
            # console: leave it out of the cyclic garbage collector's full passes, which otherwise walk every one of
            # these objects and stopped the UI for 60–100 ms now and then (seen as cursor and keystroke spikes).
            gc.freeze()
        self._show_status()

    @property
    def shown_sort(self) -> str:
        """The column the rows are in order of: follow-ups always come soonest due first."""
        return DUE_COLUMN.name if self.view_name == "follow_ups" else self.sort

    def _show_status(self, partial: bool = False) -> None:
        text = status_text(self.view_name, self.view_queue, self.view_channel, self.table.row_count, partial,
                           self.shown_sort, self.sort, self.descending, self.filter_text)
        self.query_one("#queue-status", Static).update(text, layout=False)  # one line, always

    # --- filter ----------------------------------------------------------------------------------------------------

    def filter_to(self, text: str) -> None:
        """Show the view's cases whose key, subject or customer contain ``text`` (called as the agent types)."""
        if text == self.filter_text:
            return
        self.filter_text = text
        if self._texts_stale:
            self._refresh_search_texts()  # meanwhile the last texts filter; the fresh ones filter again
        if not self._filter_now():
            self.reload()

    @on(Input.Submitted, "#queue-filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    def action_filter(self) -> None:
        if self._texts_stale:
            self._refresh_search_texts()
        filter_input = self.query_one("#queue-filter", Input)
        filter_input.add_class("-open")
        filter_input.focus()

    def action_clear_filter(self) -> None:
        filter_input = self.query_one("#queue-filter", Input)
        if filter_input.has_focus:
            self.table.focus()
            if not filter_input.value:
                filter_input.remove_class("-open")
            return
        if filter_input.value:
            filter_input.value = ""
        filter_input.remove_class("-open")

    # --- views and sorting -----------------------------------------------------------------------------------------

    def action_view(self, name: str, value: str | None = None) -> None:
        self.view_name = name
        self.view_queue = value if name == "queue" else None
        self.view_channel = value if name == "channel" else None
        self.table.move_cursor(0)
        self.reload()

    def action_choose_queue(self) -> None:
        self._load_queue_names()

    @work(thread=True, exclusive=True, group="queue-names", exit_on_error=False)
    def _load_queue_names(self) -> None:
        with self.app.store.session() as session:
            names = queries.queue_names(session)
        self.post_message(QueueNamesLoaded(names, pick=True))

    def on_queue_names_loaded(self, message: "QueueNamesLoaded") -> None:
        self._queue_names = message.names  # for the palette
        if message.pick:
            self.app.push_screen(PickModal(_("Show the queue…"), [(n, n) for n in message.names], self.view_queue),
                                 lambda name: name and self.action_view("queue", name))

    def action_choose_channel(self) -> None:
        self.app.push_screen(PickModal(_("Show the channel…"), [(c.value, channel_label(c)) for c in Channel],
                                       self.view_channel),
                             lambda name: name and self.action_view("channel", name))

    def action_choose_sort(self) -> None:
        options = [(c.name, sort_title(c.name)) for c in COLUMNS]
        self.app.push_screen(PickModal(_("Sort by…"), options, self.sort), self._sort_by)

    def _sort_by(self, column: str | None) -> None:
        if column:
            self.sort = column
            self.descending = False
            self.reload(keep=self.table.current_case_id)

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self.reload(keep=self.table.current_case_id)

    def action_refresh_queue(self) -> None:
        self._base_version += 1
        self.table.invalidate()
        self.reload(keep=self.table.current_case_id)
        self._refresh_search_texts()

    # --- working cases ---------------------------------------------------------------------------------------------

    def action_open_case(self) -> None:
        case_id = self.table.current_case_id
        if case_id is None:
            self.notify(_("No case selected."), severity="warning")
            return
        self.open_case(case_id)

    @on(CaseTable.Opened)
    def _opened(self, event: CaseTable.Opened) -> None:
        self.open_case(event.case_id)

    def open_case(self, case_id: int) -> None:
        from agent_console.screens.case_detail import CaseDetailScreen

        self.app.push_screen(CaseDetailScreen(case_id))

    def action_claim(self) -> None:
        case_id = self.table.current_case_id
        if case_id is None:
            self.notify(_("No case selected."), severity="warning")
            return
        self._claim(case_id)

    @work(thread=True, group="case-action", exit_on_error=False)
    def _claim(self, case_id: int) -> None:
        app = self.app
        try:
            case = CaseService(app.store, app.clock, app.agent).claim(case_id)
        except (CaseError, NotFound) as exc:
            app.call_from_thread(self.notify, str(exc), title=_("Cannot claim"), severity="error", markup=False)
            return
        app.call_from_thread(self._after_change, _("{key} is yours.").format(key=case.key))

    def _after_change(self, message: str) -> None:
        self.notify(message, markup=False)
        self._reread(texts_changed=False)  # a claim changes the assignee, not key, subject or customer

    def action_new_case(self) -> None:
        from agent_console.screens.new_case import open_new_case_form

        open_new_case_form(self)

    def action_next_case(self) -> None:
        self._next_case()

    @work(thread=True, group="case-action", exit_on_error=False)
    def _next_case(self) -> None:
        app = self.app
        with app.store.session() as session:
            case_id = queries.next_case_id(session, app.agent)
        if case_id is None:
            app.call_from_thread(self.notify, _("No case is waiting for you. Well done!"), title=_("Next case"))
            return
        try:
            case = CaseService(app.store, app.clock, app.agent).claim(case_id)
        except (CaseError, NotFound) as exc:
            app.call_from_thread(self.notify, str(exc), title=_("Cannot take the next case"), severity="error",
                                 markup=False)
            return
        app.call_from_thread(self.notify, _("{key} is yours.").format(key=case.key), title=_("Next case"),
                             markup=False)
        app.call_from_thread(self.open_case, case.id)

    # --- command palette -------------------------------------------------------------------------------------------

    def command_entries(self) -> list[CommandEntry]:
        entries = action_entries(self, "queue")
        entries.extend(CommandEntry(_("View: channel {channel}").format(channel=channel_label(c)),
                                    _("show only this channel's open cases"),
                                    lambda c=c.value: self.action_view("channel", c),
                                    keywords=c.value)  # the stored name finds it in any language
                       for c in Channel)
        entries.extend(CommandEntry(_("View: queue {queue}").format(queue=one_line(name)),
                                    _("show only this queue's open cases"),
                                    lambda n=name: self.action_view("queue", n)) for name in self._queue_names)
        entries.extend(CommandEntry(_("Sort by {column}").format(column=sort_title(c.name)),
                                    _("sort the queue by this column"), lambda n=c.name: self._sort_by(n))
                       for c in COLUMNS)
        return entries
