"""The outbox ops written by escalation, handling and agent-state changes are ones the team server accepts."""

from __future__ import annotations

import json

from sqlalchemy import select

from agent_console.domain.cases import CaseService
from agent_console.domain.escalation import EscalationService
from agent_console.domain.handling import HandlingTracker
from agent_console.server import schemas
from agent_console.store import queries
from agent_console.store.models import OutboxOp


def test_every_op_of_a_worked_and_escalated_case_validates_against_the_server_protocol(store, agents, clock):
    anna = agents["anna"]
    svc = CaseService(store, clock, anna)
    case = svc.create_case(customer="o@example.com", channel="chat", queue="Technical", subject="s", body="b")
    tracker = HandlingTracker(store, clock, anna)
    tracker.start_shift()
    svc.claim(case.id)
    tracker.case_opened(case.id)
    clock.advance(30)
    tracker.take_break("coffee")
    tracker.set_state("available")
    clock.advance(10)
    service = EscalationService(store, clock, anna)
    service.escalate(case.id, to_tier=2, reason="needs tier 2")
    tracker.case_left()
    EscalationService(store, clock, agents["ben"]).deescalate(case.id, "tier 1 can do it")
    with store.session() as session:
        [follow_up] = queries.open_follow_ups(session, anna.id)
    service.complete_follow_up(follow_up.id, "ok")
    svc.claim(case.id)
    tracker.case_opened(case.id)
    clock.advance(5)
    svc.resolve(case.id)
    tracker.resolved(case.id)
    tracker.wrap_up_done("resolved")
    tracker.quit()

    with store.session() as session:
        ops = session.scalars(select(OutboxOp).order_by(OutboxOp.id)).all()
    kinds = {op.kind for op in ops}
    assert {"segment.upsert", "agent.state", "escalation.create", "follow_up.done"} <= kinds
    batch = {"ops": [{"op_id": op.op_id, "kind": op.kind, "payload": json.loads(op.payload)} for op in ops]}
    schemas.OpsBatch.model_validate(batch)  # raises on any unknown field or kind
