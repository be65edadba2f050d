"""``agent-console mail …``: the e-mail channel's gateway commands (each part registers its own commands)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from agent_console.cli import mail_fetch, mail_gateway

    group = typer.Typer(help="Take e-mail in and send replies out (the e-mail channel).", no_args_is_help=True)
    mail_gateway.register(group)
    mail_fetch.register(group)
    app.add_typer(group, name="mail")
