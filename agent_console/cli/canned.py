"""``agent-console canned list | show | add | edit | delete``: canned responses from the shell.

Import and export of many at once is ``agent-console import canned`` / ``export canned`` (same domain functions).
"""

from __future__ import annotations

from typing import Optional

import typer

from agent_console.cli.common import console, ctx_obj, fail, print_json
from agent_console.i18n import N_, _


def _service(ctx: typer.Context):
    from agent_console.domain.canned import CannedResponses

    obj = ctx_obj(ctx)
    return CannedResponses(obj.store(), obj.clock, obj.agent(required=False))


def _body(body: Optional[str], body_file) -> Optional[str]:
    if body is not None and body_file is not None:
        fail(_("pass either --body or --body-file, not both"))
    return body_file.read() if body_file is not None else body


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Manage canned responses (prepared answers with placeholders).", no_args_is_help=True)

    @group.command("list")
    def list_(
        ctx: typer.Context,
        lang: Optional[str] = typer.Option(None, "--lang", help="Only this language."),
        category: Optional[str] = typer.Option(None, "--category", help="Only this category."),
        search: str = typer.Option("", "--search", help="Fuzzy search over title, shortcut and body."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """List canned responses, most used first."""
        from agent_console.domain.canned import canned_dict

        matches = _service(ctx).search(search, language=lang, category=category)
        responses = [m.response for m in matches if lang is None or m.response.language == lang]
        if json_out:
            print_json([canned_dict(r) for r in responses])
            return
        from rich.text import Text

        from agent_console.cli.common import new_table

        table = new_table(N_("shortcut"), N_("title"), N_("category"), N_("lang"), N_("used"))
        for r in responses:
            table.add_row(Text(";" + r.shortcut), Text(r.title), Text(r.category), r.language, str(r.usage_count))
        console().print(table)

    @group.command("show")
    def show(
        ctx: typer.Context,
        shortcut: str = typer.Argument(..., help="The shortcut (with or without ';')."),
        case: Optional[str] = typer.Option(None, "--case", help="Render the placeholders for this case key."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Show one canned response; with --case, as it would be inserted."""
        from rich.text import Text

        from agent_console.domain.canned import CannedError, canned_dict
        from agent_console.domain.templates import render_for_case
        from agent_console.store.queries import NotFound, case_by_key

        obj = ctx_obj(ctx)
        service = _service(ctx)
        try:
            response = service.get(shortcut)
        except CannedError as exc:
            fail(str(exc))
        data = canned_dict(response)
        if case is not None:
            store = obj.store()
            with store.session() as session:
                try:
                    case_id = case_by_key(session, case).id
                except NotFound as exc:
                    fail(str(exc))
            rendered = render_for_case(store, case_id, obj.agent(required=False), obj.clock, response.body)
            data["rendered"] = rendered.text
            data["problems"] = rendered.problems
        if json_out:
            print_json(data)
            return
        out = console()
        out.print(Text(f";{response.shortcut}  {response.title}", style="bold"))
        out.print(Text(_("category: {value} · language: {language} · used {usage_count}×").format(
            value=response.category or '-', language=response.language, usage_count=response.usage_count), style="dim"))
        out.print(Text(data.get("rendered", response.body)))
        for problem in data.get("problems", []):
            out.print(Text(f"⚠ {problem}", style="yellow"))

    @group.command("add")
    def add(
        ctx: typer.Context,
        shortcut: str = typer.Argument(..., help="Shortcut typed as ;shortcut in the reply editor."),
        title: str = typer.Option(..., "--title", help="Title shown in the picker."),
        body: Optional[str] = typer.Option(None, "--body", help="The text, with {{ placeholders }}."),
        body_file: Optional[typer.FileText] = typer.Option(None, "--body-file", help="Read the text from a file."),
        category: str = typer.Option("", "--category", help="Category for the picker's filter."),
        lang: str = typer.Option("en", "--lang", help="de or en."),
    ) -> None:
        """Add a canned response."""
        from agent_console.domain.canned import CannedError

        text = _body(body, body_file)
        if text is None:
            fail(_("pass the text with --body or --body-file"))
        try:
            response = _service(ctx).create(title=title, shortcut=shortcut, body=text, category=category,
                                            language=lang)
        except CannedError as exc:
            fail(str(exc))
        console().print(_("added ;{shortcut}").format(shortcut=response.shortcut))

    @group.command("edit")
    def edit(
        ctx: typer.Context,
        shortcut: str = typer.Argument(..., help="The shortcut of the response to change."),
        title: Optional[str] = typer.Option(None, "--title"),
        new_shortcut: Optional[str] = typer.Option(None, "--shortcut", help="A new shortcut."),
        body: Optional[str] = typer.Option(None, "--body"),
        body_file: Optional[typer.FileText] = typer.Option(None, "--body-file"),
        category: Optional[str] = typer.Option(None, "--category"),
        lang: Optional[str] = typer.Option(None, "--lang"),
    ) -> None:
        """Change a canned response (only the options given)."""
        from agent_console.domain.canned import CannedError

        try:
            response = _service(ctx).update(shortcut, title=title, shortcut=new_shortcut,
                                            body=_body(body, body_file), category=category, language=lang)
        except CannedError as exc:
            fail(str(exc))
        console().print(_("saved ;{shortcut}").format(shortcut=response.shortcut))

    @group.command("delete")
    def delete(ctx: typer.Context, shortcut: str = typer.Argument(..., help="The shortcut to delete.")) -> None:
        """Delete a canned response."""
        from agent_console.domain.canned import CannedError

        try:
            _service(ctx).delete(shortcut)
        except CannedError as exc:
            fail(str(exc))
        console().print(_("deleted ;{value}").format(value=shortcut.lstrip(';')))

    app.add_typer(group, name="canned")
