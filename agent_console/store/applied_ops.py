"""Ops a client sent before, by author and op id: what makes ``POST /ops`` idempotent (both write paths read it)."""

from __future__ import annotations

import orjson
from sqlalchemy import bindparam, select

from agent_console.store.models import AppliedOp

_APPLIED = AppliedOp.__table__
_APPLIED_BEFORE = select(_APPLIED.c.agent_id, _APPLIED.c.op_id, _APPLIED.c.result, _APPLIED.c.fingerprint).where(
    _APPLIED.c.agent_id.in_(bindparam("agent_ids", expanding=True)),
    _APPLIED.c.op_id.in_(bindparam("op_ids", expanding=True)))


class StoredOp:
    """An op applied before: its first answer and the fingerprint of the op as first sent (None: not recorded)."""

    __slots__ = ("outcome", "fingerprint")

    def __init__(self, outcome: dict, fingerprint: str | None) -> None:
        self.outcome = outcome
        self.fingerprint = fingerprint


def applied_before(conn, keys: list[tuple[int, str]]) -> dict[tuple[int, str], StoredOp]:
    """The stored ops among ``(author id, op id)`` keys. Op ids are scoped to their author: another agent's op with
    the same id is not found here, and is applied as an op of its own."""
    if not keys:
        return {}
    wanted = set(keys)
    rows = conn.execute(_APPLIED_BEFORE, {"agent_ids": sorted({agent_id for agent_id, _op in keys}),
                                          "op_ids": sorted({op_id for _agent, op_id in keys})})
    return {(agent_id, op_id): StoredOp(orjson.loads(result), fingerprint)
            for agent_id, op_id, result, fingerprint in rows if (agent_id, op_id) in wanted}
