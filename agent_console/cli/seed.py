"""``agent-console seed demo``: deterministic demo data (see agent_console/admin/seed.py) — in this console's store,
or as ``agent-console server seed demo`` in the team server's database (SQLite or PostgreSQL), whose change feed then
carries it to the consoles."""

from __future__ import annotations

from typing import Optional

import typer

from agent_console.cli.common import DB_HELP, console, ctx_obj, fail, local_or_server_command
from agent_console.i18n import N_, _

#: From this many cases on, a progress bar shows.
PROGRESS_FROM = 5000


def register(app: typer.Typer) -> None:
    app.add_typer(build_group(for_server=False), name="seed")


def build_group(*, for_server: bool) -> typer.Typer:
    """``seed demo`` over the local store, or (``for_server``) over the server database given by ``--db``."""
    where = "the server's database" if for_server else "the store"
    group = typer.Typer(help=f"Fill {where} with demo data.", no_args_is_help=True)
    command = local_or_server_command(group, for_server)

    @command("demo")
    def demo(
        ctx: typer.Context,
        customers: int = typer.Option(300, "--customers", min=0, help="Customers to create."),
        cases: int = typer.Option(2000, "--cases", min=0, help="Cases to create (with threads)."),
        kb: int = typer.Option(200, "--kb", min=0, help="Knowledge-base articles."),
        seed: int = typer.Option(42, "--seed", help="Random seed: the same seed gives the same data."),
        force: bool = typer.Option(False, "--force", help="Add demo data even though the store already has cases."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Agents, customers, cases with threads, canned responses, KB articles, SLA policies, surveys.

        The demo agent logs in as `demo` (tier 1, all queues); the supervisor is `sup`, the admin `admin`.
        """
        import time

        from agent_console.admin.seed import SeedRefused, seed_demo
        from agent_console.cli.server_db import target_store

        obj = ctx_obj(ctx)
        started = time.perf_counter()
        with target_store(ctx, db, for_server) as store:
            try:
                if cases >= PROGRESS_FROM:
                    result = _with_progress(store, obj.clock, customers, cases, kb, seed, force)
                else:
                    result = seed_demo(store, obj.clock, customers=customers, cases=cases, kb=kb, seed=seed,
                                       force=force)
            except (SeedRefused, ValueError) as exc:
                fail(str(exc))
            if for_server:
                from agent_console.server.feed import publish_missing
                from agent_console.store.urls import display_url

                publish_missing(store)
                where = display_url(store.url)
            else:
                where = obj.db_path
        elapsed = time.perf_counter() - started
        from agent_console.cli.common import new_table

        table = new_table(N_("table"), N_("rows added"), box=None)
        for name, count in result.counts.items():
            table.add_row(name, f"{count:,}")
        console().print(table)
        if result.breached_cases:
            console().print(_("{breached_cases:,} open cases are already past an SLA target: their breaches and "
                              "automatic escalations are recorded").format(breached_cases=result.breached_cases))
        keys = f" ({result.first_case_key} … {result.last_case_key})" if result.first_case_key else ""
        console().print(_("seeded {db_path} in {elapsed:.1f} s{keys}; log in as `demo`, `sup` or `admin`").format(
            db_path=where, elapsed=elapsed, keys=keys))

    return group


def _with_progress(store, clock, customers, cases, kb, seed, force):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from agent_console.admin.seed import seed_demo

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console(stderr=True), transient=False) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done if total else 1)

        return seed_demo(store, clock, customers=customers, cases=cases, kb=kb, seed=seed, force=force,
                         progress=progress)
