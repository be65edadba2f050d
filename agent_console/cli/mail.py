"""``agent-console mail …``: the e-mail channel's gateway. Each part of it adds its commands through its own
``register(group)``: sending (``cli/mail_gateway.py``: ``send``, ``run``)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from agent_console.cli import mail_gateway

    group = typer.Typer(help="The e-mail channel: send reply mails, run the mail gateway.", no_args_is_help=True)
    app.add_typer(group, name="mail")
    mail_gateway.register(group)
