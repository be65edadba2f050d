"""The tables of record-keeping, sync and sign-in: audit events, the outbox, sync state, the server's change log,
applied ops, login failures and tokens (``store/models.py`` re-exports them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from agent_console.store.model_values import BigKey, _ts, _ts_required, new_uid


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    at: datetime = _ts_required()
    actor_agent_id: int | None = Field(default=None, foreign_key="agents.id")
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: int | None = Field(default=None, sa_type=BigKey)
    #: JSON with the details (old/new values, reason, …).
    detail: str = Field(default="{}")


# --- sync ---------------------------------------------------------------------------------------------------------


class OutboxOp(SQLModel, table=True):
    """A local change waiting to be pushed to the server; written in the same transaction as the change."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    op_id: str = Field(default_factory=new_uid, unique=True)
    kind: str = Field(max_length=32)
    #: JSON payload of the operation.
    payload: str
    created_at: datetime = _ts_required()
    #: pending | sent | conflict | rejected
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None)
    sent_at: datetime | None = _ts()


class SyncState(SQLModel, table=True):
    """Key/value state of the sync client (cursor, server URL, last error)."""

    __tablename__ = "sync_state"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="")


# --- server side (empty in a console's store) ---------------------------------------------------------------------


class ChangeLogEntry(SQLModel, table=True):
    """The server's change feed: one row per entity change, in a monotonic sequence."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_entity_uid", "entity", "uid", "seq"),
                      # A feed page picks its rows from this index alone (seq order, queue filter, cache check).
                      Index("ix_change_log_feed", "seq", "queue", "uid"))

    seq: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    entity: str = Field(max_length=32)
    uid: str = Field(max_length=64)
    #: JSON of the entity's current state.
    data: str
    at: datetime = _ts_required()
    #: The case's queue for case-related rows, so agents get only their queues' changes; NULL = everyone.
    queue: str | None = Field(default=None, max_length=64)


class AppliedOp(SQLModel, table=True):
    """Ops the server has applied, by author and client op id: makes ``POST /ops`` idempotent. Op ids are scoped to
    their author: another agent's op with the same id is an op of its own, and a stored answer goes to its author
    only."""

    __tablename__ = "applied_ops"

    agent_id: int = Field(foreign_key="agents.id", primary_key=True)
    op_id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=32)
    #: sha256 of the op as sent (kind and payload): a later op with the same id but other content is not a duplicate.
    fingerprint: str | None = Field(default=None, max_length=64)
    #: JSON of the result returned for the op.
    result: str
    applied_at: datetime = _ts_required()


class LoginFailure(SQLModel, table=True):
    """A failed log-in at the server, under the key it counts against (``login:<name>`` or ``addr:<address>``).
    In the database, so the limit holds across every server process answering log-ins."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    key: str = Field(max_length=300)
    at: datetime = _ts_required()


class AuthToken(SQLModel, table=True):
    __tablename__ = "auth_tokens"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    #: sha256 of the token; the token itself is never stored.
    token_hash: str = Field(unique=True, max_length=64)
    agent_id: int = Field(foreign_key="agents.id")
    #: session | api
    kind: str = Field(default="session", max_length=16)
    name: str = Field(default="")
    created_at: datetime = _ts_required()
    expires_at: datetime | None = _ts()
    revoked_at: datetime | None = _ts()
