"""``agent-console queues add | list | rename | remove`` — and the same as ``agent-console server queues …`` on the
team server's database (see :func:`build_group`)."""

from __future__ import annotations

from typing import Optional

import typer

from agent_console.cli.common import console, ctx_obj, fail, local_or_server_command, print_json
from agent_console.cli.server_db import target_store
from agent_console.i18n import N_, _, ngettext


def build_group(*, for_server: bool) -> typer.Typer:
    """The queue commands over the local store, or (``for_server``) over the server database given by ``--db``."""
    where = "the server database's" if for_server else "this store's"
    group = typer.Typer(help=f"Manage {where} queues; once any exist, cases and agents may only name them.",
                        no_args_is_help=True)

    command = local_or_server_command(group, for_server)

    from agent_console.cli.common import DB_HELP

    @command("add")
    def add(ctx: typer.Context, name: str = typer.Argument(..., help="Queue name (unique; no commas)."),
            description: str = typer.Option("", "--description", help="What the queue is for."),
            db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """Add a queue."""
        from agent_console.domain.queues import QueueError, add_queue

        with target_store(ctx, db, for_server) as store:
            try:
                queue = add_queue(store, ctx_obj(ctx).clock, name, description)
            except QueueError as exc:
                fail(str(exc))
        console().print(_("added queue {name}").format(name=queue.name))

    @command("list")
    def list_(ctx: typer.Context, json_out: bool = typer.Option(False, "--json", help="Print JSON."),
              db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """Queues with their open cases and the active agents who work them (agents of all queues included)."""
        from agent_console.domain.queues import list_queues

        with target_store(ctx, db, for_server) as store:
            queues = list_queues(store)
        if json_out:
            print_json([{"name": q.name, "description": q.description, "open_cases": q.open_cases,
                         "agents": q.agents} for q in queues])
            return
        if not queues:
            console().print(_("no queues defined: cases and agents may name any queue (add one with `queues add`)"))
            return
        from rich.text import Text

        from agent_console.cli.common import print_table

        print_table((N_("queue"), N_("open cases"), N_("agents"), N_("description")),
                    [(Text(q.name), str(q.open_cases), str(q.agents), Text(q.description)) for q in queues])

    @command("rename")
    def rename(ctx: typer.Context, old: str = typer.Argument(..., help="The queue's name."),
               new: str = typer.Argument(..., help="Its new name."),
               db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """Rename a queue; its cases and the agents who work it move with it."""
        from agent_console.domain.queues import QueueError, rename_queue

        with target_store(ctx, db, for_server) as store:
            try:
                moved = rename_queue(store, ctx_obj(ctx).clock, old, new)
            except QueueError as exc:
                fail(str(exc))
        console().print(ngettext("renamed queue {old} to {new} ({moved} case)", "renamed queue {old} to {new} ({moved} cases)",
                                 moved).format(old=old, new=new, moved=moved))

    @command("remove")
    def remove(ctx: typer.Context, name: str = typer.Argument(..., help="The queue's name."),
               db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """Remove a queue with no open cases; agents who work it (besides other queues) leave it. Resolved cases
        keep the name."""
        from agent_console.domain.queues import QueueError, remove_queue

        with target_store(ctx, db, for_server) as store:
            try:
                remove_queue(store, ctx_obj(ctx).clock, name)
            except QueueError as exc:
                fail(str(exc))
        console().print(_("removed queue {name}").format(name=name))

    return group


def register(app: typer.Typer) -> None:
    app.add_typer(build_group(for_server=False), name="queues")
