"""What both write paths of ``POST /ops`` (:mod:`server.ops` and :mod:`server.fastops`) share: op ids (an op's
fingerprint, the row that records its answer, the answer to a resend) and the refusals of the protocol itself."""

from __future__ import annotations

import hashlib
from datetime import datetime

import orjson

from agent_console.server.auth import Principal
from agent_console.store.applied_ops import StoredOp


def op_fingerprint(op) -> str:
    """sha256 of the op's kind and payload as validated: equal for a resend of the same op."""
    digest = hashlib.sha256(op.kind.encode())
    digest.update(b"\0")
    digest.update(op.payload.model_dump_json().encode())
    return digest.hexdigest()


def applied_op_row(principal: Principal, op, fingerprint: str, outcome: dict, now: datetime) -> dict:
    return {"agent_id": principal.agent_id, "op_id": str(op.op_id), "kind": op.kind, "fingerprint": fingerprint,
            "result": orjson.dumps(outcome).decode(), "applied_at": now}


def duplicate_answer(op_id: str, stored: StoredOp, fingerprint: str) -> dict:
    """The answer to an op applied before: its first answer again, marked as a duplicate. ``same_op`` is False when
    the author used this op id before for a different op (nothing of the new one is applied: the client must not
    count it as sent)."""
    first = stored.outcome
    same = stored.fingerprint is None or stored.fingerprint == fingerprint
    answer = {"op_id": op_id, "status": "duplicate", "original_status": first.get("status"),
              "result": first.get("result"), "current": first.get("current"), "reason": first.get("reason"),
              "same_op": same}
    if not same:
        answer["reason"] = (f"op id {op_id} was used before for a different operation; this one was not applied")
    return answer


def case_refusal(principal: Principal, uid: str, case) -> str | None:
    """Why the caller may not act on the case with ``uid`` (``case`` None: there is none); None when they may."""
    if case is None:
        return f"no case with uid {uid}"
    if not principal.may_see_queue(case.queue):
        return f"case {case.key} is in queue {case.queue}, which is not one of yours"
    return None


def foreign_claim_refusal(principal: Principal, agent_login: str | None) -> str | None:
    """A claim names the caller or nobody: claiming for another agent is an assignment."""
    if agent_login and agent_login != principal.login:
        return "an agent can only claim for themselves; supervisors use case.assign"
    return None
