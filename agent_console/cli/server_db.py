"""Which database the `server` commands (and the commands shared by the local and the `server` group) work on:
``--db`` of the command, else ``--db`` / ``--db-file`` of the group, else the environment, else the local store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from agent_console.cli.common import ctx_obj, fail
from agent_console.i18n import _

if TYPE_CHECKING:
    from agent_console.store.db import Store

DB_FILE_HELP = "Read the server's database URL (or SQLite path) from the first line of this file."
#: The server's database URL from the environment, where `ps` does not show it (below --db and --db-file).
ENV_DB_URL = "AGENT_CONSOLE_DB_URL"


def _as_url(value: str) -> str:
    return value if "://" in value else f"sqlite:///{value}"


def _read_db_file(name: str) -> str:
    path = Path(name).expanduser()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        fail(_("{path}: not a text file; its first line must be the database URL").format(path=path))
    except OSError as exc:
        fail(_("cannot read the database URL from {path}: {value}").format(path=path, value=exc.strerror or exc))
    url = lines[0].strip() if lines else ""
    if not url:
        fail(_("{path}, line 1: empty; it must be the database URL (or an SQLite file path)").format(path=path))
    return url


def _db_url(ctx: typer.Context, db: str | None) -> str:
    """--db of the subcommand, else --db / --db-file of the `server` group, else $AGENT_CONSOLE_DB_URL, else the
    global store (--db, $AGENT_CONSOLE_DB, settings, default)."""
    if db:
        return _as_url(db)
    group = ctx
    while group is not None and "db_file" not in group.params:
        group = group.parent
    if group is not None:
        group_db, db_file = group.params.get("db"), group.params.get("db_file")
        if group_db and db_file:
            fail(_("give the database with --db or with --db-file, not both"))
        if db_file:
            return _as_url(_read_db_file(db_file))
        if group_db:
            return _as_url(group_db)
    from_env = os.environ.get(ENV_DB_URL, "").strip()
    if from_env:
        return _as_url(from_env)
    return f"sqlite:///{ctx_obj(ctx).db_path}"


def _cannot_open(url: str, exc: Exception) -> str:
    """A one-line reason the database at ``url`` cannot be used, with its password hidden."""
    from agent_console.store.urls import display_url, hide_password

    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return hide_password(f"cannot use the database {display_url(url)}: {reason[0] if reason else type(exc).__name__}",
                         url)


def _store(ctx: typer.Context, db: str | None):
    from agent_console.server.db import open_server_store
    from agent_console.store.db import StoreError

    url = _db_url(ctx, db)
    try:
        return open_server_store(url, clock=ctx_obj(ctx).clock, migrate=False)
    except StoreError as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - e.g. the database server is unreachable or refuses the log-in
        fail(_cannot_open(url, exc))


@contextmanager
def target_store(ctx: typer.Context, db: str | None, for_server: bool) -> Iterator["Store"]:
    """The store a command shared by the local and the ``server`` group works on: the local store, or the team
    server's database (``--db`` of the command, else of ``server``), whose writes go into its change feed."""
    if not for_server:
        yield ctx_obj(ctx).store()
        return
    store = _store(ctx.parent, db)
    try:
        yield store
    finally:
        store.dispose()
