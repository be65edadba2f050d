"""``agent-console db init | upgrade | status``."""

from __future__ import annotations

import typer

from agent_console.cli.common import console, ctx_obj, fail, print_json


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Create, migrate and inspect the local store.", no_args_is_help=True)

    @group.command("init")
    def init(ctx: typer.Context) -> None:
        """Create the store (or bring an existing one up to date)."""
        from agent_console.store.db import StoreError, upgrade

        from sqlalchemy import select

        from agent_console.domain.sla import install_default_policies
        from agent_console.store.db import open_store
        from agent_console.store.models import SlaPolicy

        obj = ctx_obj(ctx)
        try:
            status = upgrade(f"sqlite:///{obj.db_path}")
        except StoreError as exc:
            fail(str(exc))
        store = open_store(obj.db_path)
        try:
            with store.transaction() as session:
                # A new store gets the default SLA policies, as the demo data and a new server database have.
                added = (install_default_policies(session)
                         if session.scalars(select(SlaPolicy.id).limit(1)).first() is None else 0)
        finally:
            store.dispose()
        policies = f", {added} default SLA policies" if added else ""
        console().print(f"store ready at {obj.db_path} (schema {status.current}{policies})")

    @group.command("upgrade")
    def upgrade_cmd(ctx: typer.Context, revision: str = typer.Option("head", help="Target revision.")) -> None:
        """Migrate the store's schema in place, keeping its data."""
        from agent_console.store.db import StoreError, store_status, upgrade

        obj = ctx_obj(ctx)
        url = f"sqlite:///{obj.db_path}"
        try:
            before = store_status(url)
            if before.state == "empty" and not obj.db_path.exists():
                fail(f"no store at {obj.db_path}; create it with `agent-console db init`")
            after = upgrade(url, revision)
        except StoreError as exc:
            fail(str(exc))
        if before.current == after.current:
            console().print(f"store at {obj.db_path} is already at schema {after.current}")
        else:
            console().print(f"upgraded {obj.db_path} from schema {before.current or 'none'} to {after.current}")

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
        table.add_row("store", str(obj.db_path))
        table.add_row("exists", "yes" if obj.db_path.exists() else "no")
        table.add_row("schema", f"{st.current or '-'} (code: {st.head}) — {st.state}")
        for name, count in st.counts.items():
            table.add_row(name, f"{count:,}")
        console().print(table)
        if st.state == "behind":
            console().print("run `agent-console db upgrade` to migrate")

    app.add_typer(group, name="db")
