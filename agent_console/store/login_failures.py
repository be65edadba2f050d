"""Failed log-ins by key, the rows behind the server's log-in limits (:mod:`agent_console.server.ratelimit`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, insert, not_, or_, select

from agent_console.store.models import LoginFailure

_F = LoginFailure.__table__


def forget_expired(conn, short_before: datetime, long_before: datetime, long_prefix: str) -> None:
    """Deletes failures that can never count again: those before ``short_before``, except keys starting with
    ``long_prefix``, which count until ``long_before``."""
    conn.execute(delete(_F).where(or_(
        and_(_F.c.at <= short_before, not_(_F.c.key.startswith(long_prefix))),
        _F.c.at <= long_before)))


def failures(conn, keys: tuple[str, ...], prefix: str) -> list:
    """(key, at) of the failures under ``keys`` or a key starting with ``prefix``, newest first."""
    return conn.execute(select(_F.c.key, _F.c.at).where(or_(
        _F.c.key.in_(keys), _F.c.key.startswith(prefix, autoescape=True))).order_by(_F.c.at.desc())).all()


def record_failure(conn, keys: tuple[str, ...], at: datetime) -> tuple[int, ...]:
    """One failure under each key; returns the new rows' ids."""
    return tuple(conn.execute(insert(_F).returning(_F.c.id), [{"key": key, "at": at} for key in keys]).scalars())


def forgive(conn, keys: tuple[str, ...], ids: tuple[int, ...]) -> None:
    """Deletes every failure under ``keys`` and the rows ``ids``."""
    conn.execute(delete(_F).where(or_(_F.c.key.in_(keys), _F.c.id.in_(ids))))
