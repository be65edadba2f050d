"""``agent-console kb search | show | reindex | add | delete``: the knowledge base from the shell."""

from __future__ import annotations

from typing import List, Optional

import typer

from agent_console.cli.common import console, ctx_obj, fail, print_json
from agent_console.i18n import N_, _

LANGUAGE_HELP = "Only articles in this language (de or en)."


def _check_language(lang: Optional[str]) -> Optional[str]:
    if lang is None:
        return None
    lang = lang.strip().lower()
    if lang not in ("de", "en"):
        fail(_("unknown language {lang}; expected de or en").format(lang=repr(lang)))
    return lang


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Search and maintain the knowledge base.", no_args_is_help=True)

    @group.command("search")
    def search_(
        ctx: typer.Context,
        query: str = typer.Argument(..., help="Words to look for (any text is safe: no query syntax)."),
        lang: Optional[str] = typer.Option(None, "--lang", help=LANGUAGE_HELP),
        tag: List[str] = typer.Option([], "--tag", help="Only articles with this tag (repeatable)."),
        limit: int = typer.Option(10, "--limit", min=1, max=500, help="At most this many results."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Full-text search (stemmed, umlaut-folded, typo-tolerant), best match first."""
        from agent_console.store.search import search_kb

        language = _check_language(lang)
        store = ctx_obj(ctx).store()
        with store.session() as session:
            result = search_kb(session, query, language=language, tags=tag, limit=limit)
        if json_out:
            print_json({"query": query, "mode": result.mode,
                        "corrections": {k: list(v) for k, v in result.corrections.items()},
                        "results": [hit.as_dict() for hit in result.hits]})
            return
        from rich.text import Text

        from agent_console.cli.common import new_table

        out = console()
        if not result.hits:
            out.print(Text(_("No article matches {query}.").format(query=repr(query))))
            raise typer.Exit(0)
        if result.mode == "typo":
            fixes = ", ".join(f"{w} → {'/'.join(t)}" for w, t in result.corrections.items())
            out.print(Text(_("Nothing matched exactly; typo-tolerant: {fixes}").format(
                fixes=fixes), style="yellow"))
        elif result.mode == "any":
            out.print(Text(_("Not all words matched; showing articles with some of them."), style="yellow"))
        table = new_table("#", N_("slug"), N_("title"), N_("lang"), N_("score"), N_("snippet"), show_lines=True)
        for rank, hit in enumerate(result.hits, 1):
            title = Text(hit.title)
            for start, end in hit.title_spans:
                title.stylize("bold yellow", start, end)
            snippet = Text(hit.snippet.text)
            for start, end in hit.snippet.spans:
                snippet.stylize("bold yellow", start, end)
            table.add_row(str(rank), Text(hit.slug), title, hit.language, f"{hit.score:.2f}", snippet)
        out.print(table)

    @group.command("show")
    def show(
        ctx: typer.Context,
        slug: str = typer.Argument(..., help="The article's slug."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Show one article (Markdown rendered in the terminal)."""
        from agent_console.domain.kb import ArticleError, KnowledgeBase
        from agent_console.domain.text import clean_text

        obj = ctx_obj(ctx)
        try:
            article = KnowledgeBase(obj.store(), obj.clock).get(slug)
        except ArticleError as exc:
            fail(str(exc))
        if json_out:
            print_json({"id": article.id, "slug": article.slug, "title": article.title, "body": article.body,
                        "tags": [t for t in article.tags.split(",") if t], "language": article.language,
                        "helpful_votes": article.helpful_votes, "version": article.version,
                        "updated_at": article.updated_at.isoformat() if article.updated_at else None})
            return
        from rich.markdown import Markdown
        from rich.text import Text

        out = console()
        out.print(Text(article.title, style="bold"))
        out.print(Text(_("kb:{slug} · {language} · tags: {value} · helpful: {helpful_votes}").format(
            slug=article.slug, language=article.language, value=article.tags or '-', helpful_votes=article.helpful_votes), style="dim"))
        out.print(Markdown(clean_text(article.body)))

    @group.command("reindex")
    def reindex(ctx: typer.Context) -> None:
        """Rebuild the search indexes (articles and resolved replies) from the tables."""
        from agent_console.store.search import reindex as rebuild

        store = ctx_obj(ctx).store()
        result = rebuild(store)
        console().print(_("reindexed {articles} articles and {replies} replies").format(
            articles=result.articles, replies=result.replies))

    @group.command("add")
    def add(
        ctx: typer.Context,
        title: str = typer.Option(..., "--title", help="The article's title."),
        body_file: typer.FileText = typer.Option(..., "--body-file", help="Markdown file with the body ('-': stdin)."),
        lang: str = typer.Option("en", "--lang", help="de or en."),
        tags: str = typer.Option("", "--tags", help="Comma-separated tags."),
        slug: Optional[str] = typer.Option(None, "--slug", help="Stable key (default: from the title)."),
        public: bool = typer.Option(False, "--public", help="Show it on the public help center (/help)."),
        queue: Optional[str] = typer.Option(None, "--queue", help="The queue a customer's contact after reading "
                                                                   "it goes to."),
    ) -> None:
        """Add one article (internal unless --public)."""
        from agent_console.domain.kb import ArticleError, KnowledgeBase

        obj = ctx_obj(ctx)
        try:
            article = KnowledgeBase(obj.store(), obj.clock, obj.agent(required=False)).create(
                title=title, body=body_file.read(), language=lang, tags=tags, slug=slug, public=public, queue=queue)
        except ArticleError as exc:
            fail(str(exc))
        console().print(_("added kb:{slug}").format(slug=article.slug))

    @group.command("publish")
    def publish(
        ctx: typer.Context,
        slug: str = typer.Argument(..., help="The article's slug."),
        internal: bool = typer.Option(False, "--internal", help="Take it off the help center again."),
        queue: Optional[str] = typer.Option(None, "--queue", help="The queue a customer's contact after reading "
                                                                   "it goes to ('' removes it)."),
    ) -> None:
        """Show an article on the public help center (/help), or take it off with --internal."""
        from agent_console.domain.kb import ArticleError, KnowledgeBase

        obj = ctx_obj(ctx)
        try:
            article = KnowledgeBase(obj.store(), obj.clock, obj.agent(required=False)).update(
                slug, public=not internal, queue=queue or None, clear_queue=queue == "")
        except ArticleError as exc:
            fail(str(exc))
        if article.public:
            console().print(_("kb:{slug} is public on the help center").format(slug=article.slug))
        else:
            console().print(_("kb:{slug} is internal (agents only)").format(slug=article.slug))

    @group.command("delete")
    def delete(ctx: typer.Context, slug: str = typer.Argument(..., help="The article's slug.")) -> None:
        """Delete one article (and its links to cases)."""
        from agent_console.domain.kb import ArticleError, KnowledgeBase

        obj = ctx_obj(ctx)
        try:
            KnowledgeBase(obj.store(), obj.clock, obj.agent(required=False)).delete(slug)
        except ArticleError as exc:
            fail(str(exc))
        console().print(_("deleted kb:{slug}").format(slug=slug))

    app.add_typer(group, name="kb")
