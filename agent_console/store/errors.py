"""One-line explanations of the failures a store (and the files around it) can run into: a read-only file or folder,
a full disk, a damaged database, a busy lock. The command line and the console show these instead of a traceback.

The explanations never include SQL statements or their parameters: those carry customer data (SQLAlchemy puts both
into its exception text), so only the database driver's own short message is used.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from agent_console.i18n import N_, _

CHECK_ADVICE = N_("run `agent-console db check`")

# SQLite's primary result codes (the low byte of an extended code).
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26


def shown_path(path: Path | str | None) -> str:
    """A file name fit for a message: control characters, and bytes that are not UTF-8, escaped (``\\x1b``)."""
    if path is None:
        return _("the store")
    out = []
    for ch in str(path):
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x20 or 0x7F <= code < 0xA0 or 0xD800 <= code <= 0xDFFF or ch in "\u2028\u2029":
            out.append(repr(ch)[1:-1] if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    # Without a result code, go by SQLite's fixed messages.
    lowered = str(exc).lower()
    return next((value for text, value in (
        ("readonly database", _SQLITE_READONLY), ("disk is full", _SQLITE_FULL), ("malformed", _SQLITE_CORRUPT),
        ("not a database", _SQLITE_NOTADB), ("unable to open", _SQLITE_CANTOPEN), ("locked", _SQLITE_BUSY),
        ("disk i/o error", _SQLITE_IOERR)) if text in lowered), None)


def explain_sqlite(exc: sqlite3.Error, store: Path | str | None = None) -> str:
    """What a failed SQLite call means for the user, and what to do."""
    where = shown_path(store) if store is not None else _("the store")
    primary = _primary_code(exc)
    reason = _first_line(str(exc)) or type(exc).__name__
    if primary == _SQLITE_READONLY:
        return _("{store} is read-only ({reason}): nothing was saved. Check the permissions of the file and its "
                 "folder, or use another store with --db").format(store=where, reason=reason)
    if primary == _SQLITE_FULL:
        return _("the disk holding {store} is full ({reason}): nothing was saved. Free some space and try "
                 "again").format(store=where, reason=reason)
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return _("{store} is damaged ({reason}); {advice}").format(store=where, reason=reason,
                                                                  advice=_(CHECK_ADVICE))
    if primary == _SQLITE_CANTOPEN:
        return _("cannot open {store} ({reason}): check that its folder exists and is writable (SQLite keeps "
                 "journal files next to the store)").format(store=where, reason=reason)
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return _("{store} is busy: another program holds its lock ({reason}); try again in a moment").format(
            store=where, reason=reason)
    if primary == _SQLITE_PERM:
        return _("no permission to use {store} ({reason})").format(store=where, reason=reason)
    if primary == _SQLITE_IOERR:
        return _("the disk failed while using {store} ({reason}); if this repeats, {advice}").format(
            store=where, reason=reason, advice=_(CHECK_ADVICE))
    return _("database error on {store}: {reason}").format(store=where, reason=reason)


def explain_os_error(exc: OSError) -> str:
    names = [shown_path(n) for n in (exc.filename, exc.filename2) if n is not None]
    target = " → ".join(names) if names else _("a file")
    reason = exc.strerror or _first_line(str(exc)) or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        return _("the disk is full ({target}): nothing was saved. Free some space and try again").format(
            target=target)
    if exc.errno == errno.EROFS:
        return _("{target} is on a read-only file system: nothing was saved").format(target=target)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return _("no permission to use {store} ({reason})").format(store=target, reason=reason)
    return _("cannot use {target}: {reason}").format(target=target, reason=reason)


def explain(exc: BaseException, store: Path | str | None = None) -> str | None:
    """A one-line message for an expected failure, or None for anything else (a bug, to be reported as one)."""
    orig = getattr(exc, "orig", None)
    if orig is not None and exc.__class__.__module__.startswith("sqlalchemy"):
        # A DBAPIError: its text holds the SQL and the parameters; only the driver's own error is safe to show.
        if isinstance(orig, sqlite3.Error):
            return explain_sqlite(orig, store)
        if isinstance(orig, OSError):
            return explain_os_error(orig)
        return _("database error: {error}").format(error=f"{type(orig).__name__}: {_first_line(str(orig))}")
    if isinstance(exc, sqlite3.Error):
        return explain_sqlite(exc, store)
    if isinstance(exc, OSError):
        return explain_os_error(exc)
    from agent_console.store.db import StoreError

    if isinstance(exc, StoreError):
        return str(exc)
    return None


def status_label(exc: BaseException) -> str | None:
    """A few words for a status line when the store cannot be written or read until someone acts (read-only, full,
    damaged, cannot be opened), in English (``N_``: the header translates them where it shows them); None for
    failures that pass (a busy lock) and for anything else."""
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.Error):
        exc = orig
    if isinstance(exc, sqlite3.Error):
        return {_SQLITE_READONLY: N_("store read-only"), _SQLITE_FULL: N_("disk full"),
                _SQLITE_CORRUPT: N_("store damaged"), _SQLITE_NOTADB: N_("store damaged"),
                _SQLITE_CANTOPEN: N_("store cannot be opened"), _SQLITE_PERM: N_("store not permitted"),
                _SQLITE_IOERR: N_("disk error")}.get(_primary_code(exc))
    if isinstance(exc, OSError):
        return {errno.ENOSPC: N_("disk full"), errno.EROFS: N_("file system read-only")}.get(exc.errno)
    return None


def describe(exc: BaseException, store: Path | str | None = None) -> str:
    """``explain`` for an expected failure; for anything else its type and first line (no SQL parameters: the
    engines hide them)."""
    return explain(exc, store) or f"{type(exc).__name__}: {_first_line(str(exc))}"
