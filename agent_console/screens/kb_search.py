"""Knowledge-base search: results as you type, open an article, insert its link or an excerpt, link it to the case,
mark it helpful; and a second tab with how the team answered the same question before (resolved cases' replies).

``KBSearchScreen`` dismisses with text for the reply editor (the article's public link, or an excerpt as plain text:
a ``kb_text.Paragraph``) or None. Opened from a case, it searches for the case's subject and the customer's last
message at once. Article and reply text is data: snippets are ``rich.text.Text`` with highlight spans, never markup;
articles are rendered as Markdown. The store is read and written in thread workers that post their results back.
"""

from __future__ import annotations

from itertools import count

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Markdown, OptionList, Select, Static, TabbedContent, TabPane, TextArea
from textual.widgets.option_list import Option

from agent_console.domain.kb import ArticleError, KnowledgeBase
from agent_console.domain.kb_text import Paragraph, PublicUrlMissing, markdown_to_text, public_article_url
from agent_console.domain.text import clean_text, one_line
from agent_console.i18n import N_, _, ngettext
from agent_console.screens.bindings import CommandEntry, TranslatedBindings, bindings_for, key_hint
from agent_console.screens.footer_fit import FooterFits
from agent_console.screens.kb_lines import article_prompt, article_status, paragraph_around, reply_prompt, reply_status
from agent_console.store.errors import describe

ALL = "__all__"
ALL_LANGUAGES = N_("All languages")
ALL_TAGS = N_("All tags")
RESULT_LIMIT = 30
#: How an article is referred to (``kb:<slug>``, as in the CLI): the same in every language.
ARTICLE_REFERENCE = "kb:{slug}"




