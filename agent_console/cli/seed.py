"""``agent-console seed demo``: deterministic demo data (see agent_console/admin/seed.py)."""

from __future__ import annotations

import typer

from agent_console.cli.common import console, ctx_obj, fail
from agent_console.i18n import N_, _

#: From this many cases on, a progress bar shows.
PROGRESS_FROM = 5000


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Fill the store with demo data.", no_args_is_help=True)

    @group.command("demo")
    def demo(
        ctx: typer.Context,
        customers: int = typer.Option(300, "--customers", min=0, help="Customers to create."),
        cases: int = typer.Option(2000, "--cases", min=0, help="Cases to create (with threads)."),
        kb: int = typer.Option(200, "--kb", min=0, help="Knowledge-base articles."),
        seed: int = typer.Option(42, "--seed", help="Random seed: the same seed gives the same data."),
        force: bool = typer.Option(False, "--force", help="Add demo data even though the store already has cases."),
    ) -> None:
        """Agents, customers, cases with threads, canned responses, KB articles, SLA policies, surveys.

        The demo agent logs in as `demo` (tier 1, all queues); the supervisor is `sup`, the admin `admin`.
        """
        import time

        from agent_console.admin.seed import SeedRefused, seed_demo

        obj = ctx_obj(ctx)
        store = obj.store()
        started = time.perf_counter()
        try:
            if cases >= PROGRESS_FROM:
                result = _with_progress(store, obj.clock, customers, cases, kb, seed, force)
            else:
                result = seed_demo(store, obj.clock, customers=customers, cases=cases, kb=kb, seed=seed,
                                   force=force)
        except (SeedRefused, ValueError) as exc:
            fail(str(exc))
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
            db_path=obj.db_path, elapsed=elapsed, keys=keys))

    app.add_typer(group, name="seed")


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
