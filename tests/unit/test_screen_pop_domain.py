"""The screen pop's rules (domain.screen_pop): what a caller card holds, and that answering and hanging up are said
once per call, in order, only for this agent's calls with a case."""

from __future__ import annotations

from datetime import timedelta

from agent_console.domain.calls import parse_event, record_event
from agent_console.domain.cases import CaseService
from agent_console.domain.screen_pop import HandlingStart, PhoneWatch, WrapUpStart, missed_to_call_back, pops_for
from agent_console.domain.sla import SlaState


def event(store, clock, **values):
    with store.transaction() as session:
        record_event(session, clock, parse_event(values))


def test_a_known_callers_card_and_an_unknown_one(store, clock, agents):
    service = CaseService(store, clock, None)
    old = service.create_case(customer="+49 30 1234567", channel="phone", queue="Billing", subject="Alt",
                              body="x", customer_name="Karl Kunde", created_at=clock.now() - timedelta(days=2))
    CaseService(store, clock, agents["anna"]).resolve(old.key)
    case = service.create_case(customer="+49 30 1234567", channel="phone", queue="Billing", subject="Neu",
                               body="y", created_at=clock.now() - timedelta(seconds=30))
    event(store, clock, event="newCall", callId="c1", direction="in", user=["anna"], queue="Billing",
          **{"from": "030 1234567", "to": "0800"})
    event(store, clock, event="newCall", callId="c2", direction="in", user=["42", "anna"],
          **{"from": "0171 1111111", "to": "0800"})
    event(store, clock, event="newCall", callId="c3", direction="in", user=["ben"],
          **{"from": "030 1234567", "to": "0800"})
    with store.session() as session:
        known, unknown = pops_for(session, clock, agents["anna"])
    assert known.customer_name == "Karl Kunde" and known.case_key == case.key and known.queue == "Billing"
    assert [c.key for c in known.open_cases][0] == case.key
    assert known.open_cases[0].sla_state == SlaState.ok
    assert known.last_contact_at == clock.now() - timedelta(seconds=30)
    assert not unknown.known and unknown.number == "+491711111111" and unknown.case_id is None


def test_answer_and_hangup_are_said_once_for_this_agents_calls_with_a_case(store, clock, agents):
    case = CaseService(store, clock, None).create_case(customer="+49 30 1234567", channel="phone", queue="Billing",
                                                       subject="S", body="b", customer_name="Karl Kunde")
    watch = PhoneWatch(agents["anna"].id, clock.now())
    for call_id, number in (("w1", "030 1234567"), ("w2", "0171 2222222"), ("w3", "030 1234567")):
        event(store, clock, event="newCall", callId=call_id, direction="in", user=["anna", "ben"],
              **{"from": number, "to": "0800"})
    clock.advance(5)
    event(store, clock, event="answer", callId="w1", user=["anna"])
    event(store, clock, event="answer", callId="w2", user=["anna"])  # unknown caller: no case, nothing to time
    event(store, clock, event="answer", callId="w3", user=["ben"])   # a colleague's call
    with store.session() as session:
        assert watch.changes(session) == [HandlingStart(watch_uid(session, "w1"), case.id, clock.now())]
        assert watch.changes(session) == []
    clock.advance(60)
    event(store, clock, event="hangup", callId="w1", cause="normalClearing")
    with store.session() as session:
        assert watch.changes(session) == [WrapUpStart(watch_uid(session, "w1"), case.id, case.key)]
        assert watch.changes(session) == []


def watch_uid(session, call_id):
    from agent_console.store.call_queries import call_by_call_id

    return call_by_call_id(session, call_id).uid


def test_the_missed_calls_list_names_the_callers_case(store, clock, agents):
    case = CaseService(store, clock, None).create_case(customer="+49 30 1234567", channel="phone", queue="Billing",
                                                       subject="S", body="b", customer_name="Karl Kunde")
    for call_id, number in (("m1", "030 1234567"), ("m2", "anonymous")):
        event(store, clock, event="newCall", callId=call_id, direction="in", **{"from": number, "to": "0800"})
        clock.advance(1)
        event(store, clock, event="hangup", callId=call_id, cause="noAnswer")
    with store.session() as session:
        withheld, karl = missed_to_call_back(session)
    assert withheld.withheld and withheld.case_id is None and withheld.number == ""
    assert karl.customer_name == "Karl Kunde" and karl.case_key == case.key and karl.cause == "noAnswer"
