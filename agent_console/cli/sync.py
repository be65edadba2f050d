"""``agent-console login | logout | sync [--once] | sync status``: this store on the team's server."""

from __future__ import annotations

import sys

import typer

from agent_console.cli.common import console, ctx_obj, fail, print_json
from agent_console.i18n import N_, _

#: The lines of ``sync status``: the field of its JSON and the label it is shown with.
STATUS_FIELDS = (("server", N_("server")), ("agent", N_("agent")), ("cursor", N_("cursor")),
                 ("pending_ops", N_("pending ops")), ("last_sync_at", N_("last sync at")),
                 ("last_error", N_("last error")))


def _read_password(login: str) -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(_("password for {login}: ").format(login=login))
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _store_path(obj):
    store = obj.store()
    if store.path is None:
        fail(_("only a store file can be logged in (the token is kept beside it)"))
    return store, store.path


def _credentials(path):
    from agent_console.sync import credentials

    try:
        return credentials.load(path)
    except credentials.CredentialsError as exc:
        fail(str(exc))


def register(app: typer.Typer) -> None:
    @app.command("login")
    def login(
        ctx: typer.Context,
        user: str = typer.Argument(..., metavar="LOGIN", help="Your login on the team's server."),
        server: str = typer.Option(..., "--server", help="The server's URL, e.g. http://10.0.0.5:8765"),
    ) -> None:
        """Log this store in to the team's server (password prompted, or read from stdin when it is not a terminal).

        The token is kept beside the store with mode 0600; the console then syncs and acts as this agent."""
        from agent_console.domain.agents import AgentError, upsert_agent
        from agent_console.sync import credentials
        from agent_console.sync.client import AuthError, SyncClient, SyncError, normalise_server_url
        from agent_console.sync.engine import read_state, write_state

        obj = ctx_obj(ctx)
        try:
            server = normalise_server_url(server)
        except ValueError as exc:
            fail(str(exc))
        password = _read_password(user)
        if not password:
            fail(_("no password given"))
        store, path = _store_path(obj)
        try:
            with SyncClient(server) as client:
                answer = client.login(user, password)
        except AuthError:
            fail(_("{server} refused the log-in: wrong login or password").format(server=server))
        except SyncError as exc:
            fail(str(exc))
        agent = answer["agent"]
        creds = credentials.Credentials(
            server=server, login=agent["login"], token=answer["access_token"], name=agent.get("name", ""),
            role=agent.get("role", "agent"), tier=agent.get("tier", 1), queues=agent.get("queues", []),
            expires_at=answer.get("expires_at"))
        token_file = credentials.save(path, creds)
        previous_server = read_state(store, "server_url")
        with store.transaction() as session:
            if previous_server and previous_server != server:
                write_state(session, "cursor", "0")  # another server: its feed starts from the beginning
            write_state(session, "server_url", server)
            write_state(session, "login", creds.login)
        try:
            upsert_agent(store, obj.clock, login=creds.login, name=creds.name or creds.login, role=creds.role,
                         tier=creds.tier, queues=",".join(creds.queues))
        except AgentError as exc:
            fail(_("logged in, but the local agent record could not be written: {exc}").format(exc=exc))
        console().print(_("logged in to {server} as {login} ({role}); token in {token_file} (mode 0600)").format(
            server=server, login=creds.login, role=creds.role, token_file=token_file))
        console().print(_("run `agent-console sync --once` to fetch the team's cases now, or open the console"))

    @app.command("logout")
    def logout(ctx: typer.Context) -> None:
        """Revoke this store's token on the server (when reachable) and forget it here."""
        from agent_console.sync import credentials
        from agent_console.sync.client import SyncClient, SyncError
        from agent_console.sync.engine import write_state

        obj = ctx_obj(ctx)
        store, path = _store_path(obj)
        creds = _credentials(path)
        if creds is None:
            fail(_("this store is not logged in"))
        note = ""
        try:
            with SyncClient(creds.server, creds.token) as client:
                client.logout()
        except SyncError as exc:
            note = _(" (the server was not told: {problem})").format(problem=exc)
        credentials.delete(path)
        with store.transaction() as session:
            write_state(session, "login", "")
        console().print(_("logged out {login} from {server}{note}").format(
            login=creds.login, server=creds.server, note=note))

    group = typer.Typer(help="Sync this store with the team's server: `sync` keeps syncing until Ctrl-C, "
                        "`sync --once` does one round (push, then pull).", invoke_without_command=True)

    @group.callback()
    def sync(ctx: typer.Context,
             once: bool = typer.Option(False, "--once", help="One round (push, then pull), then exit."),
             json_out: bool = typer.Option(False, "--json", help="Print the round's result as JSON (with --once).")
             ) -> None:
        """Push local changes and pull the team's (``--once`` for scripts; otherwise keep syncing until Ctrl-C)."""
        if ctx.invoked_subcommand is not None:
            return
        from agent_console.sync.client import AuthError, SyncError
        from agent_console.sync.engine import SyncEngine, SyncStatus
        from agent_console.sync.client import SyncClient

        obj = ctx_obj(ctx)
        store, path = _store_path(obj)
        creds = _credentials(path)
        if creds is None:
            fail(_("this store is not logged in; run `agent-console login --server URL LOGIN` first"))
        out = console()
        if once:
            engine = SyncEngine(store, SyncClient(creds.server, creds.token), obj.clock, login=creds.login,
                                queues=creds.visible_queues())
            try:
                report = engine.sync_once()
            except AuthError:
                fail(_("the server refused this store's token; log in again"))
            except SyncError as exc:
                from agent_console.sync.engine import write_state

                with store.transaction() as session:
                    write_state(session, "last_error", str(exc)[:500])
                fail(_("sync failed: {exc}").format(exc=exc))
            finally:
                engine.client.close()
            if json_out:
                print_json({"pushed": report.pushed, "applied": report.applied, "pulled": report.pulled.changes,
                            "cursor": report.cursor, "pages": report.pages,
                            "notices": [n.text() for n in report.notices]})
                return
            out.print(_("pushed {pushed} op(s) ({applied} applied), pulled {changes} change(s); cursor {cursor}").format(
                
                pushed=report.pushed, applied=report.applied, changes=report.pulled.changes, cursor=report.cursor))
            from rich.text import Text

            for notice in report.notices:
                out.print(Text("! " + notice.text(), style="yellow"))
            return

        import threading

        last = {"label": None}
        from rich.text import Text

        def show(status: SyncStatus) -> None:
            label = status.label()
            if label != last["label"]:
                last["label"] = label
                tail = f" ({status.last_error})" if status.state != "online" and status.last_error else ""
                out.print(Text(_("sync: {label}{tail}").format(label=label, tail=tail)))

        engine = SyncEngine(store, SyncClient(creds.server, creds.token), obj.clock, login=creds.login,
                            queues=creds.visible_queues(), on_status=show,
                            on_notice=lambda notice: out.print(Text("! " + notice.text(), style="yellow")),
                            on_changes=lambda rep: out.print(_("pulled {changes} change(s)").format(
                                changes=rep.changes)))
        engine.start()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            engine.stop()
            engine.client.close()

    @group.command("status")
    def status(ctx: typer.Context, json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
        """Server, logged-in agent, cursor, pending ops, last error, and recent conflicts."""
        from agent_console.store import outbox
        from agent_console.sync.engine import notices, read_state, stored_cursor

        obj = ctx_obj(ctx)
        store, path = _store_path(obj)
        creds = _credentials(path)
        recent = notices(store, limit=10)
        data = {
            "server": creds.server if creds else read_state(store, "server_url") or None,
            "agent": creds.login if creds else None,
            "logged_in": creds is not None,
            "cursor": stored_cursor(store),
            "pending_ops": outbox.pending_count(store),
            "last_sync_at": read_state(store, "last_sync_at") or None,
            "last_error": read_state(store, "last_error") or None,
            "conflicts": [n.text() for n in recent],
        }
        if json_out:
            print_json(data)
            return
        from rich.text import Text

        out = console()
        for name, label in STATUS_FIELDS:
            value = data[name]
            out.print(Text(f"{_(label)}: ") + Text("—" if value in (None, "") else str(value)))
        if not creds:
            out.print(_("not logged in (agent-console login --server URL LOGIN)"))
        for line in data["conflicts"]:
            out.print(Text("! " + line, style="yellow"))

    app.add_typer(group, name="sync")
