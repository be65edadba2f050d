"""What every command shares: the global options, opening the store, the acting agent, output and errors."""

from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from typer._click.exceptions import ClickException
from typer.core import TyperGroup

from agent_console.cli.plain import acting_login, print_json  # noqa: F401  (print_json: every command's JSON)
from agent_console.i18n import _

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

        from agent_console.domain.phone_numbers import configure_region

        try:
            settings = load_settings()
        except SettingsError as exc:
            fail(str(exc))
        configure_region(settings.default_region)
        return settings

    @cached_property
    def db_path(self) -> Path:
        from agent_console.config import SettingsError, resolve_db_path

        try:
            return resolve_db_path(self.db_option)
        except SettingsError as exc:
            fail(str(exc))

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
        return acting_login(self.agent_option, lambda: self.db_path, lambda: self.settings)

    def logged_in_login(self) -> str | None:
        from agent_console.cli.plain import logged_in_login

        return logged_in_login(self.db_path)

    def agent(self, *, required: bool = True) -> "Agent | None":
        """The acting agent from ``--agent`` / settings; with one agent only (or demo data) a sensible default."""
        from agent_console.store.accounts import active_accounts
        from agent_console.store.queries import NotFound, agent_by_login

        login = self.agent_login()
        with self.store().session() as session:
            if login:
                try:
                    found = agent_by_login(session, login)
                except NotFound as exc:
                    fail(_("{exc}; see `agent-console agents list`").format(exc=exc))
                if not found.active:
                    fail(_("the agent {login} is deactivated and cannot log in").format(login=repr(login)))
                return found
            agents = active_accounts(session)
            demo = [a for a in agents if a.login == "demo"]
            if demo:
                return demo[0]
            if len(agents) == 1:
                return agents[0]
        if required:
            fail(_("which agent are you? pass --agent LOGIN (or set `agent` in the settings file)"))
        return None


def ctx_obj(ctx: typer.Context) -> Context:
    obj = ctx.find_root().obj
    if obj is None:
        obj = Context()
        ctx.find_root().obj = obj
    return obj


def console(stderr: bool = False):
    """The console every command prints through: whatever text it is given (stored data included) reaches the
    terminal only through ``clean_text`` (see ``_safe_console_class``)."""
    return _safe_console_class()(stderr=stderr, highlight=False, soft_wrap=True)


@lru_cache(maxsize=1)
def _safe_console_class():
    """A Rich console that passes every text segment through ``domain.text.clean_text`` before writing it: no escape
    sequence or control character in a value (a queue name, a login, a message) reaches the terminal, whichever
    command prints it. Rich's own styling is added after this, when the segments are written."""
    from rich.console import Console
    from rich.segment import Segment

    from agent_console.domain.text import clean_text

    class SafeConsole(Console):
        def render(self, renderable, options=None):
            for segment in super().render(renderable, options):
                if segment.control or not segment.text:
                    yield segment
                else:
                    yield Segment(clean_text(segment.text), segment.style)

    return SafeConsole


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a clear error (literally: no markup) and exit non-zero."""
    from rich.text import Text

    console(stderr=True).print(Text(_("error: "), style="bold red") + Text(message))
    raise typer.Exit(code)


class GuardedGroup(TyperGroup):
    """The root command. An expected failure in any command (a read-only or damaged store, a full disk, a file that
    cannot be read) ends in one line on standard error and exit status 1, never in a traceback — and never with the
    SQL parameters (customer data) that SQLAlchemy's exception text carries. Anything else is a bug and stays loud.

    A usage error (an unknown option, a missing argument), raised in English by the Click inside Typer, is worded in
    the interface language on its way out (``cli.localized``)."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent, **extra)
        except ClickException as exc:
            _reword(exc)
            raise

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except typer.Exit:
            raise
        except ClickException as exc:
            _reword(exc)
            raise
        except Exception as exc:
            from agent_console.store.errors import explain

            message = explain(exc, _store_path(ctx))
            if message is None:
                raise
            fail(message)


def _reword(exc) -> None:
    from agent_console.cli.localized import reword_error

    reword_error(exc)


def _store_path(ctx) -> Path | None:
    obj = ctx.find_root().obj
    if not isinstance(obj, Context):
        return None
    if obj._store is not None and obj._store.path is not None:
        return obj._store.path
    try:
        return obj.db_path
    except Exception:  # the path itself cannot be worked out: name no file rather than fail again
        return None


class CleanStream:
    """A text stream that writes through ``clean_text``: for records (CSV, JSON lines) sent to standard output, where
    a terminal may be reading. Files written with ``--out`` keep the data as stored."""

    def __init__(self, stream) -> None:
        from agent_console.domain.text import clean_text

        self._stream = stream
        self._clean = clean_text

    def write(self, text: str) -> int:
        self._stream.write(self._clean(text, keep_crlf=True))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def echo(text: str) -> None:
    """One line of plain output (no Rich), cleaned like everything else the commands print."""
    from agent_console.domain.text import clean_text

    sys.stdout.write(clean_text(text) + "\n")


DB_HELP = ("The server's database: an SQLite file path or a SQLAlchemy URL (postgresql+psycopg://user@host/db). "
           "A URL with a password is visible to every user of the machine (ps): prefer --db-file or "
           "$AGENT_CONSOLE_DB_URL.")


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


def local_or_server_command(group: typer.Typer, for_server: bool):
    """A decorator factory for a command that exists in the local group and in the ``server`` group: the local
    variant has no ``--db``."""
    def command(name: str):
        def decorate(function):
            group.command(name)(function if for_server else without_db_option(function))
            return function
        return decorate
    return command


def header_min_width(header: str) -> int:
    """The width a column needs so that its header never breaks inside a word."""
    return max((len(word) for word in header.split()), default=1)


def new_table(*headers: str, **options):
    """A Rich table whose headers never break inside a word, even on an 80-column terminal: each column is at least
    as wide as the longest word of its header (a header of several words may still break between them). The headers
    are messages (marked with ``N_``), shown in the interface language."""
    from rich.table import Table

    table = Table(**options)
    for message in headers:
        header = _(message)
        table.add_column(header, min_width=header_min_width(header))
    return table


def print_table(headers, rows, **options) -> None:
    table = new_table(*headers, **options)
    for row in rows:
        table.add_row(*row)
    console().print(table)
