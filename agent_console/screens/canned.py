"""Canned responses in the console: the picker (search, preview filled from the case, insert) and their management.

``CannedPicker`` dismisses with the rendered text (counting one use) or None. With ``manage=True`` (no case needed) it
is the management screen: enter edits instead of inserting. Create (ctrl+n), edit (ctrl+e) and delete (ctrl+d) work
in both. Every text shown comes from colleagues or customers and is rendered literally.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.worker import Worker, WorkerState
from textual.widgets import Footer, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from agent_console.domain.canned import CannedError, CannedResponses, LANGUAGES, rank_canned
from agent_console.domain.templates import PLACEHOLDERS, Rendered, render
from agent_console.domain.text import mask_controls, one_line
from agent_console.i18n import N_, _, ngettext
from agent_console.screens.bindings import CommandEntry, TranslatedBindings, bindings_for, key_hint
from agent_console.screens.footer_fit import FooterFits

from agent_console.store.errors import describe

ALL_CATEGORIES = "__all__"
ALL_CATEGORIES_LABEL = N_("All categories")
MARKER_STYLE = "bold black on yellow"


def marked_text(text: str) -> Text:
    """The rendered text with ⟦…⟧ markers made impossible to miss."""
    text = mask_controls(text)
    result = Text(text)
    start = 0
    while True:
        begin = text.find("⟦", start)
        if begin < 0:
            break
        end = text.find("⟧", begin)
        end = len(text) if end < 0 else end + 1
        result.stylize(MARKER_STYLE, begin, end)
        start = end
    return result


class CannedPicker(FooterFits, TranslatedBindings, ModalScreen[str | None]):
    CSS_PATH = "canned.tcss"
    BINDINGS = bindings_for("canned")

    def __init__(self, *, store, clock, agent, case_id: int | None = None, manage: bool = False,
                 query: str = "") -> None:
        super().__init__()
        self.store = store
        self.clock = clock
        self.agent = agent
        self.case_id = case_id
        self.manage = manage
        self.initial_query = query
        self.service = CannedResponses(store, clock, agent)
        self.responses: list = []
        self.shown: list = []
        self.context: dict = {}
        self.case_label = ""
        self.language: str | None = None
        self.category: str | None = None
        self._pending_delete: int | None = None
        self._inserting = False

    # --- layout ----------------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="canned-dialog"):
            yield Static(id="canned-title", markup=False)
            with Horizontal(id="canned-filters"):
                yield Input(value=self.initial_query, placeholder=_("Search title, ;shortcut or text…"),
                            id="canned-query")
                yield Select([(_(ALL_CATEGORIES_LABEL), ALL_CATEGORIES)], value=ALL_CATEGORIES, allow_blank=False,
                             id="canned-category")
            with Horizontal(id="canned-main"):
                yield OptionList(id="canned-list")
                with VerticalScroll(id="canned-preview-box"):
                    yield Static(id="canned-preview", markup=False)
                    yield Static(id="canned-problems", markup=False)
            yield Static(id="canned-status", markup=False)
        yield Footer()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "choose":
            # enter belongs to the category drop-down while it has focus.
            focused = self.focused
            select = self.query_one("#canned-category", Select)
            if focused is not None and (focused is select or select in focused.ancestors):
                return False
        return True

    def on_mount(self) -> None:
        self.query_one("#canned-list", OptionList).can_focus = False
        self.query_one("#canned-query", Input).focus()
        self.load()

    @work(thread=True, exclusive=True, group="canned-load", exit_on_error=False)
    def load(self, select_id: int | None = None) -> None:
        from agent_console.domain.templates import case_context
        from agent_console.store.models import Case

        responses = self.service.all()
        with self.store.session() as session:
            context = case_context(session, self.case_id, self.agent, self.clock.now())
            case = session.get(Case, self.case_id) if self.case_id is not None else None
            label = f"{one_line(case.key)} · {one_line(case.language)}" if case is not None else ""
            language = case.language if case is not None else None
        self.app.call_from_thread(self._loaded, responses, context, label, language, select_id)

    def _loaded(self, responses, context, label, language, select_id) -> None:
        self.responses = responses
        self.context = context
        self.case_label = label
        self.language = language
        self._show_title()
        self._show_categories()
        self.refresh_list(select_id)

    def _show_title(self) -> None:
        title = _("Manage canned responses") if self.manage else _("Insert a canned response")
        self.query_one("#canned-title", Static).update(Text(f"{title}  {self.case_label}".rstrip()))

    def _show_categories(self) -> None:
        categories = sorted({r.category for r in self.responses if r.category})
        select = self.query_one("#canned-category", Select)
        select.set_options([(_(ALL_CATEGORIES_LABEL), ALL_CATEGORIES)] + [(Text(one_line(c)), c) for c in categories])
        select.value = self.category if self.category in categories else ALL_CATEGORIES


    def refresh_language(self) -> None:
        """After a switch of the interface language: the titles, filters and preview in the new language (the
        responses themselves are the customer's language and stay)."""
        self.query_one("#canned-query", Input).placeholder = _("Search title, ;shortcut or text…")
        self._show_title()
        self._show_categories()
        self.refresh_list(self.current.id if self.current is not None else None)

    # --- searching -------------------------------------------------------------------------------------------------

    @on(Input.Changed, "#canned-query")
    def _query_changed(self) -> None:
        self.refresh_list()

    @on(Select.Changed, "#canned-category")
    def _category_changed(self, event: Select.Changed) -> None:
        value = event.value
        self.category = None if value in (ALL_CATEGORIES, Select.NULL) else str(value)
        self.refresh_list()

    def refresh_list(self, select_id: int | None = None) -> None:
        query = self.query_one("#canned-query", Input).value
        self.shown = [m.response for m in rank_canned(self.responses, query, language=self.language,
                                                      category=self.category)]
        option_list = self.query_one("#canned-list", OptionList)
        option_list.set_options(Option(self._prompt(r), id=str(r.id)) for r in self.shown)
        index = 0
        if select_id is not None:
            index = next((i for i, r in enumerate(self.shown) if r.id == select_id), 0)
        option_list.highlighted = index if self.shown else None
        count = len(self.shown)
        total = len(self.responses)
        self.query_one("#canned-status", Static).update(
            Text(ngettext("{count} of {total} response", "{count} of {total} responses", total)
                 .format(count=count, total=total) if self.responses else
                 _("No canned responses yet — ctrl+n creates one.")))
        self.update_preview()

    def _prompt(self, response) -> Text:
        prompt = Text(one_line(response.title), style="bold")
        prompt.append(f"  ;{one_line(response.shortcut)}", style="cyan")
        prompt.append(f"  {one_line(response.language)}",
                      style="dim" if response.language == self.language else "yellow")
        if response.category:
            prompt.append(f"  {one_line(response.category)}", style="dim")
        prompt.append(f"  ×{response.usage_count}", style="dim")
        return prompt

    @property
    def current(self):
        index = self.query_one("#canned-list", OptionList).highlighted
        if index is None or not (0 <= index < len(self.shown)):
            return None
        return self.shown[index]

    @on(OptionList.OptionHighlighted, "#canned-list")
    def _highlighted(self) -> None:
        self.update_preview()

    def rendered(self, response) -> Rendered:
        return render(response.body, self.context)

    def update_preview(self) -> None:
        preview = self.query_one("#canned-preview", Static)
        problems = self.query_one("#canned-problems", Static)
        response = self.current
        if response is None:
            preview.update(Text(_("Nothing matches."), style="dim"))
            problems.update("")
            return
        result = self.rendered(response)
        preview.update(marked_text(result.text))
        problems.update(Text("\n".join(f"⚠ {p}" for p in result.problems), style="bold yellow"))

    def action_move(self, delta: int) -> None:
        option_list = self.query_one("#canned-list", OptionList)
        if not self.shown:
            return
        current = option_list.highlighted or 0
        option_list.highlighted = max(0, min(len(self.shown) - 1, current + delta))

    def action_next_category(self) -> None:
        select = self.query_one("#canned-category", Select)
        values = [ALL_CATEGORIES] + sorted({r.category for r in self.responses if r.category})
        current = select.value if select.value in values else ALL_CATEGORIES
        select.value = values[(values.index(current) + 1) % len(values)]

    # --- choosing --------------------------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#canned-list")
    @on(Input.Submitted, "#canned-query")
    def _selected(self) -> None:
        self.action_choose()

    def action_choose(self) -> None:
        if self.manage:
            self.action_edit()
            return
        response = self.current
        if response is None:
            self.notify(_("Nothing to insert."), severity="warning")
            return
        if not self._inserting:  # enter pressed twice counts one use and inserts once
            self._inserting = True
            self._insert(response.id, self.rendered(response))

    @work(thread=True, exclusive=True, group="canned-insert", exit_on_error=False)
    def _insert(self, response_id: int, result: Rendered) -> Rendered:
        self.service.record_use(response_id)
        return result

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Dismissed once the worker is done (not from inside it), so closing the picker cancels no running worker.
        worker = event.worker
        if worker.group == "canned-insert" and worker.state == WorkerState.SUCCESS:
            self._inserted(worker.result)
        elif worker.group in ("canned-insert", "canned-delete") and worker.state == WorkerState.ERROR:
            self._inserting = False
            self.notify(describe(worker.error), title=_("Not saved"), severity="error", markup=False)

    def _inserted(self, result: Rendered) -> None:
        if result.problems:
            self.notify("\n".join([*result.problems, _("Check the marked parts before sending.")]),
                        title=_("Check the inserted text"), severity="warning", timeout=8, markup=False)
        self.dismiss(result.text)

    def action_cancel(self) -> None:
        self.dismiss(None)

    # --- managing --------------------------------------------------------------------------------------------------

    def action_new(self) -> None:
        self.app.push_screen(CannedEditor(self.service, None, default_language=self.language or "en",
                                          default_category=self.category or ""), self._after_edit)

    def action_edit(self) -> None:
        response = self.current
        if response is None:
            return
        self.app.push_screen(CannedEditor(self.service, response), self._after_edit)

    def _after_edit(self, saved_id: int | None) -> None:
        if saved_id is not None:
            self.load(saved_id)
        self.query_one("#canned-query", Input).focus()

    def action_delete(self) -> None:
        response = self.current
        if response is None:
            return
        if self._pending_delete != response.id:
            self._pending_delete = response.id
            self.notify(_("Press ctrl+d again to delete “{title}” (;{shortcut}).")
                        .format(title=response.title, shortcut=response.shortcut),
                        title=_("Delete?"), severity="warning", markup=False)
            return
        self._pending_delete = None
        self._delete(response.id, response.shortcut)

    @work(thread=True, exclusive=True, group="canned-delete", exit_on_error=False)
    def _delete(self, response_id: int, shortcut: str) -> None:
        try:
            self.service.delete(response_id)
        except CannedError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._deleted, shortcut)

    def _deleted(self, shortcut: str) -> None:
        self.notify(_("Deleted ;{shortcut}.").format(shortcut=shortcut), markup=False)
        self.load()

    def command_entries(self) -> list[CommandEntry]:
        app = self.app
        return [
            CommandEntry(_("Insert the highlighted response") if not self.manage
                         else _("Edit the highlighted response"),
                         key_hint(app, "canned_manage_edit" if self.manage else "canned_insert"), self.action_choose),
            CommandEntry(_("New canned response"), key_hint(app, "canned_new"), self.action_new),
            CommandEntry(_("Edit canned response"), key_hint(app, "canned_edit"), self.action_edit),
            CommandEntry(_("Delete canned response"),
                         _("{key} (twice)").format(key=key_hint(app, "canned_delete")), self.action_delete),
            CommandEntry(_("Next category"), key_hint(app, "canned_category"), self.action_next_category),
        ]


