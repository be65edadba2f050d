"""Accounts and their bearer tokens in the server's database: the statements behind log-in, token checks and
revocation (the hashing and the rules are :mod:`agent_console.server.auth`'s)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select, update

from agent_console.store.models import Agent, AuthToken, Role

_T, _A = AuthToken.__table__.c, Agent.__table__.c
#: Built once: this runs on every request.
_TOKEN_AND_ACCOUNT = (
    select(_T.id, _T.kind, _T.expires_at, _T.revoked_at, _A.id, _A.login, _A.name, _A.role, _A.tier, _A.queues,
           _A.active)
    .join_from(AuthToken.__table__, Agent.__table__, _T.agent_id == _A.id)
    .where(_T.token_hash == bindparam("token_hash"))
)


def token_and_account(conn, token_hash: str):
    """(token id, kind, expires_at, revoked_at, agent id, login, name, role, tier, queues, active) of the token with
    this hash, or None."""
    return conn.execute(_TOKEN_AND_ACCOUNT, {"token_hash": token_hash}).first()


def invalid_token_ids(conn, token_ids: list[int], now: datetime) -> set[int]:
    """Of these token ids, those revoked, expired, or of a deactivated account."""
    query = (select(_T.id).join_from(AuthToken.__table__, Agent.__table__, _T.agent_id == _A.id)
             .where(_T.id.in_(token_ids))
             .where(_T.revoked_at.is_not(None) | _A.active.is_(False)
                    | (_T.expires_at.is_not(None) & (_T.expires_at <= now))))
    return set(conn.execute(query).scalars())


def revoke_token(session, token_id: int, now: datetime) -> bool:
    result = session.execute(update(AuthToken.__table__).where(_T.id == token_id, _T.revoked_at.is_(None))
                             .values(revoked_at=now))
    return result.rowcount > 0


def revoke_all_tokens(session, agent_id: int, now: datetime) -> int:
    """Revoke every unrevoked token of the account (a changed password logs it out everywhere)."""
    result = session.execute(update(AuthToken.__table__).where(_T.agent_id == agent_id, _T.revoked_at.is_(None))
                             .values(revoked_at=now))
    return result.rowcount


def all_accounts(session, role: str | None = None) -> list[Agent]:
    """Every account by login; with ``role``, only those of that role."""
    query = select(Agent).order_by(Agent.login)
    if role:
        query = query.where(Agent.role == role)
    return list(session.scalars(query))


def logins_by_id(session) -> dict[int, str]:
    return {agent_id: login for agent_id, login in session.execute(select(Agent.id, Agent.login))}


def other_active_admins(session, agent_id: int) -> int:
    """How many active admins there are besides the account ``agent_id``."""
    return session.scalar(select(func.count()).select_from(Agent).where(
        Agent.role == Role.admin, Agent.active.is_(True), Agent.id != agent_id))


def account_by_login(session, login: str) -> Agent | None:
    return session.scalars(select(Agent).where(Agent.login == login)).first()


def account_id(session, login: str) -> int | None:
    return session.scalar(select(Agent.id).where(Agent.login == login))


def active_accounts(session) -> list[Agent]:
    """The accounts that can log in, oldest first."""
    return list(session.scalars(select(Agent).where(Agent.active.is_(True)).order_by(Agent.id)))


def tokens_with_logins(session, *, include_sessions: bool) -> list[tuple[AuthToken, str]]:
    """(token, its account's login) by token id: API and wallboard tokens, and log-in session tokens too when
    asked."""
    query = select(AuthToken, Agent.login).join(Agent, Agent.id == AuthToken.agent_id).order_by(AuthToken.id)
    if not include_sessions:
        query = query.where(AuthToken.kind != "session")
    return [(token, login) for token, login in session.execute(query)]
