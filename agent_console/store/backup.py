"""Backing up and restoring a store file with SQLite's online backup API.

A backup is a consistent copy of a live store: SQLite copies every page in one step inside one read transaction —
in WAL mode a snapshot that writers do not wait for (copying in several steps would start over after every write of
a busy console, possibly forever) — so a console may keep working while it runs. The copy is one self-contained
file (rollback journal, no ``-wal``/``-shm`` beside it), readable only by its owner (mode 0600: it holds customer
data).

A restore checks the file first (an Agent Console store, ``PRAGMA integrity_check`` clean, a schema revision this
code knows — an older one is upgraded on the copy, never on the backup), keeps the current store as
``<store>.before-restore`` and then swaps the checked copy in with one rename.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from agent_console.store.db import SCHEMA_HEAD, StoreError, _check_sqlite_file, known_revisions, sqlite_url, upgrade

SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(StoreError):
    """The backup or restore cannot be done; the message says why. Nothing was changed."""


@dataclass
class BackupInfo:
    path: Path
    revision: str
    size: int


def _side_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in SIDE_FILES]


def _copy(source: Path, target: Path) -> None:
    """SQLite online backup of ``source`` into the new file ``target`` (created with mode 0600)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            # One file, no -wal beside it: the copy can be moved, mailed or archived as it is.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def backup_store(store_path: Path, target: Path, *, force: bool = False) -> BackupInfo:
    """Copy the store at ``store_path`` to ``target``; refuses to overwrite ``target`` unless ``force``."""
    store_path, target = Path(store_path), Path(target)
    if _check_sqlite_file(store_path) != "ours":
        raise BackupError(f"no Agent Console store at {store_path}")
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give a file name for the backup")
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; pass --force to overwrite it")
    if target.resolve() == store_path.resolve():
        raise BackupError("the backup file must not be the store itself")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.part")
    partial.unlink(missing_ok=True)
    try:
        _copy(store_path, partial)
        revision = _revision(partial)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot back up {store_path}: {exc}") from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot write {target}: {exc.strerror or exc}") from None
    return BackupInfo(target, revision, target.stat().st_size)


def _checkpoint(path: Path) -> None:
    """Move the store's -wal into the file itself (its contents are already in ``.before-restore``)."""
    con = sqlite3.connect(path, timeout=30)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def _revision(path: Path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        row = None
    finally:
        con.close()
    if row is None:
        raise BackupError(f"{path} has no Agent Console schema version")
    return row[0]


def integrity_problems(path: Path, quick: bool = False) -> list[str]:
    """What SQLite's integrity check (or, ``quick``, its quick check) finds wrong with the store at ``path``: empty
    when it is intact. The file is opened read-only, so checking never changes it; raises sqlite3.Error when it cannot
    be opened at all."""
    con = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    try:
        rows = con.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:  # damaged beyond what the check itself can walk
        return [str(exc)]
    finally:
        con.close()
    lines = [str(row[0]) for row in rows]
    return [] if lines == ["ok"] else lines


def check_backup(path: Path) -> str:
    """The backup's schema revision, after checking it is a sound store this code can open; raises BackupError."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"no such file: {path}")
    try:
        kind = _check_sqlite_file(path)
    except StoreError as exc:
        raise BackupError(str(exc)) from None
    if kind != "ours":
        raise BackupError(f"{path} is not an Agent Console store backup (it is empty)")
    try:
        problems = integrity_problems(path)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened to check it: {exc}") from None
    if problems:
        raise BackupError(f"{path} is damaged (integrity check: {'; '.join(problems[:3])})")
    revision = _revision(path)
    if revision != SCHEMA_HEAD and revision not in known_revisions():
        raise BackupError(f"{path} is at schema revision {revision}, newer than this version of Agent Console knows "
                          f"(head {SCHEMA_HEAD}); restore it with a newer agent-console")
    return revision


@dataclass
class RestoreInfo:
    store_path: Path
    previous: Path | None
    revision_in_backup: str
    revision: str


#: SQLite's "dead man switch" byte in a WAL store's -shm file: every connection that has the store open holds a
#: shared lock on it (os_unix.c, UNIX_SHM_DMS).
_SHM_DMS_OFFSET = 128


def store_in_use(store_path: Path) -> bool:
    """True when another process has the store open (a console, the server, a sync): it holds SQLite's lock on the
    -shm file. Probed by taking that lock for an instant, as SQLite itself does when it opens the store. Not for a
    process that has the store open itself (POSIX locks are per process: closing the probe's file drops them)."""
    shm = Path(store_path).with_name(Path(store_path).name + "-shm")
    try:
        import fcntl
    except ImportError:  # not POSIX: no probe; the restore command asks to close the consoles instead
        return False
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_OFFSET, os.SEEK_SET)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, _SHM_DMS_OFFSET, os.SEEK_SET)
        return False
    finally:
        os.close(fd)


def restore_store(backup: Path, store_path: Path) -> RestoreInfo:
    """Replace the store at ``store_path`` by the checked contents of ``backup``.

    The current store (if any) is first copied to ``<store>.before-restore`` (an online backup, so its ``-wal`` is
    included); the new store is built and checked beside it and then renamed over it in one step, and the old
    ``-wal``/``-shm`` files are removed so SQLite cannot replay them onto the restored file.
    """
    backup, store_path = Path(backup), Path(store_path)
    revision_in_backup = check_backup(backup)
    if store_path.exists() and backup.resolve() == store_path.resolve():
        raise BackupError("the backup file is the store itself")
    if store_path.exists():
        try:
            _check_sqlite_file(store_path)
        except StoreError as exc:
            raise BackupError(f"{exc} (the restore would replace it)") from None
    if store_in_use(store_path):
        raise BackupError(f"{store_path} is open in a console or another program (agent-console, the server, a "
                          "sync); close it first — nothing was changed")
    store_path.parent.mkdir(parents=True, exist_ok=True)
    incoming = store_path.with_name(f".{store_path.name}.restoring")
    for leftover in [incoming, *_side_files(incoming)]:
        leftover.unlink(missing_ok=True)
    previous = None
    try:
        _copy(backup, incoming)
        if revision_in_backup != SCHEMA_HEAD:
            upgrade(sqlite_url(incoming))
        revision = _revision(incoming)
        if store_path.exists() and store_path.stat().st_size > 0:
            previous = store_path.with_name(store_path.name + ".before-restore")
            aside = previous.with_name(f".{previous.name}.part")
            aside.unlink(missing_ok=True)
            _copy(store_path, aside)
            os.replace(aside, previous)
            _checkpoint(store_path)
        for side in _side_files(store_path):
            side.unlink(missing_ok=True)
        os.replace(incoming, store_path)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot restore {backup}: {exc}") from None
    except OSError as exc:
        raise BackupError(f"cannot restore into {store_path}: {exc.strerror or exc}") from None
    finally:
        for leftover in [incoming, *_side_files(incoming)]:
            leftover.unlink(missing_ok=True)
    return RestoreInfo(store_path, previous, revision_in_backup, revision)
