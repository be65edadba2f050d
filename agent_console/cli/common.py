"""What every command shares: the global options, opening the store, the acting agent, output and errors."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from agent_console.config import Settings
    from agent_console.domain.clock import Clock
    from agent_console.store.db import Store
    from agent_console.store.models import Agent


@dataclass
class Context:
    """Set up by the top-level callback from ``--db`` and ``--agent``; stored as ``typer.Context.obj``."""

    db_option: str | None = None
    agent_option: str | None = None
    _store: "Store | None" = field(default=None, repr=False)

    @cached_property
    def settings(self) -> "Settings":
        from agent_console.config import SettingsError, load_settings

        try:
            return load_settings()
        except SettingsError as exc:
            fail(str(exc))

    @cached_property
    def db_path(self) -> Path:
        from agent_console.config import resolve_db_path

        return resolve_db_path(self.db_option)

    def store(self, *, create: bool = True) -> "Store":
        if self._store is None:
            from agent_console.store.db import StoreError, open_store

            try:
                self._store = open_store(self.db_path, create=create)
            except StoreError as exc:
                fail(str(exc))
        return self._store

    @cached_property
    def clock(self) -> "Clock":
        from agent_console.domain.clock import SystemClock

        return SystemClock()

    def agent_login(self) -> str | None:
        """``--agent``, else the agent this store is logged in as on the team's server, else the settings."""
        return self.agent_option or self.logged_in_login() or self.settings.agent or None

    def logged_in_login(self) -> str | None:
        from agent_console.sync import credentials

        try:
            creds = credentials.load(self.db_path)
        except credentials.CredentialsError:
            return None
        return creds.login if creds else None

    def agent(self, *, required: bool = True) -> "Agent | None":
        """The acting agent from ``--agent`` / settings; with one agent only (or demo data) a sensible default."""
        from sqlalchemy import select

        from agent_console.store.models import Agent
        from agent_console.store.queries import NotFound, agent_by_login

        login = self.agent_login()
        with self.store().session() as session:
            if login:
                try:
                    found = agent_by_login(session, login)
                except NotFound as exc:
                    fail(f"{exc}; see `agent-console agents list`")
                if not found.active:
                    fail(f"the agent {login!r} is deactivated and cannot log in")
                return found
            agents = session.scalars(select(Agent).where(Agent.active == True).order_by(Agent.id)).all()  # noqa: E712
            demo = [a for a in agents if a.login == "demo"]
            if demo:
                return demo[0]
            if len(agents) == 1:
                return agents[0]
        if required:
            fail("which agent are you? pass --agent LOGIN (or set `agent` in the settings file)")
        return None


def ctx_obj(ctx: typer.Context) -> Context:
    obj = ctx.find_root().obj
    if obj is None:
        obj = Context()
        ctx.find_root().obj = obj
    return obj


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a clear error (literally: no markup) and exit non-zero."""
    from rich.text import Text

    console(stderr=True).print(Text("error: ", style="bold red") + Text(message))
    raise typer.Exit(code)


def print_json(data) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


DB_HELP = "The server's database: an SQLite file path or a SQLAlchemy URL (postgresql+psycopg://user@host/db)."


@contextmanager
def target_store(ctx: typer.Context, db: str | None, for_server: bool) -> Iterator["Store"]:
    """The store a command shared by the local and the ``server`` group works on: the local store, or the team
    server's database (``--db`` of the command, else of ``server``), whose writes go into its change feed."""
    if not for_server:
        yield ctx_obj(ctx).store()
        return
    from agent_console.cli.server import _store

    store = _store(ctx.parent, db)
    try:
        yield store
    finally:
        store.dispose()


def without_options(function, *names: str):
    """The command without the named parameters (they keep their defaults): Typer reads the signature, so their
    options are neither offered nor listed by ``--help``. For commands built from one function in several variants."""
    signature = inspect.signature(function)
    function.__signature__ = signature.replace(
        parameters=[p for p in signature.parameters.values() if p.name not in names])
    return function


def without_db_option(function):
    """The local variant of a command the ``server`` group shares: no ``--db``."""
    return without_options(function, "db")


def header_min_width(header: str) -> int:
    """The width a column needs so that its header never breaks inside a word."""
    return max((len(word) for word in header.split()), default=1)


def new_table(*headers: str, **options):
    """A Rich table whose headers never break inside a word, even on an 80-column terminal: each column is at least
    as wide as the longest word of its header (a header of several words may still break between them)."""
    from rich.table import Table

    table = Table(**options)
    for header in headers:
        table.add_column(header, min_width=header_min_width(header))
    return table


def print_table(headers, rows, **options) -> None:
    table = new_table(*headers, **options)
    for row in rows:
        table.add_row(*row)
    console().print(table)
