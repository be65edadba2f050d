"""Assembles the Typer application from the command groups."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from agent_console import __version__
from agent_console.cli.common import Context, GuardedGroup
from agent_console.i18n import _


def _version(value: bool) -> None:
    if value:
        typer.echo(f"agent-console {__version__}")
        raise typer.Exit()


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="agent-console",
        cls=GuardedGroup,
        help=_("Keyboard-first console for call-center agents, supervisors and admins."),
        no_args_is_help=False,
        rich_markup_mode="rich",
        context_settings={"help_option_names": ["-h", "--help"]},
        pretty_exceptions_enable=False,
    )

    @app.callback(invoke_without_command=True)
    def root(
        ctx: typer.Context,
        db: Annotated[Optional[str], typer.Option("--db", help=_("Store file (default: $AGENT_CONSOLE_DB, then the "
                                                                 "user data dir)."), envvar=None)] = None,
        agent: Annotated[Optional[str], typer.Option("--agent", help=_("Act as this agent (login)."))] = None,
        version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                              help=_("Show the version and exit."))] = False,
    ) -> None:
        """Without a command: open the console."""
        ctx.obj = Context(db_option=db, agent_option=agent)
        if ctx.invoked_subcommand is None:
            from agent_console.cli.console import open_console

            open_console(ctx.obj)

    from agent_console.cli.register import register

    register(app)
    return app
