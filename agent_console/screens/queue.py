"""The queue: every case of the chosen view as a virtual table, most urgent SLA first.

Only the ordered case ids of the view are loaded (in a worker, latest request wins); rows are paged in by the table as
they scroll into view, so the screen behaves the same with 100 or 100,000 cases.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from agent_console.domain.cases import CaseError, CaseService
from agent_console.domain.text import one_line
from agent_console.screens.bindings import CommandEntry, action_entries, bindings_for
from agent_console.screens.pick import PickModal
from agent_console.store import queries
from agent_console.store.models import Channel
from agent_console.store.queries import NotFound, QueueView
from agent_console.widgets.case_table import COLUMNS, CaseTable
from agent_console.widgets.header_bar import HeaderBar

#: How often the queue re-reads its view on its own (changes by colleagues, the sync, other screens).
REFRESH_S = 20.0
#: Rows fetched first when the screen opens, before the whole view.
HEAD_ROWS = 100
#: ``keep`` value: stay on whatever case the cursor is on when the rows arrive.
KEEP_CURRENT = -1

VIEW_LABELS = {
    "mine": "Mine",
    "unassigned": "Unassigned",
    "open": "All open",
    "all": "All cases (incl. closed)",
    "queue": "Queue",
    "channel": "Channel",
    "follow_ups": "My follow-ups",
}


class QueueScreen(Screen):
    KEY_SCOPE = "queue"
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
        #: Lower-cased search text per case id, for the in-memory filter (None until loaded).
        self._search_texts: dict[int, str] | None = None
        #: (view key, ordered ids) of the view without a filter: what the filter narrows.
        self._base: tuple[tuple, list[int]] | None = None
        self._texts_complete_for: list[int] | None = None
        self._last_filter: tuple[list[int], str, list[int]] | None = None

    # --- layout ----------------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderBar("Queue")
        yield Input(placeholder="Filter by subject, customer or key — enter to go back to the list",
                    id="queue-filter")
        yield CaseTable(self._fetch_rows, self.app.clock.now, id="queue-table")
        yield Static(id="queue-status", markup=False)
        yield Footer()

    @property
    def table(self) -> CaseTable:
        return self.query_one("#queue-table", CaseTable)

    def on_mount(self) -> None:
        self.reload()
        self.set_interval(1.0, self._tick)
        self.set_interval(REFRESH_S, self._periodic_refresh)

    def on_screen_resume(self) -> None:
        if self._loaded:
            self._base = None
            self.table.invalidate()
            self.reload(keep=self.table.current_case_id)

    def _periodic_refresh(self) -> None:
        # Other agents (via sync) and other screens change cases: pick that up without a keystroke.
        if self.is_current and self._loaded:
            self._base = None
            self.table.invalidate()
            self.reload(keep=self.table.current_case_id)

    def sla_changed(self) -> None:
        """The SLA sweeper recorded a breach or raised a priority: re-read the rows (priority, breach flag)."""
        if self._loaded:
            self._base = None
            self.table.invalidate()
            self.reload(keep=self.table.current_case_id)

    def _tick(self) -> None:
        # Countdowns move every second: repaint the visible rows only (rows are cached, nothing is re-queried).
        if self.is_current:
            self.table.refresh()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Workers run with exit_on_error=False so a failed read never takes the console down; say so instead.
        if event.state == WorkerState.ERROR:
            self.notify(f"Something went wrong: {event.worker.error}", title="Error", severity="error")

    # --- loading ---------------------------------------------------------------------------------------------------

    def _fetch_rows(self, ids: list[int]) -> dict[int, dict]:
        with self.app.store.session() as session:
            return queries.queue_rows(session, ids)

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
        with app.store.session() as session:
            if not self._loaded:
                policies = queries.all_policies(session)
                self._queue_names = queries.queue_names(session)
            else:
                policies = None
            if not self._loaded and not follow_ups and not view.text.strip():
                # The first screenful at once (an index range scan), the whole view right after.
                head = queries.queue_case_ids(session, view, limit=HEAD_ROWS)
                app.call_from_thread(self._apply_ids, generation, head, keep, policies, None)
                keep = KEEP_CURRENT  # the agent may already have moved the cursor in the first rows
            if follow_ups:
                ids = list(dict.fromkeys(f.case_id for f in queries.open_follow_ups(session, app.agent.id)))
                ids = self._filtered(session, ids, view.text)
            elif view.text.strip() and self._search_texts is not None:
                ids = self._filtered(session, self._base_ids(session, view), view.text)
            else:
                ids = queries.queue_case_ids(session, view)
                if not view.text.strip():
                    self._base = (self._base_key(view), ids)
            due = len(queries.open_follow_ups(session, app.agent.id, due_before=now))
        if get_current_worker().is_cancelled or generation != self._generation:
            return
        app.call_from_thread(self._apply_ids, generation, ids, keep, policies, due)

    # The filter runs in memory over "key, subject, customer" of the view's cases (loaded once in the background),
    # so a keystroke costs a scan of a Python list, not a LIKE query over every case.

    @staticmethod
    def _base_key(view: QueueView) -> tuple:
        return (view.view, view.agent_id, view.queue, view.channel, view.tier, view.sort, view.descending)

    def _base_ids(self, session, view: QueueView) -> list[int]:
        key = self._base_key(view)
        if self._base is not None and self._base[0] == key:
            return self._base[1]
        ids = queries.queue_case_ids(session, replace(view, text=""))
        self._base = (key, ids)
        return ids

    def _filtered(self, session, ids: list[int], text: str) -> list[int]:
        needle = " ".join(text.split()).lower() if text.strip() else ""
        if not needle:
            return ids
        texts = self._search_texts if self._search_texts is not None else {}
        if self._texts_complete_for is not ids:
            missing = [i for i in ids if i not in texts]
            for start in range(0, len(missing), 500):
                texts.update(queries.queue_search_texts(session, missing[start:start + 500]))
            self._texts_complete_for = ids
        if self._search_texts is None:
            self._search_texts = texts
        # Typing one more letter only narrows the previous result: scan that instead of the whole view.
        previous = self._last_filter
        candidates = ids
        if previous is not None and previous[0] is ids and needle.startswith(previous[1]):
            candidates = previous[2]
        result = [i for i in candidates if needle in texts.get(i, "")]
        self._last_filter = (ids, needle, result)
        return result

    @work(thread=True, exclusive=True, group="queue-search-texts", exit_on_error=False)
    def _load_search_texts(self) -> None:
        with self.app.store.session() as session:
            texts = queries.queue_search_texts(session)
        if self._search_texts:
            texts.update(self._search_texts)
        self._search_texts = texts

    def _apply_ids(self, generation: int, ids: list[int], keep: int | None, policies,
                   follow_ups_due: int | None) -> None:
        if generation != self._generation:
            return
        table = self.table
        if policies is not None:
            table.policies = policies
        table.sort_column = self.sort
        table.descending = self.descending
        table.empty_message = "No cases match the filter." if self.filter_text.strip() else "No cases in this view."
        table.set_ids(ids, keep_case_id=table.current_case_id if keep == KEEP_CURRENT else keep)
        if follow_ups_due is None:  # only the first screenful so far
            self._show_status(partial=True)
            return
        self.app.follow_ups_due = follow_ups_due
        if not self._loaded:
            self._loaded = True
            self._load_search_texts()
        self._show_status()

    def _show_status(self, partial: bool = False) -> None:
        label = VIEW_LABELS[self.view_name]
        if self.view_name == "queue":
            label = f"Queue {self.view_queue}"
        elif self.view_name == "channel":
            label = f"Channel {self.view_channel}"
        count = self.table.row_count
        text = Text()
        text.append(f" {label}", style="bold")
        if partial:
            text.append("  ·  counting cases…")
        else:
            text.append(f"  ·  {count:,} case{'s' if count != 1 else ''}")
        column_title = next(c.title for c in COLUMNS if c.name == self.sort)
        text.append(f"  ·  sorted by {column_title} {'▼' if self.descending else '▲'}")
        if self.filter_text.strip():
            text.append("  ·  filter ")
            text.append(repr(one_line(self.filter_text)), style="bold")
        self.query_one("#queue-status", Static).update(text)

    # --- filter ----------------------------------------------------------------------------------------------------

    @on(Input.Changed, "#queue-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self.reload()

    @on(Input.Submitted, "#queue-filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    def action_filter(self) -> None:
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
        with self.app.store.session() as session:
            names = queries.queue_names(session)
        self.app.push_screen(PickModal("Show the queue…", [(n, n) for n in names], self.view_queue),
                             lambda name: name and self.action_view("queue", name))

    def action_choose_channel(self) -> None:
        self.app.push_screen(PickModal("Show the channel…", [(c.value, c.value) for c in Channel],
                                       self.view_channel),
                             lambda name: name and self.action_view("channel", name))

    def action_choose_sort(self) -> None:
        options = [(c.name, c.title if c.name != "sla" else "SLA urgency") for c in COLUMNS]
        self.app.push_screen(PickModal("Sort by…", options, self.sort), self._sort_by)

    def _sort_by(self, column: str | None) -> None:
        if column:
            self.sort = column
            self.descending = False
            self.reload(keep=self.table.current_case_id)

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self.reload(keep=self.table.current_case_id)

    def action_refresh_queue(self) -> None:
        self._search_texts = None
        self._base = None
        self._load_search_texts()
        self.table.invalidate()
        self.reload(keep=self.table.current_case_id)

    # --- working cases ---------------------------------------------------------------------------------------------

    def action_open_case(self) -> None:
        case_id = self.table.current_case_id
        if case_id is None:
            self.notify("No case selected.", severity="warning")
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
            self.notify("No case selected.", severity="warning")
            return
        self._claim(case_id)

    @work(thread=True, group="case-action", exit_on_error=False)
    def _claim(self, case_id: int) -> None:
        app = self.app
        try:
            case = CaseService(app.store, app.clock, app.agent).claim(case_id)
        except (CaseError, NotFound) as exc:
            app.call_from_thread(self.notify, str(exc), title="Cannot claim", severity="error")
            return
        app.call_from_thread(self._after_change, f"{case.key} is yours.")

    def _after_change(self, message: str) -> None:
        self.notify(message)
        self._base = None
        self.table.invalidate()
        self.reload(keep=self.table.current_case_id)

    def action_next_case(self) -> None:
        self._next_case()

    @work(thread=True, group="case-action", exit_on_error=False)
    def _next_case(self) -> None:
        app = self.app
        with app.store.session() as session:
            case_id = queries.next_case_id(session, app.agent)
        if case_id is None:
            app.call_from_thread(self.notify, "No case is waiting for you. Well done!", title="Next case")
            return
        try:
            case = CaseService(app.store, app.clock, app.agent).claim(case_id)
        except (CaseError, NotFound) as exc:
            app.call_from_thread(self.notify, str(exc), title="Cannot take the next case", severity="error")
            return
        app.call_from_thread(self.notify, f"{case.key} is yours.", title="Next case")
        app.call_from_thread(self.open_case, case.id)

    # --- command palette -------------------------------------------------------------------------------------------

    def command_entries(self) -> list[CommandEntry]:
        entries = action_entries(self, "queue")
        entries.extend(CommandEntry(f"View: channel {c.value}", "show only this channel's open cases",
                                    lambda c=c.value: self.action_view("channel", c)) for c in Channel)
        entries.extend(CommandEntry(f"View: queue {name}", "show only this queue's open cases",
                                    lambda n=name: self.action_view("queue", n)) for name in self._queue_names)
        entries.extend(CommandEntry(f"Sort by {c.title if c.name != 'sla' else 'SLA urgency'}",
                                    "sort the queue by this column", lambda n=c.name: self._sort_by(n))
                       for c in COLUMNS)
        return entries
