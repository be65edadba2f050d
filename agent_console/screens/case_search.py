"""Search every case from anywhere (``ctrl+f``): results as you type, enter opens the case.

The search runs in a thread worker a moment after the last keystroke (``DEBOUNCE_S``), so typing never waits for
it; only the newest search's results are shown. Subjects, names and snippets are data: ``rich.text.Text`` with
highlight spans over control-masked text, never markup. On a synced console the store is the local replica, so the
search works offline too.
"""

from __future__ import annotations

from itertools import count

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from agent_console import formatting
from agent_console.domain.case_search import FilterError, describe_filter_error, search_store
from agent_console.domain.sla import SLA_STYLE, SLA_SYMBOL, format_remaining
from agent_console.domain.text import mask_controls, one_line
from agent_console.i18n import N_, _, ngettext
from agent_console.screens.agent_screen import AgentScreen
from agent_console.screens.bindings import TranslatedBindings, bindings_for
from agent_console.store.errors import describe
from agent_console.widgets.key_footer import KeyFooter
from agent_console.widgets.labels import channel_label, status_label

HIGHLIGHT = "bold black on yellow"
RESULT_LIMIT = 30
#: Seconds after the last keystroke before the search runs.
DEBOUNCE_S = 0.15
MATCHED_IN = {"message": N_("message"), "note": N_("note"), "subject": N_("subject"), "customer": N_("customer"),
              "key": N_("case key")}


def highlighted(text: str, spans, style: str = "") -> Text:
    result = Text(mask_controls(text), style=style)
    for start, end in spans:
        result.stylize(HIGHLIGHT, start, end)
    return result


class CaseSearchScreen(TranslatedBindings, AgentScreen):
    CSS_PATH = "case_search.tcss"
    BINDINGS = bindings_for("case_search")
    KEY_SCOPE = "case_search"
    KEYS_TITLE = N_("the case search")

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial_query = query
        self.hits: list = []
        self._sequence = count(1)
        self._latest = 0
        self._timer = None

    def compose(self) -> ComposeResult:
        yield Static(Text(_("Search cases"), style="bold"), id="case-search-title")
        yield Input(value=self.initial_query, id="case-search-query",
                    placeholder=_("Words, a case key, a name, an e-mail or a phone number; status: queue: "
                                  "channel: customer: before: after:"))
        yield Static(id="case-search-status", markup=False)
        yield OptionList(id="case-search-results")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#case-search-results", OptionList).can_focus = False
        self.query_one("#case-search-query", Input).focus()
        self._show_status(Text(_("Type to search every case."), style="dim"))
        if self.initial_query.strip():
            self.search_now()

    def focus_query(self) -> None:
        self.query_one("#case-search-query", Input).focus()

    # --- searching -------------------------------------------------------------------------------------------------

    @on(Input.Changed, "#case-search-query")
    def query_changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_S, self.search_now)

    def search_now(self) -> None:
        self._timer = None
        self._latest = next(self._sequence)
        query = self.query_one("#case-search-query", Input).value
        if not query.strip():
            self._show_results(self._latest, query, None)
            return
        self._run_search(self._latest, query)

    @work(thread=True, exclusive=True, group="case-search", exit_on_error=False)
    def _run_search(self, sequence: int, query: str) -> None:
        app = self.app
        try:
            found = search_store(app.store, query, app.clock.now(), limit=RESULT_LIMIT, prefix_last=True)
        except FilterError as exc:
            app.call_from_thread(self._show_problem, sequence, describe_filter_error(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the agent keeps typing; the line says what went wrong
            app.call_from_thread(self._show_problem, sequence,
                                 _("Search failed: {reason}").format(reason=describe(exc)))
            return
        app.call_from_thread(self._show_results, sequence, query, found)

    def _show_problem(self, sequence: int, message: str) -> None:
        if sequence == self._latest:
            self._show_status(Text(message, style="yellow"))

    def _show_status(self, line: Text) -> None:
        self.query_one("#case-search-status", Static).update(line)

    def _show_results(self, sequence: int, query: str, found) -> None:
        if sequence != self._latest:
            return  # a newer search is on its way: the latest wins
        self.hits = list(found.hits) if found is not None else []
        results = self.query_one("#case-search-results", OptionList)
        results.set_options(Option(self._prompt(hit), id=str(hit.case_id)) for hit in self.hits)
        results.highlighted = 0 if self.hits else None
        if found is None:
            self._show_status(Text(_("Type to search every case."), style="dim"))
        elif not self.hits:
            self._show_status(Text(_("No case matches “{query}”.").format(query=one_line(query, 60)),
                                   style="yellow"))
        else:
            line = Text(ngettext("{count} case", "{count} cases", len(self.hits)).format(
                count=formatting.number(len(self.hits))))
            if found.mode == "typo":
                fixes = ", ".join(f"{word} → {' / '.join(terms)}" for word, terms in found.corrections.items())
                line.append(" · ")
                line.append(_("near words: {fixes}").format(fixes=one_line(fixes)), style="yellow")
            elif found.mode == "any":
                line.append(" · ")
                line.append(_("not every word found; showing cases with some of them"), style="yellow")
            self._show_status(line)

    def _prompt(self, hit) -> Text:
        prompt = Text(one_line(hit.key), style="bold cyan")
        prompt.append("  ")
        prompt.append_text(highlighted(one_line(hit.subject), hit.subject_spans if one_line(hit.subject) ==
                                       hit.subject else (), style="bold"))
        prompt.append("\n  ")
        prompt.append(f"{SLA_SYMBOL[hit.sla.state]} {format_remaining(hit.sla.remaining_s)}".rstrip(),
                      style=SLA_STYLE[hit.sla.state])
        prompt.append(f"  {status_label(hit.status)} · {one_line(hit.queue)} · {channel_label(hit.channel)} · "
                      f"{one_line(hit.customer, 40)} · {_(MATCHED_IN.get(hit.matched_in, hit.matched_in))}",
                      style="dim")
        if hit.snippet.text and hit.snippet.text != hit.subject:
            prompt.append("\n  ")
            prompt.append_text(highlighted(hit.snippet.text, hit.snippet.spans))
        return prompt

    # --- actions ---------------------------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        results = self.query_one("#case-search-results", OptionList)
        if not self.hits:
            return
        current = results.highlighted if results.highlighted is not None else 0
        results.highlighted = max(0, min(len(self.hits) - 1, current + step))

    def action_open_case(self) -> None:
        results = self.query_one("#case-search-results", OptionList)
        if results.highlighted is None or not self.hits:
            return
        from agent_console.screens.case_detail import CaseDetailScreen

        self.app.push_screen(CaseDetailScreen(self.hits[results.highlighted].case_id))

    @on(OptionList.OptionSelected, "#case-search-results")
    def option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open_case()

    def action_back(self) -> None:
        self.dismiss()
