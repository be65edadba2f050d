"""Manual escalation and de-escalation: the case moves, the original agent gets a follow-up, history is kept."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from sqlalchemy import select

from agent_console.domain.cases import CaseService
from agent_console.domain.escalation import EscalationError, EscalationService, case_history, follow_up_rows
from agent_console.store import queries
from agent_console.store.models import AuditEvent, Case, FollowUp, OutboxOp
from agent_console.store.queries import QueueView


@pytest.fixture
def claimed_case(store, agents, clock):
    svc = CaseService(store, clock, agents["anna"])
    case = svc.create_case(customer="k@example.de", channel="email", queue="Technical", subject="Router kaputt",
                           body="Geht nicht")
    svc.claim(case.id)
    return case


def ids(store, view: QueueView) -> list[int]:
    with store.session() as session:
        return queries.queue_case_ids(session, view)


def test_escalation_moves_the_case_out_of_the_agents_queue_and_creates_a_follow_up(store, agents, clock,
                                                                                   claimed_case):
    anna, ben = agents["anna"], agents["ben"]
    assert ids(store, QueueView(view="mine", agent_id=anna.id)) == [claimed_case.id]

    row = EscalationService(store, clock, anna).escalate(claimed_case.key, to_tier=2,
                                                         reason="needs line measurement")

    assert ids(store, QueueView(view="mine", agent_id=anna.id)) == []
    assert ids(store, QueueView(view="tier", tier=2)) == [claimed_case.id]
    with store.session() as session:
        case = session.get(Case, claimed_case.id)
        assert (case.status, case.tier, case.assignee_id, case.escalation_level) == ("escalated", 2, None, 1)
        assert (row.from_tier, row.to_tier, row.from_agent_id, row.kind) == (1, 2, anna.id, "manual")
        # Anna cannot work it any more; Ben (tier 2) can.
        assert queries.next_case_id(session, anna) is None
        assert queries.next_case_id(session, ben) == claimed_case.id
        # The follow-up is Anna's, due in 24 h: not due yet, due tomorrow.
        assert queries.open_follow_ups(session, anna.id, due_before=clock.now()) == []
        [follow_up] = queries.open_follow_ups(session, anna.id, due_before=clock.now() + timedelta(hours=24))
        assert follow_up.due_at == clock.now() + timedelta(hours=24) and follow_up.escalation_id == row.id
        assert follow_up_rows(session, anna.id)[0]["case_key"] == claimed_case.key
        assert queries.open_follow_ups(session, ben.id) == []
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "case.escalate")).one()
        assert "needs line measurement" in audit.detail
        assert session.scalars(select(OutboxOp).where(OutboxOp.kind == "escalation.create")).one()


def test_escalation_to_another_queue_with_a_custom_follow_up_time(store, agents, clock, claimed_case):
    service = EscalationService(store, clock, agents["anna"], follow_up_hours=4)
    service.escalate(claimed_case.id, to_queue="Complaints", reason="customer wants to complain formally")
    assert ids(store, QueueView(view="queue", queue="Complaints")) == [claimed_case.id]
    assert ids(store, QueueView(view="queue", queue="Technical")) == []
    with store.session() as session:
        [follow_up] = queries.open_follow_ups(session, agents["anna"].id)
        assert follow_up.due_at == clock.now() + timedelta(hours=4)
        assert session.get(Case, claimed_case.id).tier == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"to_tier": 2, "reason": "   "}, "needs a reason"),
    ({"reason": "why not"}, "tier .2 or 3. or to another queue"),
    ({"to_tier": 1, "reason": "x"}, "tier 2 or 3, not 1"),
    ({"to_tier": 4, "reason": "x"}, "tier 2 or 3, not 4"),
    ({"to_queue": "Technical", "reason": "x"}, "already in queue Technical"),
])
def test_escalation_rules(store, agents, clock, claimed_case, kwargs, message):
    with pytest.raises(EscalationError, match=message):
        EscalationService(store, clock, agents["anna"]).escalate(claimed_case.id, **kwargs)
    with store.session() as session:
        assert session.get(Case, claimed_case.id).status == "open"  # nothing written


def test_escalation_only_upwards_and_only_open_cases(store, agents, clock, claimed_case):
    service = EscalationService(store, clock, agents["anna"])
    service.escalate(claimed_case.id, to_tier=3, reason="expert needed")
    with pytest.raises(EscalationError, match="already at tier 3"):
        service.escalate(claimed_case.id, to_tier=2, reason="again")
    CaseService(store, clock, agents["sue"]).resolve(claimed_case.id)
    with pytest.raises(EscalationError, match="resolved; reopen it"):
        service.escalate(claimed_case.id, to_queue="General", reason="later")


def test_deescalation_returns_to_tier_1_and_the_history_is_on_the_case(store, agents, clock, claimed_case):
    EscalationService(store, clock, agents["anna"]).escalate(claimed_case.id, to_tier=2, reason="router config")
    CaseService(store, clock, agents["ben"]).claim(claimed_case.id)
    with pytest.raises(EscalationError, match="only a tier-2 agent or a supervisor"):
        EscalationService(store, clock, agents["anna"]).deescalate(claimed_case.id, reason="mine again")
    with pytest.raises(EscalationError, match="needs a reason"):
        EscalationService(store, clock, agents["ben"]).deescalate(claimed_case.id, reason="")
    clock.advance(600)
    EscalationService(store, clock, agents["ben"]).deescalate(claimed_case.id, reason="configured, tier 1 closes")

    with store.session() as session:
        case = session.get(Case, claimed_case.id)
        assert (case.tier, case.status, case.assignee_id, case.escalation_level) == (1, "open", None, 0)
        history = [(e.kind, e.from_tier, e.to_tier, e.reason) for e in case_history(session, case.id)]
        assert history == [("manual", 1, 2, "router config"), ("deescalation", 2, 1, "configured, tier 1 closes")]
    with pytest.raises(EscalationError, match="already at tier 1"):
        EscalationService(store, clock, agents["ben"]).deescalate(claimed_case.id, reason="again")


def test_follow_up_is_completed_by_its_agent_with_a_note(store, agents, clock, claimed_case):
    EscalationService(store, clock, agents["anna"]).escalate(claimed_case.id, to_tier=2, reason="x")
    with store.session() as session:
        [follow_up] = queries.open_follow_ups(session, agents["anna"].id)
    with pytest.raises(EscalationError, match="belongs to another agent"):
        EscalationService(store, clock, agents["ben"]).complete_follow_up(follow_up.id, "not mine")
    clock.advance(hours=25)
    EscalationService(store, clock, agents["anna"]).complete_follow_up(follow_up.id, "customer confirms it works")
    with pytest.raises(EscalationError, match="already done"):
        EscalationService(store, clock, agents["anna"]).complete_follow_up(follow_up.id, "")
    with pytest.raises(EscalationError, match="no follow-up with id 999"):
        EscalationService(store, clock, agents["anna"]).complete_follow_up(999, "")
    with store.session() as session:
        done = session.get(FollowUp, follow_up.id)
        assert done.done_at == clock.now() and done.note == "customer confirms it works"
        assert queries.open_follow_ups(session, agents["anna"].id) == []
        outbox = session.scalars(select(OutboxOp).where(OutboxOp.kind == "follow_up.done")).one()
        assert orjson.loads(outbox.payload)["note"] == "customer confirms it works"  # the team sees what was checked


def test_escalating_an_unassigned_case_gives_the_follow_up_to_the_escalating_agent(store, agents, clock):
    svc = CaseService(store, clock, agents["anna"])
    case = svc.create_case(customer="u@example.com", channel="web", queue="General", subject="s", body="b")
    EscalationService(store, clock, agents["anna"]).escalate(case.id, to_tier=2, reason="unclear")
    with store.session() as session:
        assert [f.case_id for f in queries.open_follow_ups(session, agents["anna"].id)] == [case.id]