class KBSearchScreen(FooterFits, TranslatedBindings, Screen[str | None]):
    CSS_PATH = "kb_search.tcss"
    BINDINGS = bindings_for("kb")

    def __init__(self, *, store, clock, agent, case_id: int | None = None, query: str = "",
                 public_url: str | None = None) -> None:
        """``public_url``: the ``kb_public_url`` setting (None: the app's settings)."""
        super().__init__()
        self.public_url = public_url
        self.store = store
        self.clock = clock
        self.agent = agent
        self.case_id = case_id
        self.initial_query = query
        self.kb = KnowledgeBase(store, clock, agent)
        self.case_language: str | None = None
        self.case_key = ""
        self.hits: list = []
        self.replies: list = []
        self.article = None
        self._sequence = count(1)
        self._latest = {"articles": 0, "replies": 0}

    # --- layout ----------------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="kb-title", markup=False)
        with TabbedContent(initial="tab-articles", id="kb-tabs"):
            with TabPane(_("Articles"), id="tab-articles"):
                with Horizontal(classes="kb-filters"):
                    yield Input(value=self.initial_query, placeholder=_("Search the knowledge base…"),
                                id="kb-query")
                    yield Select([(_(ALL_LANGUAGES), ALL), ("de", "de"), ("en", "en")], value=ALL,
                                 allow_blank=False, id="kb-language")
                    yield Select([(_(ALL_TAGS), ALL)], value=ALL, allow_blank=False, id="kb-tag")
                yield Static(id="kb-status", markup=False)
                with Horizontal(classes="kb-main"):
                    yield OptionList(id="kb-results")
                    with Vertical(id="kb-article-pane"):
                        yield Static(id="kb-article-title", markup=False)
                        with VerticalScroll(id="kb-article-scroll"):
                            yield Markdown(id="kb-article", open_links=False)
                        yield TextArea(id="kb-excerpt", read_only=True, soft_wrap=True)
            with TabPane(_("Answered before"), id="tab-replies"):
                with Horizontal(classes="kb-filters"):
                    yield Input(placeholder=_("How did we answer this before?"), id="reply-query")
                    yield Select([(_(ALL_LANGUAGES), ALL), ("de", "de"), ("en", "en")], value=ALL,
                                 allow_blank=False, id="reply-language")
                yield Static(id="reply-status", markup=False)
                with Horizontal(classes="kb-main"):
                    yield OptionList(id="reply-results")
                    with Vertical(id="reply-pane"):
                        yield Static(id="reply-title", markup=False)
                        yield TextArea(id="reply-text", read_only=True, soft_wrap=True)
        yield Footer()

    def on_mount(self) -> None:
        for list_id in ("#kb-results", "#reply-results"):
            self.query_one(list_id, OptionList).can_focus = False
        self.query_one("#kb-excerpt", TextArea).display = False
        self.load_context()
        self.query_one("#kb-query", Input).focus()

    @work(thread=True, group="kb-context", exit_on_error=False)
    def load_context(self) -> None:
        context = self.kb.case_context(self.case_id) if self.case_id is not None else None
        tags = self.kb.all_tags()
        self.app.call_from_thread(self._context_loaded, context, tags)

    def _context_loaded(self, context, tags) -> None:
        language, key = (context.language, context.key) if context else (None, None)
        self.case_language = language if language in ("de", "en") else None
        self.case_key = key or ""
        query = self.query_one("#kb-query", Input)
        if context and context.query and not query.value.strip():
            # What the customer asked, so the agent does not retype it; typing replaces it (it is selected).
            query.value = context.query
            query.selection = (0, len(query.value))
        self._show_title()
        self.query_one("#kb-tag", Select).set_options([(_(ALL_TAGS), ALL)] + [(Text(one_line(t)), t) for t in tags])
        if self.case_language:
            self.query_one("#kb-language", Select).value = self.case_language
            self.query_one("#reply-language", Select).value = self.case_language
        self.search_articles()
        self.search_replies()

    def _show_title(self) -> None:
        title = (_("Knowledge base · case {case}").format(case=self.case_key) if self.case_key
                 else _("Knowledge base"))
        self.query_one("#kb-title", Static).update(Text(title, style="bold"))

    def refresh_language(self) -> None:
        """After a switch of the interface language: the title, the tabs, the filters' first entries and the
        status lines in the new language (the articles and replies stay as written)."""
        self._show_title()
        tabs = self.query_one("#kb-tabs", TabbedContent)
        tabs.get_tab("tab-articles").label = _("Articles")
        tabs.get_tab("tab-replies").label = _("Answered before")
        self.query_one("#kb-query", Input).placeholder = _("Search the knowledge base…")
        self.query_one("#reply-query", Input).placeholder = _("How did we answer this before?")
        for selector, first in (("#kb-language", ALL_LANGUAGES), ("#reply-language", ALL_LANGUAGES),
                                ("#kb-tag", ALL_TAGS)):
            select = self.query_one(selector, Select)
            value = select.value
            select.set_options([(_(first), ALL)] + [(label, option) for label, option in select._options[1:]
                                                     if option is not Select.NULL])
            select.value = value
        self.search_articles()
        self.search_replies()

    # --- helpers ---------------------------------------------------------------------------------------------------

    @property
    def on_replies_tab(self) -> bool:
        return self.query_one("#kb-tabs", TabbedContent).active == "tab-replies"

    def _select_value(self, selector: str) -> str | None:
        value = self.query_one(selector, Select).value
        return None if value in (ALL, Select.NULL) else str(value)

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "open":
            focused = self.focused
            if isinstance(focused, (Select, TextArea)) or (
                    focused is not None and any(isinstance(a, Select) for a in focused.ancestors)):
                return False  # enter belongs to the drop-down / the excerpt selection
        return True

    # --- searching -------------------------------------------------------------------------------------------------

    @on(Input.Changed, "#kb-query")
    @on(Select.Changed, "#kb-language")
    @on(Select.Changed, "#kb-tag")
    def search_articles(self) -> None:
        sequence = next(self._sequence)
        self._latest["articles"] = sequence
        query = self.query_one("#kb-query", Input).value
        self._run_article_search(sequence, query, self._select_value("#kb-language"), self._select_value("#kb-tag"))

    @work(thread=True, exclusive=True, group="kb-search", exit_on_error=False)
    def _run_article_search(self, sequence: int, query: str, language: str | None, tag: str | None) -> None:
        try:
            result = self.kb.search(query, language=language, tags=[tag] if tag else (), limit=RESULT_LIMIT,
                                    prefix_last=True)
        except Exception as exc:  # the agent keeps typing; the message says what went wrong
            self.app.call_from_thread(self.notify, _("Search failed: {error}").format(error=describe(exc)),
                                      severity="error", markup=False)
            return
        self.app.call_from_thread(self._show_articles, sequence, query, result)

    def _show_articles(self, sequence: int, query: str, result) -> None:
        if sequence != self._latest["articles"]:
            return  # a newer search is on its way: latest wins
        self.hits = list({hit.id: hit for hit in result.hits}.values())  # one row per article
        results = self.query_one("#kb-results", OptionList)
        results.set_options(Option(article_prompt(hit), id=str(hit.id)) for hit in self.hits)
        results.highlighted = 0 if self.hits else None
        self.query_one("#kb-status", Static).update(article_status(query, len(self.hits), result))
        self.refresh_article()

    @on(Input.Changed, "#reply-query")
    @on(Select.Changed, "#reply-language")
    def search_replies(self) -> None:
        sequence = next(self._sequence)
        self._latest["replies"] = sequence
        query = self.query_one("#reply-query", Input).value
        self._run_reply_search(sequence, query, self._select_value("#reply-language"))

    @work(thread=True, exclusive=True, group="reply-search", exit_on_error=False)
    def _run_reply_search(self, sequence: int, query: str, language: str | None) -> None:
        try:
            result = self.kb.search_replies(query, language=language, limit=RESULT_LIMIT, prefix_last=True,
                                            for_case_id=self.case_id)
        except Exception as exc:
            self.app.call_from_thread(self.notify, _("Search failed: {error}").format(error=describe(exc)),
                                      severity="error", markup=False)
            return
        self.app.call_from_thread(self._show_replies, sequence, query, result)

    def _show_replies(self, sequence: int, query: str, result) -> None:
        if sequence != self._latest["replies"]:
            return
        self.replies = result.hits
        results = self.query_one("#reply-results", OptionList)
        results.set_options(Option(reply_prompt(hit), id=str(hit.message_id)) for hit in self.replies)
        results.highlighted = 0 if self.replies else None
        self.query_one("#reply-status", Static).update(reply_status(query, len(self.replies), result))
        self.show_reply()

    # --- the highlighted item --------------------------------------------------------------------------------------

    @property
    def current_hit(self):
        index = self.query_one("#kb-results", OptionList).highlighted
        return self.hits[index] if index is not None and 0 <= index < len(self.hits) else None

    @property
    def current_reply(self):
        index = self.query_one("#reply-results", OptionList).highlighted
        return self.replies[index] if index is not None and 0 <= index < len(self.replies) else None

    def refresh_article(self) -> None:
        hit = self.current_hit
        self._load_article(hit.id if hit is not None else None)

    @on(OptionList.OptionHighlighted, "#kb-results")
    def _article_highlighted(self) -> None:
        self.refresh_article()

    @work(thread=True, group="kb-article", exclusive=True, exit_on_error=False)
    def _load_article(self, article_id: int | None) -> None:
        # The worker waits for the article to be shown, so that waiting for workers (tests, snapshots) also waits
        # for the Markdown to be rendered.
        try:
            article = self.kb.get(article_id) if article_id is not None else None
        except ArticleError:  # deleted meanwhile (a sync): nothing to insert from it
            article = None
        self.app.call_from_thread(self.show_article, article_id, article)

    async def show_article(self, article_id: int | None, article) -> None:
        hit = self.current_hit
        if (hit.id if hit is not None else None) != article_id:
            return  # the agent has moved on: the newer load shows its article
        title = self.query_one("#kb-article-title", Static)
        markdown = self.query_one("#kb-article", Markdown)
        excerpt = self.query_one("#kb-excerpt", TextArea)
        self.article = article
        if article is None:
            title.update("")
            excerpt.load_text("")
            await markdown.update("")
            return
        body = clean_text(self.article.body)
        heading = Text(one_line(self.article.title), style="bold")
        heading.append(f"  {ARTICLE_REFERENCE.format(slug=one_line(self.article.slug))} · "
                       f"{one_line(self.article.language)} · ▲{self.article.helpful_votes}", style="dim")
        title.update(heading)
        excerpt.load_text(markdown_to_text(body))  # what f4 inserts: the text a customer reads
        await markdown.update(body)
        self.query_one("#kb-article-scroll").scroll_home(animate=False)

    @on(OptionList.OptionHighlighted, "#reply-results")
    def show_reply(self) -> None:
        hit = self.current_reply
        title = self.query_one("#reply-title", Static)
        text = self.query_one("#reply-text", TextArea)
        if hit is None:
            title.update("")
            text.load_text("")
            return
        heading = Text(f"{one_line(hit.case_key)}  ", style="bold cyan")
        heading.append(one_line(hit.subject, 80), style="bold")
        title.update(heading)
        text.load_text(clean_text(hit.body))

    # --- actions ---------------------------------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        selector, items = ("#reply-results", self.replies) if self.on_replies_tab else ("#kb-results", self.hits)
        if not items:
            return
        results = self.query_one(selector, OptionList)
        current = results.highlighted or 0
        results.highlighted = max(0, min(len(items) - 1, current + delta))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        """Open the highlighted article (focus it to scroll) or reply (focus it to select an excerpt)."""
        if self.on_replies_tab:
            if self.current_reply is not None:
                self.query_one("#reply-text", TextArea).focus()
            return
        if self.article is None:
            self.notify(_("No article to open."), severity="warning")
            return
        self._excerpt_mode(False)
        self.query_one("#kb-article-scroll").focus()

    def _excerpt_mode(self, on: bool) -> None:
        self.query_one("#kb-excerpt", TextArea).display = on
        self.query_one("#kb-article-scroll").display = not on

    def action_select_excerpt(self) -> None:
        if self.on_replies_tab:
            self.action_open()
            return
        if self.article is None:
            return
        self._excerpt_mode(True)
        excerpt = self.query_one("#kb-excerpt", TextArea)
        excerpt.focus()
        self.notify(_("Select with shift+arrows, then f4 inserts the selection."), timeout=4)

    def action_back(self) -> None:
        focused = self.focused
        query_id = "#reply-query" if self.on_replies_tab else "#kb-query"
        if focused is not None and focused.id not in ("kb-query", "reply-query"):
            self._excerpt_mode(False)
            self.query_one(query_id, Input).focus()
            return
        self.dismiss(None)

    def action_switch_tab(self) -> None:
        tabs = self.query_one("#kb-tabs", TabbedContent)
        if tabs.active == "tab-articles":
            tabs.active = "tab-replies"
            query = self.query_one("#reply-query", Input)
            if not query.value:
                query.value = self.query_one("#kb-query", Input).value
            query.focus()
        else:
            tabs.active = "tab-articles"
            self.query_one("#kb-query", Input).focus()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        target = "#reply-query" if event.pane.id == "tab-replies" else "#kb-query"
        self.query_one(target, Input).focus()

    def action_insert_link(self) -> None:
        if self.on_replies_tab:
            self.notify(_("Replies have no link; f4 inserts the reply or your selection."), severity="warning")
            return
        if self.article is None:
            return
        template = self.public_url
        if template is None:
            template = getattr(getattr(self.app, "settings", None), "kb_public_url", "")
        try:
            url = public_article_url(template, self.article.slug)
        except PublicUrlMissing as exc:
            self.notify(str(exc), title=_("No public link"), severity="warning", timeout=8, markup=False)
            return
        self.dismiss(url)

    def action_insert_excerpt(self) -> None:
        if self.on_replies_tab:
            hit = self.current_reply
            if hit is None:
                return
            selected = self.query_one("#reply-text", TextArea).selected_text.strip()
            self.dismiss(selected or clean_text(hit.body).strip())
            return
        # An article's excerpt is plain text (the editor shows the customer's e-mail as typed) in its own paragraph.
        if self.article is None:
            return
        excerpt = self.query_one("#kb-excerpt", TextArea)
        selected = excerpt.selected_text.strip() if excerpt.display else ""
        if not selected:
            hit = self.current_hit
            word = hit.snippet.highlighted()[0] if hit is not None and hit.snippet.spans else None
            selected = paragraph_around(markdown_to_text(self.article.body), word)
        self.dismiss(Paragraph(selected))

    def action_link_case(self) -> None:
        if self.article is None or self.on_replies_tab:
            return
        if self.case_id is None:
            self.notify(_("Open a case first to link an article to it."), severity="warning")
            return
        self._link_case(self.article.id, self.article.title, self.case_id)

    @work(thread=True, group="kb-write", exit_on_error=False)
    def _link_case(self, article_id: int, title: str, case_id: int) -> None:
        try:
            linked = self.kb.link_to_case(article_id, case_id)
        except ArticleError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        if self.case_key:
            message = (_("Linked “{title}” to case {case}.") if linked
                       else _("“{title}” is linked to case {case} already."))
        else:
            message = (_("Linked “{title}” to the case.") if linked
                       else _("“{title}” is linked to the case already."))
        self.app.call_from_thread(self.notify, message.format(title=title, case=self.case_key), markup=False)

    def action_helpful(self) -> None:
        if self.article is None or self.on_replies_tab:
            return
        self._mark_helpful(self.article.id)

    @work(thread=True, group="kb-write", exit_on_error=False)
    def _mark_helpful(self, article_id: int) -> None:
        try:
            article = self.kb.mark_helpful(article_id)
        except ArticleError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._marked_helpful, article.title, article.helpful_votes)

    def _marked_helpful(self, title: str, votes: int) -> None:
        self.notify(ngettext("Marked “{title}” helpful ({votes} vote).",
                             "Marked “{title}” helpful ({votes} votes).", votes).format(title=title, votes=votes),
                    markup=False)

        self.refresh_article()

    def action_next_language(self) -> None:
        self._cycle("#reply-language" if self.on_replies_tab else "#kb-language")

    def action_next_tag(self) -> None:
        if not self.on_replies_tab:
            self._cycle("#kb-tag")

    def _cycle(self, selector: str) -> None:
        select = self.query_one(selector, Select)
        values = [value for _label, value in select._options if value is not Select.NULL]
        if values:
            current = select.value if select.value in values else values[0]
            select.value = values[(values.index(current) + 1) % len(values)]

    def command_entries(self) -> list[CommandEntry]:
        app = self.app
        return [
            CommandEntry(_("Open the highlighted article"), key_hint(app, "kb_open"), self.action_open),
            CommandEntry(_("Insert article link into the reply"), key_hint(app, "kb_insert_link"),
                         self.action_insert_link),
            CommandEntry(_("Insert excerpt into the reply"), key_hint(app, "kb_insert_excerpt"),
                         self.action_insert_excerpt),
            CommandEntry(_("Select an excerpt of the article"), key_hint(app, "kb_select_excerpt"),
                         self.action_select_excerpt),
            CommandEntry(_("Link article to the case"), key_hint(app, "kb_link_case"), self.action_link_case),
            CommandEntry(_("Mark article helpful"), key_hint(app, "kb_helpful"), self.action_helpful),
            CommandEntry(_("Switch: articles / answered before"), key_hint(app, "kb_switch_tab"),
                         self.action_switch_tab),
            CommandEntry(_("Next language filter"), key_hint(app, "kb_language"), self.action_next_language),
            CommandEntry(_("Next tag filter"), key_hint(app, "kb_tag"), self.action_next_tag),

        ]
