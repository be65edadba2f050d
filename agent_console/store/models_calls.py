"""Telephone calls, as the telephone system reports them (CTI events ``newCall``, ``answer``, ``hangup``).

One row per call id. Each event fills its own columns (``newCall`` the start, ``answer`` the answer, ``hangup`` the
end), so the row is the same whatever order the events arrive in; an event that arrived before is not applied again
(see :mod:`agent_console.domain.calls`). The row's ``uid`` is derived from the call id, so a call recorded on an
offline console and on the server is one row everywhere.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from agent_console.store.model_values import BigKey, _ts, _ts_required, new_uid

_WAITING = "answered_at IS NULL AND ended_at IS NULL"
_TO_CALL_BACK_SQLITE = "missed = 1 AND called_back_at IS NULL"
_TO_CALL_BACK_PG = "missed AND called_back_at IS NULL"


class Call(SQLModel, table=True):
    __tablename__ = "calls"
    __table_args__ = (
        # The monitor: calls offered in a period (per queue), and the callers waiting now.
        Index("ix_calls_first_seen", "first_seen_at", "queue", "direction"),
        Index("ix_calls_waiting", "queue", "first_seen_at", sqlite_where=text(_WAITING),
              postgresql_where=text(_WAITING)),
        Index("ix_calls_customer", "customer_id", "first_seen_at"),
        Index("ix_calls_case", "case_id"),
        Index("ix_calls_number", "number"),
        Index("ix_calls_to_call_back", "ended_at", sqlite_where=text(_TO_CALL_BACK_SQLITE),
              postgresql_where=text(_TO_CALL_BACK_PG)),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigKey)
    uid: str = Field(default_factory=new_uid, unique=True)
    #: The telephone system's id of the call (``callId``).
    call_id: str = Field(unique=True, max_length=200)
    #: in | out
    direction: str = Field(default="in", max_length=4)
    #: ``from`` and ``to`` as the telephone system sent them.
    from_number: str = Field(default="", max_length=64)
    to_number: str = Field(default="", max_length=64)
    #: The other party's number in E.164 (the caller of an inbound call, the callee of an outbound one); None when
    #: withheld or not a number.
    number: str | None = Field(default=None, max_length=40)
    withheld: bool = Field(default=False)
    queue: str | None = Field(default=None, max_length=64)
    #: Comma-separated logins of the agents the call rings for (``user[]``, extensions mapped to their agents).
    ringing: str = Field(default="", sa_column_kwargs={"server_default": ""})
    customer_id: int | None = Field(default=None, foreign_key="customers.id", sa_type=BigKey)
    case_id: int | None = Field(default=None, foreign_key="cases.id", sa_type=BigKey)
    answered_by_id: int | None = Field(default=None, foreign_key="agents.id")
    answering_number: str | None = Field(default=None, max_length=64)
    #: When the first event of the call arrived (the start when ``newCall`` never came).
    first_seen_at: datetime = _ts_required()
    #: ``newCall``, ``answer`` and ``hangup`` arrived at these times (None: not yet, or never).
    started_at: datetime | None = _ts()
    answered_at: datetime | None = _ts()
    ended_at: datetime | None = _ts()
    #: The hangup's cause: normalClearing, busy, cancel, noAnswer, congestion, notFound, forwarded.
    cause: str | None = Field(default=None, max_length=24)
    #: An inbound call that ended without being answered (not forwarded): someone to call back.
    missed: bool = Field(default=False)
    called_back_at: datetime | None = _ts()
    called_back_by_id: int | None = Field(default=None, foreign_key="agents.id")
    updated_at: datetime | None = _ts()
    version: int = Field(default=1)
