"""Every change leaves two traces in the same transaction: an audit event and an outbox op for the sync client."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from agent_console.store.models import AuditEvent, OutboxOp

if TYPE_CHECKING:
    from sqlmodel import Session


def _json(value: Any) -> str:
    return json.dumps(value, default=_default, ensure_ascii=False, sort_keys=True)


def _default(value: Any):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def audit(session: Session, at: datetime, actor_id: int | None, action: str, entity: str, entity_id: int | None,
          **detail: Any) -> AuditEvent:
    event = AuditEvent(**audit_values(at, actor_id, action, entity, entity_id, **detail))
    session.add(event)
    return event


def audit_values(at: datetime, actor_id: int | None, action: str, entity: str, entity_id: int | None,
                 **detail: Any) -> dict[str, Any]:
    """The columns of an audit event (for writers that insert rows without the ORM)."""
    return {"at": at, "actor_agent_id": actor_id, "action": action, "entity": entity, "entity_id": entity_id,
            "detail": audit_detail(**detail)}


def audit_detail(**detail: Any) -> str:
    """An audit event's ``detail`` column."""
    return _json(detail)


def enqueue(session: Session, at: datetime, kind: str, **payload: Any) -> OutboxOp:
    """Append an op for the server. ``payload`` refers to entities by uid, never by local id."""
    return enqueue_payload(session, at, kind, payload)


def enqueue_payload(session: Session, at: datetime, kind: str, payload: dict[str, Any]) -> OutboxOp:
    """:func:`enqueue` with the payload as a dict (for field names that are no Python names, like ``from``)."""
    op = OutboxOp(kind=kind, payload=_json(payload), created_at=at)
    session.add(op)
    return op
