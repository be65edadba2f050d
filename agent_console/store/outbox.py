"""The outbox as the sync engine sees it: pending ops in the order they were made, and what the server said.
(The domain services write the ops: ``domain.recording.enqueue``.)"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from agent_console.store.models import OutboxOp

#: What an op's server answer turns its outbox row into.
STATUS_AFTER = {"applied": "sent", "duplicate": "sent", "conflict": "conflict", "rejected": "rejected"}


@dataclass
class PendingOp:
    id: int
    op_id: str
    kind: str
    payload: dict

    def wire(self) -> dict:
        return {"op_id": self.op_id, "kind": self.kind, "payload": self.payload}


def pending(store, limit: int) -> list[PendingOp]:
    """The oldest ``limit`` ops not yet accepted by the server, oldest first."""
    with store.session() as session:
        rows = session.execute(
            select(OutboxOp.id, OutboxOp.op_id, OutboxOp.kind, OutboxOp.payload)
            .where(OutboxOp.status == "pending").order_by(OutboxOp.id).limit(limit)
        ).all()
    return [PendingOp(row.id, row.op_id, row.kind, json.loads(row.payload)) for row in rows]


def pending_count(store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(OutboxOp).where(OutboxOp.status == "pending")) or 0


def record_results(session, answers: list[tuple[PendingOp, str, str | None]], at: datetime) -> None:
    """Mark many ops at once: ``(op, status, reason)`` each (one executemany, not a statement per op)."""
    if not answers:
        return
    from sqlalchemy import bindparam

    statement = (update(OutboxOp.__table__).where(OutboxOp.__table__.c.id == bindparam("row_id"))
                 .values(status=bindparam("new_status"), attempts=OutboxOp.__table__.c.attempts + 1, sent_at=at,
                         last_error=bindparam("error")))
    session.connection().execute(statement, [
        {"row_id": op.id, "new_status": STATUS_AFTER[status],
         "error": None if status == "applied" else (reason or status)} for op, status, reason in answers])


def record_attempt_failed(store, ops: list[PendingOp], error: str) -> None:
    """A push that never got an answer: the ops stay pending; their attempt count and last error say so."""
    if not ops:
        return
    with store.transaction() as session:
        session.execute(
            update(OutboxOp).where(OutboxOp.id.in_([op.id for op in ops]))
            .values(attempts=OutboxOp.attempts + 1, last_error=error[:500])
        )