class CannedManager(CannedPicker):
    """Create, edit and delete canned responses (no case needed); enter edits."""

    BINDINGS = bindings_for("canned_manager")

    def __init__(self, *, store, clock, agent, case_id: int | None = None) -> None:
        super().__init__(store=store, clock=clock, agent=agent, case_id=case_id, manage=True)


class CannedEditor(TranslatedBindings, ModalScreen[int | None]):
    """The form for one canned response; dismisses with its id when saved."""

    CSS_PATH = "canned.tcss"
    BINDINGS = bindings_for("canned_editor")

    def __init__(self, service: CannedResponses, response=None, *, default_language: str = "en",
                 default_category: str = "") -> None:
        super().__init__()
        self.service = service
        self.response = response
        self.default_language = default_language if default_language in LANGUAGES else "en"
        self.default_category = default_category
        self._saving = False

    def compose(self) -> ComposeResult:
        r = self.response
        with Vertical(id="canned-editor"):
            yield Static(Text(_("Edit canned response") if r else _("New canned response")), id="editor-title")
            with Horizontal(classes="editor-row"):
                yield Label(_("Title"), classes="editor-label")
                yield Input(r.title if r else "", id="editor-title-input", max_length=200)
            with Horizontal(classes="editor-row"):
                yield Label(_("Shortcut ;"), classes="editor-label")
                yield Input(r.shortcut if r else "", id="editor-shortcut", max_length=64,
                            placeholder=_("e.g. refund"))
            with Horizontal(classes="editor-row"):
                yield Label(_("Category"), classes="editor-label")
                yield Input(r.category if r else self.default_category, id="editor-category", max_length=64)
            with Horizontal(classes="editor-row"):
                # The customer's language of the response (de/en), not the interface's.
                yield Label(_("Language"), classes="editor-label")
                yield Select([(code, code) for code in LANGUAGES], allow_blank=False,
                             value=r.language if r else self.default_language, id="editor-language")
            yield TextArea(r.body if r else "", id="editor-body", soft_wrap=True, tab_behavior="focus")
            yield Static(Text(_("Placeholders: {names}").format(
                names=", ".join("{{ " + p + " }}" for p in PLACEHOLDERS))), id="editor-help")
            yield Static(id="editor-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#editor-title-input", Input).focus()

    def action_save(self) -> None:
        values = dict(
            title=self.query_one("#editor-title-input", Input).value,
            shortcut=self.query_one("#editor-shortcut", Input).value,
            category=self.query_one("#editor-category", Input).value,
            language=str(self.query_one("#editor-language", Select).value),
            body=self.query_one("#editor-body", TextArea).text,
        )
        if not self._saving:  # a second ctrl+s while the first save runs would store the response twice
            self._saving = True
            self._save(values)

    @work(thread=True, exclusive=True, group="canned-save", exit_on_error=False)
    def _save(self, values: dict):
        """Checked and stored off the UI thread; a refusal (a bad field, a template that cannot be used) keeps the
        form open with the reason."""
        if self.response is None:
            return self.service.create(**values)
        return self.service.update(self.response.id, **values)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "canned-save":
            return
        if worker.state == WorkerState.SUCCESS:
            self._saved(worker.result.id, worker.result.shortcut)
        elif worker.state == WorkerState.ERROR:
            self._refused(worker.error)

    def _refused(self, exc: BaseException) -> None:
        self._saving = False
        if not isinstance(exc, CannedError):
            self.query_one("#editor-error", Static).update(Text(describe(exc), style="bold red"))
            return
        self.query_one("#editor-error", Static).update(Text(f"{exc}", style="bold red"))
        field = {"title": "#editor-title-input", "shortcut": "#editor-shortcut", "category": "#editor-category",
                 "body": "#editor-body"}.get(exc.field or "")
        if field:
            self.query_one(field).focus()

    def _saved(self, saved_id: int, shortcut: str) -> None:
        self.notify(_("Saved ;{shortcut}.").format(shortcut=shortcut), markup=False)

        self.dismiss(saved_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
