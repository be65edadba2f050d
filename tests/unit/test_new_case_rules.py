"""A case started from the console's new-case form: checks, creation through the one rule, the outbox, and handling
time from the moment the form opened."""

from __future__ import annotations

import json

from sqlalchemy import select

from agent_console.domain.cases import CaseService
from agent_console.domain.handling import HandlingTracker
from agent_console.domain.new_case import (
    MSG_BAD_EMAIL,
    MSG_CONTACT_MISSING,
    MSG_NAME_MISSING,
    NewCaseRequest,
    NewCustomer,
    check_new_customer,
    create_claimed_case,
    customer_from_typed,
    queues_to_work,
)
from agent_console.store.models import Agent, Customer, HandlingSegment, OutboxOp


def test_new_customer_checks_name_contact_and_their_shapes():
    assert check_new_customer("", "a@b.de", "") == ("name", MSG_NAME_MISSING)
    assert check_new_customer("Eva", "", " ") == ("email", MSG_CONTACT_MISSING)
    assert check_new_customer("Eva", "eva at home", "") == ("email", MSG_BAD_EMAIL.format(value="'eva at home'"))
    for bad in ("030-KUNDE", "123", "030 +49"):
        field, message = check_new_customer("Eva", "", bad)
        assert field == "phone" and "is not a phone number" in message
    assert check_new_customer(" Eva  Early ", "eva@example.de", "+49 30 555 1234") == NewCustomer(
        "Eva Early", "eva@example.de", "+49 30 555 1234")


def test_what_was_typed_prefills_the_right_field():
    assert customer_from_typed("eva@example.de") == NewCustomer("", "eva@example.de", None)
    assert customer_from_typed("+49 30 555") == NewCustomer("", None, "+49 30 555")
    assert customer_from_typed("Eva Early") == NewCustomer("Eva Early", None, None)


def test_queues_to_work_are_the_agents_own_or_every_queue():
    store_queues = ["Billing", "Delivery", "General"]
    assert queues_to_work(Agent(login="a", name="A", queues=""), store_queues) == store_queues
    assert queues_to_work(Agent(login="a", name="A", queues="General,Billing,Gone"), store_queues) == [
        "General", "Billing"]


def test_a_new_customer_with_email_and_phone_keeps_both_and_the_case_is_claimed(store, clock, agents):
    service = CaseService(store, clock, agents["anna"])
    case = create_claimed_case(service, NewCaseRequest(
        subject="Router dead", channel="phone", queue="Technical", priority="high",
        new_customer=NewCustomer("Eva Early", "eva@example.de", "+49 30 555 1234")))
    with store.session() as session:
        customer = session.scalars(select(Customer)).one()
        ops = session.scalars(select(OutboxOp).order_by(OutboxOp.id)).all()
    assert (customer.name, customer.email, customer.phone) == ("Eva Early", "eva@example.de", "+49305551234")
    assert (case.assignee_id, case.channel, case.priority, case.status) == (agents["anna"].id, "phone", "high",
                                                                             "open")
    assert [op.kind for op in ops] == ["case.create", "case.claim"]
    payload = json.loads(ops[0].payload)
    assert payload["customer"]["phone"] == "+49305551234" and payload["case"]["subject"] == "Router dead"


def test_a_picked_customer_is_used_even_when_another_shares_the_contact(store, clock, agents):
    with store.transaction() as session:
        first, second = Customer(name="Old Entry", phone="+49301234567"), Customer(name="Karl", phone="+49301234567")
        session.add_all([first, second])
        session.flush()
        picked = second.id
    case = create_claimed_case(CaseService(store, clock, agents["anna"]), NewCaseRequest(
        subject="Rückruf", channel="phone", queue="Billing", priority="normal", customer_id=picked))
    assert case.customer_id == picked


def test_handling_starts_when_the_form_opened_but_not_before_a_break_taken_meanwhile(store, clock, agents):
    tracker = HandlingTracker(store, clock, agents["anna"])
    tracker.start_shift()
    opened = clock.now()
    clock.advance(40)
    case = create_claimed_case(CaseService(store, clock, agents["anna"]), NewCaseRequest(
        subject="Call", channel="phone", queue="Billing", priority="normal",
        new_customer=NewCustomer("Eva", None, "030 5551234")))
    tracker.case_opened(case.id, started_at=opened)
    assert tracker.running_segment.started_at == opened
    assert tracker.elapsed(case.id) == 40.0
    tracker.case_left()

    opened = clock.now()
    clock.advance(10)
    tracker.take_break()
    clock.advance(60)
    tracker.set_state("available")
    back = clock.now()
    clock.advance(5)
    tracker.case_opened(case.id, started_at=opened)
    with store.session() as session:
        starts = [s.started_at for s in session.scalars(select(HandlingSegment).order_by(HandlingSegment.id))]
    assert starts[-1] == back
