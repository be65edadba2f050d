"""Passwords (argon2), bearer tokens (random, shown once, stored as sha256; expiring, revocable) and roles."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from agent_console.store.accounts import invalid_token_ids, revoke_all_tokens, token_and_account
from agent_console.store.db import KeptConnection
from agent_console.store.models import Agent, AuthToken, Role

SESSION_HOURS = 12
TOKEN_PREFIX = "acs_"
_hasher = PasswordHasher()
# Verifying against this keeps an unknown login as slow as a wrong password (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash("not a password of anyone")

ROLE_RANK = {Role.agent.value: 0, Role.supervisor.value: 1, Role.admin.value: 2}
MIN_PASSWORD_LENGTH = 10


class AuthError(ValueError):
    pass


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common (leaked) passwords, lower-cased."""
    text = files("agent_console.server").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_password(password: str, login: str | None = None) -> None:
    """Refuses a password that is short, common, or contains the login name (AuthError says which)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip().lower() in common_passwords():
        raise AuthError("this password is one of the most common passwords; choose another")
    if login and login.strip() and login.strip().lower() in password.lower():
        raise AuthError("a password must not contain the login name")


def hash_password(password: str, login: str | None = None) -> str:
    check_password(password, login)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: the agent behind a valid token."""

    agent_id: int
    login: str
    name: str
    role: str
    tier: int
    queues: tuple[str, ...]
    token_id: int
    token_kind: str

    def at_least(self, role: str) -> bool:
        return ROLE_RANK.get(self.role, -1) >= ROLE_RANK[role]

    @property
    def queue_filter(self) -> list[str] | None:
        """The queues this caller may see, or None for every queue."""
        if self.role == Role.agent and self.queues:
            return list(self.queues)
        return None

    def may_see_queue(self, queue: str) -> bool:
        allowed = self.queue_filter
        return allowed is None or queue in allowed


def issue_token(session, agent_id: int, now: datetime, *, kind: str = "session", name: str = "",
                lifetime: timedelta | None = timedelta(hours=SESSION_HOURS)) -> tuple[str, AuthToken]:
    """A new random token for the agent; only its sha256 is stored, the token itself is returned once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = AuthToken(token_hash=token_hash(token), agent_id=agent_id, kind=kind, name=name, created_at=now,
                    expires_at=now + lifetime if lifetime else None)
    session.add(row)
    session.flush()
    return token, row


def principal_for(conn, token: str, now: datetime) -> Principal | None:
    """The agent behind a token that exists, is not revoked or expired, and belongs to an active account."""
    row = token_and_account(conn, token_hash(token))
    if row is None:
        return None
    token_id, kind, expires_at, revoked_at, agent_id, login, name, role, tier, queues, active = row
    if revoked_at is not None or not active or (expires_at is not None and expires_at <= now):
        return None
    return Principal(agent_id, login, name, role, tier, tuple(q.strip() for q in queues.split(",") if q.strip()),
                     token_id, kind)


class TokenChecker:
    """Checks every request's token against the database — no cache: a token revoked or an account deactivated
    anywhere (another worker, the CLI) is refused at once.

    On SQLite the one-row read runs on the event loop over a connection of its own: a local read costs less than
    handing the request to a worker thread and back. On PostgreSQL (a network round trip) it runs in a worker thread.
    """

    def __init__(self, store) -> None:
        self.store = store
        self._loop_connection = KeptConnection(store.engine)

    async def principal(self, token: str, now: datetime) -> Principal | None:
        if self.store.dialect == "sqlite":
            return self._check_here(token, now)
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(self._check_pooled, token, now)

    def _check_here(self, token: str, now: datetime) -> Principal | None:
        return self._loop_connection.read(principal_for, token, now)

    def _check_pooled(self, token: str, now: datetime) -> Principal | None:
        with self.store.read_engine.connect() as conn:
            return principal_for(conn, token, now)

    def close(self) -> None:
        self._loop_connection.close()


def set_password(session, agent: Agent, password: str, now: datetime) -> None:
    """A new password (checked against the rules) for the account; its tokens are revoked."""
    agent.password_hash = hash_password(password, agent.login)
    revoke_all_tokens(session, agent.id, now)


class StreamGuard:
    """Ends open ``/events`` streams whose token stops being valid (revoked — by log-out, a password change or the
    CLI —, expired, or its account deactivated), within ``check_seconds``, whichever process made the change.

    One query per process and interval, for all of its open streams (not one per stream), and none while no stream
    is open. Each stream registers its token and waits on its ``ended`` event besides the feed.
    """

    def __init__(self, store, clock, check_seconds: float = 0.5) -> None:
        self.store = store
        self.clock = clock
        self.check_seconds = check_seconds
        self._streams: dict[int, set] = {}
        self._task = None

    def open(self, token_id: int):
        import asyncio

        ended = asyncio.Event()
        self._streams.setdefault(token_id, set()).add(ended)
        return ended

    def close(self, token_id: int, ended) -> None:
        waiting = self._streams.get(token_id)
        if waiting is not None:
            waiting.discard(ended)
            if not waiting:
                del self._streams[token_id]

    def start(self, wake) -> None:
        """Checks on the running event loop; ``wake`` is awaited after ending streams (it wakes their waits)."""
        import asyncio

        self._task = asyncio.get_running_loop().create_task(self._run(wake))

    async def stop(self) -> None:
        import asyncio

        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self, wake) -> None:
        import asyncio
        import logging

        from starlette.concurrency import run_in_threadpool

        while True:
            await asyncio.sleep(self.check_seconds)
            if not self._streams:
                continue
            try:
                invalid = await run_in_threadpool(self.invalid_tokens, list(self._streams))
            except Exception:  # noqa: BLE001 - the database briefly away: check again next time
                logging.getLogger(__name__).debug("token check for open streams failed", exc_info=True)
                continue
            if not invalid:
                continue
            for token_id in invalid:
                for ended in self._streams.get(token_id, ()):
                    ended.set()
            await wake()

    def invalid_tokens(self, token_ids: list[int]) -> set[int]:
        """Of these token ids, those no longer valid."""
        now = self.clock.now()
        with self.store.read_engine.connect() as conn:
            return invalid_token_ids(conn, token_ids, now)
