"""``agent-console server``: run the team's backend, migrate its database, manage its accounts and API tokens."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from agent_console.cli.common import DB_HELP, console, ctx_obj, fail, print_json
from agent_console.cli.server_db import DB_FILE_HELP, _cannot_open, _db_url, _store
from agent_console.i18n import N_, _, ngettext

def _read_password(prompt: str) -> str:
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass(f"{prompt}: ")
        if getpass.getpass("again: ") != first:
            fail(_("the passwords differ"))
        return first
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Run the team's backend server and manage its database, accounts and tokens.",
                        invoke_without_command=True)

    @group.callback(invoke_without_command=True)
    def serve(
        ctx: typer.Context,
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        db_file: Optional[str] = typer.Option(None, "--db-file", help=DB_FILE_HELP),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (put a TLS proxy in front)."),
        port: int = typer.Option(8765, "--port", min=1, max=65535, help="Port to listen on."),
        workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes (PostgreSQL only)."),
        help_workers: int = typer.Option(0, "--help-workers", min=0, max=64,
                                         help="Also serve the public help center (/help, /survey) from N processes "
                                              "of its own on --help-port (docs/help-center.md)."),
        help_port: Optional[int] = typer.Option(None, "--help-port", min=1, max=65535,
                                                help="Port of the help-center processes (default: --port + 1)."),
        log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
        forwarded_allow_ips: str = typer.Option(
            "", "--forwarded-allow-ips", envvar="AGENT_CONSOLE_FORWARDED_ALLOW_IPS",
            help="Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed (default: none)."),
    ) -> None:
        """Without a subcommand: run the server (uvicorn) until interrupted."""
        if ctx.invoked_subcommand is not None:
            return
        from agent_console.server.app import serve as run_server
        from agent_console.server.db import open_server_store
        from agent_console.store.db import StoreError

        url = _db_url(ctx, db)
        if workers > 1 and url.startswith("sqlite"):
            fail(_("several workers need PostgreSQL; on SQLite run one worker (--workers 1)"))
        help_port = help_port or (port + 1 if port < 65535 else None)
        if help_workers and help_port in (None, port):
            fail(_("the help center's processes need a port of their own: give --help-port other than --port"))
        try:
            open_server_store(url, migrate=False).dispose()
        except StoreError as exc:
            fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - e.g. the database server is unreachable or refuses the log-in
            fail(_cannot_open(url, exc))
        console(stderr=True).print(_("agent-console server on http://{host}:{port} (API docs at /docs)").format(
            host=host, port=port))
        if help_workers:
            console(stderr=True).print(ngettext(
                "help center on http://{host}:{port}/help ({count} process of its own)",
                "help center on http://{host}:{port}/help ({count} processes of its own)", help_workers).format(
                host=host, port=help_port, count=help_workers))
        helpers = None
        if help_workers:
            from agent_console.server.help_workers import HelpWorkers

            # Started first (their port is bound here: one in use fails the command now), stopped with the server.
            helpers = HelpWorkers(url, host=host, port=help_port, count=help_workers, log_level=log_level,
                                  forwarded_allow_ips=forwarded_allow_ips)
            helpers.start()
        try:
            run_server(url, host=host, port=port, workers=workers, log_level=log_level,
                       forwarded_allow_ips=forwarded_allow_ips)
        finally:
            if helpers is not None:
                helpers.stop()

    db_group = typer.Typer(help="The server's database.", no_args_is_help=True)

    @db_group.command("upgrade")
    def db_upgrade(ctx: typer.Context, db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """Create the server's schema or migrate it to this version."""
        from agent_console.server.db import install_server_defaults
        from agent_console.store.db import StoreError, upgrade
        from agent_console.store.urls import display_url

        url = _db_url(ctx, db)
        try:
            status = upgrade(url)
            added = install_server_defaults(url, ctx_obj(ctx).clock)
        except StoreError as exc:
            fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - e.g. the database server is unreachable
            fail(_cannot_open(url, exc))
        policies = _("; added {count} default SLA policies").format(count=added) if added else ""
        console().print(_("{value}: schema {current} ({state}){policies}").format(
            value=display_url(status.url), current=status.current, state=status.state, policies=policies))

    @db_group.command("backup")
    def db_backup(
        ctx: typer.Context,
        file: Path = typer.Argument(..., help="The backup file to write."),
        force: bool = typer.Option(False, "--force", help="Overwrite FILE if it exists."),
        pg_dump: Optional[str] = typer.Option(None, "--pg-dump", help="The pg_dump program (default: from PATH "
                                                                      "or the PostgreSQL install)."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Back up the server's database while it runs: SQLite's online backup, or pg_dump's custom format for
        PostgreSQL (restore with pg_restore, see docs/server.md)."""
        from agent_console.server.backup import backup_server
        from agent_console.store.backup import BackupError

        url = _db_url(ctx, db)
        try:
            info = backup_server(url, file, force=force, pg_dump=pg_dump)
        except BackupError as exc:
            fail(str(exc))
        how = "pg_dump, custom format" if info.method == "pg_dump" else "SQLite online backup"
        console().print(_("backed up the server's database to {path} ({how}, {size:,} bytes)").format(
            path=info.path, how=how, size=info.size))

    users = typer.Typer(help="Accounts that log in to the server.", no_args_is_help=True)

    @users.command("add")
    def users_add(
        ctx: typer.Context,
        login: str = typer.Argument(..., help="Login name."),
        name: str = typer.Option(..., "--name", help="Display name."),
        role: str = typer.Option("agent", "--role", help="agent, supervisor or admin."),
        tier: int = typer.Option(1, "--tier", min=1, max=3, help="Support tier 1–3."),
        queues: str = typer.Option("", "--queues", help="Comma-separated queues (empty: all)."),
        update: bool = typer.Option(False, "--update", help="Change an existing account: replace its password and "
                                                             "log it out everywhere."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Add an account, or with --update change an existing one (its password is replaced and its tokens
        revoked). The password is read from stdin when it is not a terminal, and prompted for otherwise."""
        from agent_console.domain.agents import AgentError
        from agent_console.server.auth import AuthError, hash_password
        from agent_console.server.routes.admin import create_account

        password = _read_password(f"password for {login}")
        try:
            password_hash = hash_password(password, login)
        except AuthError as exc:
            fail(str(exc))
        store = _store(ctx.parent, db)
        try:
            agent = create_account(store, ctx_obj(ctx).clock, login=login, name=name, role=role, tier=tier,
                                   queues=queues, password_hash=password_hash, update=update)
        except AgentError as exc:
            fail(str(exc))
        finally:
            store.dispose()
        console().print(_("account {login} ({role}, tier {tier}, queues {value})").format(login=agent.login, role=agent.role, tier=agent.tier, value=agent.queues or _("all")))

    @users.command("list")
    def users_list(ctx: typer.Context, db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
                   json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
        """Accounts with role, tier, queues and whether they can log in."""
        from agent_console.store.accounts import all_accounts

        store = _store(ctx.parent, db)
        with store.session() as session:
            agents = all_accounts(session)
        store.dispose()
        rows = [{"login": a.login, "name": a.name, "role": a.role, "tier": a.tier, "queues": a.queue_list(),
                 "active": a.active, "password": a.password_hash is not None} for a in agents]
        if json_out:
            print_json(rows)
            return
        from rich.text import Text

        from agent_console.cli.common import new_table

        table = new_table(N_("login"), N_("name"), N_("role"), N_("tier"), N_("queues"), N_("can log in"))
        for r in rows:
            table.add_row(Text(r["login"]), Text(r["name"]), r["role"], str(r["tier"]),
                          Text(",".join(r["queues"]) or _("all")), _("yes") if r["active"] and r["password"] else _("no"))
        console().print(table)

    @users.command("deactivate")
    def users_deactivate(
        ctx: typer.Context,
        login: str = typer.Argument(..., help="The account's login."),
        release: bool = typer.Option(False, "--release", help="Put the account's open cases back into their "
                                                              "queues, unassigned."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """The account can no longer log in (its tokens are revoked) and leaves every queue; its cases and history
        stay. `server users add LOGIN …` activates it again."""
        from agent_console.domain.agents import AgentError, deactivate_agent

        store = _store(ctx.parent, db)
        try:
            open_cases = deactivate_agent(store, ctx_obj(ctx).clock, login, release=release)
        except AgentError as exc:
            fail(str(exc))
        finally:
            store.dispose()
        from agent_console.cli.agents import deactivation_message

        console().print(deactivation_message("account", login, open_cases, release,
                                             f"server users deactivate {login} --release"))

    @users.command("remove")
    def users_remove(ctx: typer.Context, login: str = typer.Argument(..., help="The account's login."),
                     db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """Delete an account with no history; one that has worked cases is refused (deactivate it instead)."""
        from agent_console.domain.agents import AgentError, remove_agent

        store = _store(ctx.parent, db)
        try:
            remove_agent(store, ctx_obj(ctx).clock, login)
        except AgentError as exc:
            fail(str(exc))
        finally:
            store.dispose()
        console().print(_("removed account {login}").format(login=login))

    tokens = typer.Typer(help="API tokens for integrations (mail gateway, phone system, web form).",
                         no_args_is_help=True)

    @tokens.command("create")
    def tokens_create(
        ctx: typer.Context,
        login: str = typer.Argument(..., help="The account the token acts as."),
        name: str = typer.Option(..., "--name", help="What the token is for (shown by `tokens list`)."),
        days: Optional[int] = typer.Option(None, "--days", min=1, max=3650, help="Expire after N days (default: "
                                                                                   "never; revoke instead)."),
        wallboard: bool = typer.Option(False, "--wallboard", help="A read-only token that opens only the "
                                                                  "wallboard in a browser (/wallboard)."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Create an API token (or a wallboard token); it is printed once and cannot be shown again."""
        from datetime import timedelta

        from agent_console.server.auth import issue_token
        from agent_console.store.accounts import account_by_login

        store = _store(ctx.parent, db)
        now = ctx_obj(ctx).clock.now()
        try:
            with store.transaction() as session:
                agent = account_by_login(session, login)
                if agent is None:
                    fail(_("no account {login}; add it with `agent-console server users add`").format(
                        login=repr(login)))
                token, row = issue_token(session, agent.id, now, kind="wallboard" if wallboard else "api", name=name,
                                         lifetime=timedelta(days=days) if days else None)
                token_id = row.id
        finally:
            store.dispose()
        console(stderr=True).print(_("API token {token_id} for {login} ({name}); store it now, it is not shown "
                                     "again:").format(token_id=token_id, login=login, name=name))
        sys.stdout.write(token + "\n")

    @tokens.command("list")
    def tokens_list(ctx: typer.Context, db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
                    all_: bool = typer.Option(False, "--all", help="Include session tokens.")) -> None:
        """Tokens by id: account, kind, name, created, expires, revoked (never the token itself)."""
        from agent_console.store.accounts import tokens_with_logins

        store = _store(ctx.parent, db)
        with store.session() as session:
            rows = tokens_with_logins(session, include_sessions=all_)
        store.dispose()
        from rich.text import Text

        from agent_console.cli.common import new_table

        table = new_table(N_("id"), N_("login"), N_("kind"), N_("name"), N_("created"), N_("expires"), N_("revoked"))
        for token, login in rows:
            table.add_row(str(token.id), Text(login), token.kind, Text(token.name),
                          f"{token.created_at:%Y-%m-%d %H:%M}",
                          f"{token.expires_at:%Y-%m-%d %H:%M}" if token.expires_at else "never",
                          f"{token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "")
        console().print(table)

    @tokens.command("revoke")
    def tokens_revoke(
        ctx: typer.Context,
        token_id: Optional[int] = typer.Argument(None, help="Token id (see `tokens list`)."),
        login: Optional[str] = typer.Option(None, "--login", help="Revoke every token of this account instead."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Revoke one token, or every token of an account (it is logged out everywhere)."""
        from agent_console.store.accounts import account_id, revoke_all_tokens, revoke_token

        if (token_id is None) == (login is None):
            fail(_("give a token id or --login LOGIN"))
        store = _store(ctx.parent, db)
        now = ctx_obj(ctx).clock.now()
        try:
            with store.transaction() as session:
                if token_id is not None:
                    count = int(revoke_token(session, token_id, now))
                else:
                    agent_id = account_id(session, login)
                    if agent_id is None:
                        fail(_("no account {login}").format(login=repr(login)))
                    count = revoke_all_tokens(session, agent_id, now)
        finally:
            store.dispose()
        if count == 0:
            fail(_("no such unrevoked token"))
        console().print(ngettext("revoked {count} token", "revoked {count} tokens", count).format(count=count))

    feed = typer.Typer(help="The change feed consoles pull.", no_args_is_help=True)

    @feed.command("publish")
    def feed_publish(
        ctx: typer.Context,
        everything: bool = typer.Option(False, "--all", help="Re-publish every entity, not only unseen ones."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Put data written into the server's database outside the server (seed, kb/canned imports run with
        --db <the server's SQLite file>) into the change feed, so consoles receive it."""
        from agent_console.server.feed import publish_missing

        store = _store(ctx.parent, db)
        try:
            counts = publish_missing(store, everything=everything)
        finally:
            store.dispose()
        if not counts:
            console().print(_("the feed already has everything"))
            return
        console().print(_("published {counts}").format(
            counts=", ".join(f"{n} {entity}" for entity, n in sorted(counts.items()))))

    imports = typer.Typer(help="Put canned responses and KB articles on the server; every console receives them.",
                          no_args_is_help=True)

    def _import(ctx: typer.Context, kind: str, file, fmt: str | None, db: str | None) -> None:
        from agent_console.admin.importer import ImportFailed
        from agent_console.server.knowledge import import_to_server

        store = _store(ctx.parent, db)
        try:
            result, published = import_to_server(store, ctx_obj(ctx).clock, kind, file, fmt=fmt)
        except ImportFailed as exc:
            fail(str(exc))
        finally:
            store.dispose()
        from rich.text import Text

        console().print(Text(ngettext("{summary}; {count} change sent to the consoles",
                                      "{summary}; {count} changes sent to the consoles", published).format(
            summary=result.summary(), count=published)))

    @imports.command("kb")
    def import_kb(
        ctx: typer.Context,
        file: Path = typer.Argument(..., help="CSV, JSON or JSONL file, or a folder of Markdown files."),
        fmt: Optional[str] = typer.Option(None, "--format", help="csv, json or jsonl (default: by file suffix)."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Import KB articles into the server's database (same formats as `agent-console import kb`)."""
        _import(ctx, "kb", file, fmt, db)

    @imports.command("canned")
    def import_canned(
        ctx: typer.Context,
        file: Path = typer.Argument(..., help="CSV, JSON or JSONL file."),
        fmt: Optional[str] = typer.Option(None, "--format", help="csv, json or jsonl (default: by file suffix)."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Import canned responses into the server's database (same formats as `agent-console import canned`)."""
        _import(ctx, "canned", file, fmt, db)

    group.add_typer(db_group, name="db")
    group.add_typer(imports, name="import")
    group.add_typer(feed, name="feed")
    group.add_typer(users, name="users")
    from agent_console.cli.queues import build_group as queues_group
    from agent_console.cli.seed import build_group as seed_group
    from agent_console.cli.sla import build_group as sla_group

    group.add_typer(queues_group(for_server=True), name="queues")
    group.add_typer(sla_group(for_server=True), name="sla")
    group.add_typer(tokens, name="tokens")
    group.add_typer(seed_group(for_server=True), name="seed")
    app.add_typer(group, name="server")
