from datetime import timedelta

import pytest

from agent_console.domain.cases import CaseConflict, CaseError, CaseService
from agent_console.store import queries
from agent_console.store.models import AuditEvent, CaseStatus, OutboxOp, SlaEvent
from sqlalchemy import select


def test_case_lifecycle_records_audit_outbox_and_sla_events(store, agents, clock):
    svc = CaseService(store, clock, agents["anna"])
    case = svc.create_case(customer="kunde@example.de", channel="phone", queue="Billing",
                           subject="Rechnung doppelt", body="Ich wurde zweimal belastet", customer_name="Karl Kunde",
                           language="de")
    assert case.key == "AC-000001"
    assert case.first_response_due == clock.now() + timedelta(seconds=90)
    assert case.sla_due_at == case.first_response_due

    svc.claim(case.key)
    clock.advance(60)
    svc.reply(case.key, "Wir prüfen das.")
    svc.note(case.key, "intern: Buchung 4711")
    svc.set_status(case.key, "pending")
    clock.advance(3600)
    svc.set_status(case.key, "open")
    svc.resolve(case.key)

    with store.session() as session:
        final = queries.case_by_key(session, case.key)
        assert final.status == CaseStatus.resolved and not final.is_open
        assert final.first_response_at == clock.now() - timedelta(seconds=3600)
        assert final.sla_paused_seconds == 3600
        events = [(e.target, e.event) for e in session.scalars(select(SlaEvent).order_by(SlaEvent.id))]
        assert ("first_response", "met") in events
        assert ("resolution", "paused") in events and ("resolution", "resumed") in events
        assert events[-1] == ("resolution", "met")
        actions = [a.action for a in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions[-7:] == ["case.create", "case.claim", "case.reply", "case.note", "case.status",
                                "case.status", "case.resolve"]
        ops = [o.kind for o in session.scalars(select(OutboxOp).order_by(OutboxOp.id))]
        assert ops == ["case.create", "case.claim", "message.add", "message.add", "case.update", "case.update",
                       "case.update"]
        thread = queries.thread(session, final.id)
        assert [(m.direction, m.is_internal) for m in thread] == [("in", False), ("out", False), ("out", True)]


def test_claim_of_a_case_held_by_someone_else_is_a_conflict(store, agents, clock):
    anna = CaseService(store, clock, agents["anna"])
    ben = CaseService(store, clock, agents["ben"])
    case = anna.create_case(customer="+49 30 1234567", channel="chat", queue="Delivery", subject="Wo ist mein Paket",
                            body="?")
    ben.claim(case.key)
    with pytest.raises(CaseConflict, match="already claimed by Ben Second"):
        anna.claim(case.key)


def test_claim_above_the_agents_tier_is_refused(store, agents, clock):
    ben = CaseService(store, clock, agents["ben"])
    case = ben.create_case(customer="a@b.c", channel="email", queue="Complaints", subject="x", body="y")
    with store.transaction() as session:
        session.get(type(case), case.id).tier = 2
    with pytest.raises(CaseError, match="needs tier 2"):
        CaseService(store, clock, agents["anna"]).claim(case.key)


def test_control_sequences_are_stripped_before_they_reach_the_store(store, agents, clock):
    svc = CaseService(store, clock, agents["anna"])
    case = svc.create_case(customer="x@y.z", channel="web", queue="General",
                           subject="Hi\x1b[2J\x1b]0;pwned\x07 there", body="a\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\b\x07")
    with store.session() as session:
        stored = queries.case_by_key(session, case.key)
        assert stored.subject == "Hi there"
        assert queries.thread(session, stored.id)[0].body == "alinkb"


def test_inbound_message_reopens_a_resolved_case_and_counts_a_contact(store, agents, clock):
    svc = CaseService(store, clock, agents["anna"])
    case = svc.create_case(customer="x@y.z", channel="email", queue="General", subject="s", body="b")
    svc.reply(case.key, "answer")
    svc.resolve(case.key)
    clock.advance(86400)
    svc.add_inbound(case.key, "still broken")
    with store.session() as session:
        again = queries.case_by_key(session, case.key)
        assert again.is_open and again.status == "open"
        assert again.reopened_count == 1 and again.contact_count == 2
        assert again.next_update_due is not None
