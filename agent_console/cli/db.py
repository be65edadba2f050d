"""``agent-console db init | upgrade | status | check | backup | restore``."""

from __future__ import annotations

import typer

from pathlib import Path

from agent_console.cli.common import console, ctx_obj, fail, print_json
from agent_console.i18n import N_, _


#: How a store's schema stands against this code (``store.db.StoreStatus.state``), as ``db status`` words it.
SCHEMA_STATES = {"empty": N_("empty"), "current": N_("current"), "behind": N_("behind"), "ahead": N_("ahead")}


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Create, migrate and inspect the local store.", no_args_is_help=True)

    @group.command("init")
    def init(ctx: typer.Context) -> None:
        """Create the store (or bring an existing one up to date)."""
        from agent_console.store.db import StoreError, upgrade

        from agent_console.domain.sla import install_default_policies
        from agent_console.store.db import open_store
        from agent_console.store.sla_policy_rows import has_policies

        obj = ctx_obj(ctx)
        try:
            status = upgrade(f"sqlite:///{obj.db_path}")
        except StoreError as exc:
            fail(str(exc))
        store = open_store(obj.db_path)
        try:
            with store.transaction() as session:
                # A new store gets the default SLA policies, as the demo data and a new server database have.
                added = install_default_policies(session) if not has_policies(session) else 0
        finally:
            store.dispose()
        policies = _(", {count} default SLA policies").format(count=added) if added else ""
        console().print(_("store ready at {db_path} (schema {current}{policies})").format(
            db_path=obj.db_path, current=status.current, policies=policies))

    @group.command("upgrade")
    def upgrade_cmd(ctx: typer.Context, revision: str = typer.Option("head", help="Target revision.")) -> None:
        """Migrate the store's schema in place, keeping its data."""
        from agent_console.store.db import StoreError, store_status, upgrade

        obj = ctx_obj(ctx)
        url = f"sqlite:///{obj.db_path}"
        try:
            before = store_status(url)
            if before.state == "empty" and not obj.db_path.exists():
                fail(_("no store at {db_path}; create it with `agent-console db init`").format(db_path=obj.db_path))
            after = upgrade(url, revision)
        except StoreError as exc:
            fail(str(exc))
        if before.current == after.current:
            console().print(_("store at {db_path} is already at schema {current}").format(
                db_path=obj.db_path, current=after.current))
        else:
            console().print(_("upgraded {db_path} from schema {value} to {current}").format(db_path=obj.db_path, value=before.current or _("none"), current=after.current))

    @group.command("status")
    def status(ctx: typer.Context, json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
        """Where the store is, its schema revision against this code's, and row counts."""
        from agent_console.store.db import StoreError, store_status

        obj = ctx_obj(ctx)
        try:
            st = store_status(f"sqlite:///{obj.db_path}")
        except StoreError as exc:
            fail(str(exc))
        if json_out:
            print_json({"path": str(obj.db_path), "exists": obj.db_path.exists(), "revision": st.current,
                        "head": st.head, "state": st.state, "counts": st.counts})
            return
        from rich.table import Table

        table = Table(show_header=False, box=None)
        table.add_row(_("store"), str(obj.db_path))
        table.add_row(_("exists"), _("yes") if obj.db_path.exists() else _("no"))
        table.add_row(_("schema"), _("{revision} (code: {head}) — {state}").format(
            revision=st.current or "-", head=st.head, state=_(SCHEMA_STATES.get(st.state, st.state))))
        for name, count in st.counts.items():
            table.add_row(name, f"{count:,}")
        console().print(table)
        if st.state == "behind":
            console().print(_("run `agent-console db upgrade` to migrate"))

    @group.command("backup")
    def backup(
        ctx: typer.Context,
        file: Path = typer.Argument(..., help="The backup file to write."),
        force: bool = typer.Option(False, "--force", help="Overwrite FILE if it exists."),
    ) -> None:
        """Write a consistent copy of the store to FILE (safe while consoles are using the store)."""
        from agent_console.store.backup import BackupError, backup_store

        obj = ctx_obj(ctx)
        try:
            info = backup_store(obj.db_path, file, force=force)
        except BackupError as exc:
            fail(str(exc))
        console().print(_("backed up {db_path} to {path} (schema {revision}, {size:,} bytes)").format(
            db_path=obj.db_path, path=info.path, revision=info.revision, size=info.size))

    @group.command("restore")
    def restore(
        ctx: typer.Context,
        file: Path = typer.Argument(..., help="A file written by `agent-console db backup`."),
        yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    ) -> None:
        """Replace the store by a checked backup; the current store is kept as <store>.before-restore.
        Close every console using the store first."""
        from agent_console.store.backup import BackupError, check_backup, restore_store

        obj = ctx_obj(ctx)
        try:
            check_backup(file)
        except BackupError as exc:
            fail(str(exc))
        if not yes:
            console(stderr=True).print(_("This replaces the store {db_path} by {file}. Close every console using "
                                         "it first: a console left open keeps writing to the old store.").format(
                db_path=obj.db_path, file=file))
            if not typer.confirm("Restore now?", default=False):
                fail(_("restore cancelled; nothing was changed"))
        try:
            info = restore_store(file, obj.db_path)
        except BackupError as exc:
            fail(str(exc))
        kept = _("; the previous store is kept as {path}").format(path=info.previous) if info.previous else ""
        upgraded = (_(" (upgraded from schema {revision})").format(revision=info.revision_in_backup)
                    if info.revision_in_backup != info.revision else "")
        console().print(_("restored {db_path} from {file}, schema {revision}{upgraded}{kept}").format(
            db_path=obj.db_path, file=file, revision=info.revision, upgraded=upgraded, kept=kept))
    @group.command("check")
    def check(ctx: typer.Context,
              quick: bool = typer.Option(False, "--quick", help="SQLite's quick_check: faster on a big store, but "
                                                                "does not compare indexes with their tables.")) -> None:
        """Check the store for damage with SQLite's integrity check; exit status 1 if it is damaged."""
        from agent_console.store.errors import shown_path

        obj = ctx_obj(ctx)
        path = obj.db_path
        shown = shown_path(path)
        if not path.is_file():
            fail(f"no store at {shown}" if not path.exists() else f"{shown} is not a file")
        problems = _integrity_problems(path, quick)
        if not problems:
            console().print(_("{shown}: no damage found ({value}: ok)").format(
                shown=shown, value='quick_check' if quick else 'integrity_check'))
            return
        from rich.text import Text

        out = console()
        out.print(Text(_("{shown} is damaged; SQLite reports:").format(shown=shown)))
        for line in problems[:CHECK_LINES_SHOWN]:
            out.print(Text(f"  {line}"))
        if len(problems) > CHECK_LINES_SHOWN:
            out.print(_("  … and {value} more").format(value=len(problems) - CHECK_LINES_SHOWN))
        fail(_("{shown} is damaged. Restore the last backup with `agent-console db restore FILE`, and keep the "
               "damaged file until the restored store works").format(shown=shown))

    app.add_typer(group, name="db")


#: SQLite's integrity check lists at most this many problems per run (its default limit is 100).
CHECK_LINES_SHOWN = 20


def _integrity_problems(path, quick: bool) -> list[str]:
    import sqlite3

    from agent_console.store.backup import integrity_problems
    from agent_console.store.errors import shown_path

    try:
        return integrity_problems(path, quick)
    except sqlite3.Error as exc:
        fail(_("cannot open {path} to check it: {exc}").format(path=shown_path(path), exc=exc))
