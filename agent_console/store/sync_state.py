"""A console's sync bookkeeping in its store: the ``sync_state`` keys (cursor, server, last error …) and the reads and
writes the sync engine makes around an op's answer (a refused reply back into the draft, the case's key)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from agent_console.store.models import Agent, Case, Draft, Message, OutboxOp, SyncState


def read_state(store, key: str, default: str = "") -> str:
    with store.session() as session:
        row = session.get(SyncState, key)
        return row.value if row is not None else default


def write_state(session, key: str, value: str) -> None:
    row = session.get(SyncState, key)
    if row is None:
        session.add(SyncState(key=key, value=value))
    else:
        row.value = value


def stored_cursor(store) -> int:
    try:
        return int(read_state(store, "cursor", "0") or 0)
    except ValueError:
        return 0


def local_case_ids(store, case_uids) -> set[int]:
    """Local ids of the cases with these uids (for screens deciding whether a pull touched what they show)."""
    uids = list(case_uids)
    found: set[int] = set()
    with store.session() as session:
        for start in range(0, len(uids), 500):
            found.update(session.scalars(select(Case.id).where(Case.uid.in_(uids[start:start + 500]))))
    return found


def case_key(session, case_uid: str | None) -> str | None:
    """The local key of the case with this uid (None: no uid, or no such case here)."""
    return session.scalar(select(Case.key).where(Case.uid == case_uid)) if case_uid else None


def refused_ops(session, after_id: int, limit: int) -> list:
    """Outbox rows the server answered with a conflict or a rejection, newest first, newer than ``after_id``:
    (id, op_id, kind, status, last_error, payload, sent_at)."""
    return session.execute(
        select(OutboxOp.id, OutboxOp.op_id, OutboxOp.kind, OutboxOp.status, OutboxOp.last_error,
               OutboxOp.payload, OutboxOp.sent_at)
        .where(OutboxOp.status.in_(("conflict", "rejected")), OutboxOp.id > after_id)
        .order_by(OutboxOp.id.desc()).limit(limit)
    ).all()


def back_to_draft(session, message: dict, login: str | None, now: datetime) -> bool:
    """A reply or note (``message`` as sent: uid, case_uid, body, is_internal) leaves the thread and goes back into
    its author's (``login``) draft, added to whatever the draft holds. False when the case or author is not here."""
    case = session.scalars(select(Case).where(Case.uid == message.get("case_uid"))).first()
    if case is None:
        return False
    agent = session.scalars(select(Agent).where(Agent.login == login)).first() if login else None
    if agent is None:
        return False
    kind = "note" if message.get("is_internal") else "reply"
    body = message.get("body") or ""
    draft = session.scalars(select(Draft).where(Draft.case_id == case.id, Draft.agent_id == agent.id,
                                                Draft.kind == kind)).first()
    if draft is None:
        session.add(Draft(case_id=case.id, agent_id=agent.id, kind=kind, body=body, updated_at=now))
    elif body not in draft.body:
        draft.body = f"{draft.body.rstrip()}\n\n{body}" if draft.body.strip() else body
        draft.updated_at = now
    local = session.scalars(select(Message).where(Message.uid == message.get("uid"))).first()
    if local is not None:
        session.delete(local)
    return True


def has_synced(session) -> bool:
    """Whether this console has pulled from a server at least once (it keeps a cursor then)."""
    return session.scalar(select(SyncState.value).where(SyncState.key == "cursor")) is not None
