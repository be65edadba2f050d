"""``agent-console mail …``: the e-mail channel — ``mail ingest`` (``mail_ingest``), ``mail send`` / ``mail run``
(``mail_gateway``) and ``mail fetch`` (``mail_fetch``)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from agent_console.cli import mail_fetch, mail_gateway, mail_ingest

    group = typer.Typer(help="Take e-mail in and send replies out (the e-mail channel).", no_args_is_help=True)
    app.add_typer(group, name="mail")
    mail_ingest.register_ingest(group)
    mail_gateway.register(group)
    mail_fetch.register(group)
