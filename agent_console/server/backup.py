"""``agent-console server db backup``: a consistent copy of the server's database while the server runs.

* SQLite: SQLite's online backup into one file (as ``agent-console db backup``).
* PostgreSQL: ``pg_dump --format=custom`` (a snapshot in one transaction; the server keeps serving). Restore it with
  ``pg_restore`` into an empty database (docs/server.md). Without ``pg_dump`` on this machine the exact command to run
  elsewhere is given instead. The password, if the URL has one, goes to ``pg_dump`` through ``PGPASSWORD``, never on
  its command line.
"""

from __future__ import annotations

import glob
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from agent_console.store.backup import BackupError, backup_store


@dataclass
class ServerBackup:
    path: Path
    method: str  # sqlite | pg_dump
    size: int


class PgDumpMissing(BackupError):
    """No pg_dump here; ``command`` is what to run on a machine that has it."""

    def __init__(self, command: str) -> None:
        super().__init__("pg_dump was not found (install the PostgreSQL client tools, or pass --pg-dump PATH); "
                         f"to make the backup elsewhere, run:\n  {command}")
        self.command = command


def find_pg_dump(given: str | None = None) -> str | None:
    if given:
        return given if Path(given).is_file() else shutil.which(given)
    found = shutil.which("pg_dump")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), reverse=True)
    return candidates[0] if candidates else None


def _libpq(url: str) -> tuple[str, str | None]:
    """The database URL as libpq takes it (no driver name, no password) and the password."""
    from sqlalchemy.engine import URL, make_url

    parsed = make_url(url)
    plain = URL.create("postgresql", username=parsed.username, host=parsed.host, port=parsed.port,
                       database=parsed.database, query=parsed.query)
    return plain.render_as_string(hide_password=False), parsed.password


def pg_dump_command(url: str, target: Path, pg_dump: str = "pg_dump") -> list[str]:
    dsn, _password = _libpq(url)
    return [pg_dump, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={dsn}"]


def backup_server(url: str, target: Path, *, force: bool = False, pg_dump: str | None = None) -> ServerBackup:
    target = Path(target)
    if url.startswith("sqlite"):
        from agent_console.store.db import _sqlite_path

        path = _sqlite_path(url)
        if path is None:
            raise BackupError("an in-memory database cannot be backed up")
        info = backup_store(path, target, force=force)
        return ServerBackup(info.path, "sqlite", info.size)
    if not url.startswith("postgresql"):
        raise BackupError(f"cannot back up {url.split(':', 1)[0]} databases; SQLite or PostgreSQL only")
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give a file name for the backup")
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; pass --force to overwrite it")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    program = find_pg_dump(pg_dump)
    if program is None:
        _dsn, password = _libpq(url)
        prefix = "PGPASSWORD=… " if password else ""
        raise PgDumpMissing(prefix + shlex.join(pg_dump_command(url, target)))
    partial = target.with_name(f".{target.name}.part")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # pg_dump keeps the file's mode
    _dsn, password = _libpq(url)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password
    try:
        done = subprocess.run(pg_dump_command(url, partial, program), capture_output=True, text=True, env=env)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot run {program}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"pg_dump failed: {detail[-1] if detail else f'exit status {done.returncode}'}")
    os.replace(partial, target)
    return ServerBackup(target, "pg_dump", target.stat().st_size)
