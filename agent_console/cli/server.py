"""``agent-console server``: run the team's backend, migrate its database, manage its accounts and API tokens."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from agent_console.cli.common import DB_HELP, console, ctx_obj, fail, print_json


def _db_url(ctx: typer.Context, db: str | None) -> str:
    """--db of the subcommand, else of the `server` group, else the global --db / default store."""
    if db:
        return db if "://" in db else f"sqlite:///{db}"
    group_db = (ctx.parent.params.get("db") if ctx.parent is not None else None)
    if group_db:
        return group_db if "://" in group_db else f"sqlite:///{group_db}"
    return f"sqlite:///{ctx_obj(ctx).db_path}"


def _store(ctx: typer.Context, db: str | None):
    from agent_console.server.db import open_server_store
    from agent_console.store.db import StoreError

    try:
        return open_server_store(_db_url(ctx, db), clock=ctx_obj(ctx).clock, migrate=False)
    except StoreError as exc:
        fail(str(exc))


def _read_password(prompt: str) -> str:
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass(f"{prompt}: ")
        if getpass.getpass("again: ") != first:
            fail("the passwords differ")
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
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (put a TLS proxy in front)."),
        port: int = typer.Option(8765, "--port", min=1, max=65535, help="Port to listen on."),
        workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes (PostgreSQL only)."),
        log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
    ) -> None:
        """Without a subcommand: run the server (uvicorn) until interrupted."""
        if ctx.invoked_subcommand is not None:
            return
        from agent_console.server.app import serve as run_server
        from agent_console.server.db import open_server_store
        from agent_console.store.db import StoreError

        url = _db_url(ctx, db)
        if workers > 1 and url.startswith("sqlite"):
            fail("several workers need PostgreSQL; on SQLite run one worker (--workers 1)")
        try:
            open_server_store(url, migrate=False).dispose()
        except StoreError as exc:
            fail(str(exc))
        console(stderr=True).print(f"agent-console server on http://{host}:{port} (API docs at /docs)")
        run_server(url, host=host, port=port, workers=workers, log_level=log_level)

    db_group = typer.Typer(help="The server's database.", no_args_is_help=True)

    @db_group.command("upgrade")
    def db_upgrade(ctx: typer.Context, db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """Create the server's schema or migrate it to this version."""
        from agent_console.server.db import install_server_defaults
        from agent_console.store.db import StoreError, upgrade

        url = _db_url(ctx.parent, db) if ctx.parent else _db_url(ctx, db)
        try:
            status = upgrade(url)
            added = install_server_defaults(url, ctx_obj(ctx).clock)
        except StoreError as exc:
            fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - e.g. the database server is unreachable
            fail(f"cannot migrate {url}: {exc}")
        policies = f"; added {added} default SLA policies" if added else ""
        console().print(f"{status.url}: schema {status.current} ({status.state}){policies}")

    users = typer.Typer(help="Accounts that log in to the server.", no_args_is_help=True)

    @users.command("add")
    def users_add(
        ctx: typer.Context,
        login: str = typer.Argument(..., help="Login name."),
        name: str = typer.Option(..., "--name", help="Display name."),
        role: str = typer.Option("agent", "--role", help="agent, supervisor or admin."),
        tier: int = typer.Option(1, "--tier", min=1, max=3, help="Support tier 1–3."),
        queues: str = typer.Option("", "--queues", help="Comma-separated queues (empty: all)."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Add an account (or update it, replacing its password). The password is read from stdin when it is not a
        terminal, and prompted for otherwise."""
        from agent_console.domain.agents import AgentError
        from agent_console.server.auth import AuthError, hash_password
        from agent_console.server.routes.admin import create_account

        password = _read_password(f"password for {login}")
        try:
            password_hash = hash_password(password)
        except AuthError as exc:
            fail(str(exc))
        store = _store(ctx.parent, db)
        try:
            agent = create_account(store, ctx_obj(ctx).clock, login=login, name=name, role=role, tier=tier,
                                   queues=queues, password_hash=password_hash)
        except AgentError as exc:
            fail(str(exc))
        finally:
            store.dispose()
        console().print(f"account {agent.login} ({agent.role}, tier {agent.tier}, queues {agent.queues or 'all'})")

    @users.command("list")
    def users_list(ctx: typer.Context, db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
                   json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
        """Accounts with role, tier, queues and whether they can log in."""
        from sqlalchemy import select

        from agent_console.store.models import Agent

        store = _store(ctx.parent, db)
        with store.session() as session:
            agents = session.scalars(select(Agent).order_by(Agent.login)).all()
        store.dispose()
        rows = [{"login": a.login, "name": a.name, "role": a.role, "tier": a.tier, "queues": a.queue_list(),
                 "active": a.active, "password": a.password_hash is not None} for a in agents]
        if json_out:
            print_json(rows)
            return
        from rich.text import Text

        from agent_console.cli.common import new_table

        table = new_table("login", "name", "role", "tier", "queues", "can log in")
        for r in rows:
            table.add_row(Text(r["login"]), Text(r["name"]), r["role"], str(r["tier"]),
                          Text(",".join(r["queues"]) or "all"), "yes" if r["active"] and r["password"] else "no")
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
        suffix = ""
        if open_cases:
            suffix = (f"; {open_cases} open case{'s' if open_cases != 1 else ''} "
                      + ("back in their queues" if release else f"still assigned to {login} (--release hands them "
                                                                 "back)"))
        console().print(f"deactivated account {login}{suffix}")

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
        console().print(f"removed account {login}")

    tokens = typer.Typer(help="API tokens for integrations (mail gateway, phone system, web form).",
                         no_args_is_help=True)

    @tokens.command("create")
    def tokens_create(
        ctx: typer.Context,
        login: str = typer.Argument(..., help="The account the token acts as."),
        name: str = typer.Option(..., "--name", help="What the token is for (shown by `tokens list`)."),
        days: Optional[int] = typer.Option(None, "--days", min=1, max=3650, help="Expire after N days (default: "
                                                                                   "never; revoke instead)."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Create an API token; it is printed once and cannot be shown again."""
        from datetime import timedelta

        from sqlalchemy import select

        from agent_console.server.auth import issue_token
        from agent_console.store.models import Agent

        store = _store(ctx.parent, db)
        now = ctx_obj(ctx).clock.now()
        try:
            with store.transaction() as session:
                agent = session.scalars(select(Agent).where(Agent.login == login)).first()
                if agent is None:
                    fail(f"no account {login!r}; add it with `agent-console server users add`")
                token, row = issue_token(session, agent.id, now, kind="api", name=name,
                                         lifetime=timedelta(days=days) if days else None)
                token_id = row.id
        finally:
            store.dispose()
        console(stderr=True).print(f"API token {token_id} for {login} ({name}); store it now, it is not shown again:")
        sys.stdout.write(token + "\n")

    @tokens.command("list")
    def tokens_list(ctx: typer.Context, db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
                    all_: bool = typer.Option(False, "--all", help="Include session tokens.")) -> None:
        """Tokens by id: account, kind, name, created, expires, revoked (never the token itself)."""
        from sqlalchemy import select

        from agent_console.store.models import Agent, AuthToken

        store = _store(ctx.parent, db)
        with store.session() as session:
            query = select(AuthToken, Agent.login).join(Agent, Agent.id == AuthToken.agent_id).order_by(AuthToken.id)
            if not all_:
                query = query.where(AuthToken.kind == "api")
            rows = session.execute(query).all()
        store.dispose()
        from rich.text import Text

        from agent_console.cli.common import new_table

        table = new_table("id", "login", "kind", "name", "created", "expires", "revoked")
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
        from sqlalchemy import select, update

        from agent_console.store.models import Agent, AuthToken

        if (token_id is None) == (login is None):
            fail("give a token id or --login LOGIN")
        store = _store(ctx.parent, db)
        now = ctx_obj(ctx).clock.now()
        try:
            with store.transaction() as session:
                query = update(AuthToken).where(AuthToken.revoked_at.is_(None)).values(revoked_at=now)
                if token_id is not None:
                    query = query.where(AuthToken.id == token_id)
                else:
                    agent_id = session.scalar(select(Agent.id).where(Agent.login == login))
                    if agent_id is None:
                        fail(f"no account {login!r}")
                    query = query.where(AuthToken.agent_id == agent_id)
                count = session.execute(query).rowcount
        finally:
            store.dispose()
        if count == 0:
            fail("no such unrevoked token")
        console().print(f"revoked {count} token{'s' if count != 1 else ''}")

    feed = typer.Typer(help="The change feed consoles pull.", no_args_is_help=True)

    @feed.command("publish")
    def feed_publish(
        ctx: typer.Context,
        everything: bool = typer.Option(False, "--all", help="Re-publish every entity, not only unseen ones."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Put data written into the server's database outside the server (seed, kb/canned imports run with
        --db <server URL>) into the change feed, so consoles receive it."""
        from agent_console.server.feed import publish_missing

        store = _store(ctx.parent, db)
        try:
            counts = publish_missing(store, everything=everything)
        finally:
            store.dispose()
        if not counts:
            console().print("the feed already has everything")
            return
        console().print("published " + ", ".join(f"{n} {entity}" for entity, n in sorted(counts.items())))

    group.add_typer(db_group, name="db")
    group.add_typer(feed, name="feed")
    group.add_typer(users, name="users")
    from agent_console.cli.queues import build_group as queues_group
    from agent_console.cli.sla import build_group as sla_group

    group.add_typer(queues_group(for_server=True), name="queues")
    group.add_typer(sla_group(for_server=True), name="sla")
    group.add_typer(tokens, name="tokens")
    app.add_typer(group, name="server")
