"""Call events as a telephone system sends them (#20): numbers in every German form, events out of order and twice,
a call ringing for three agents, a transfer, withheld numbers; the calls they leave on a real store."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from agent_console.domain.calls import (
    CallEventError,
    call_times,
    mark_called_back,
    parse_event,
    record_event,
    ringing_for,
)
from agent_console.domain.cases import CaseService
from agent_console.domain.phone_numbers import NumberError, normalise_number
from agent_console.store import call_queries
from agent_console.store.models import Call, OutboxOp

GERMAN_FORMS = ["030 1234567", "+49 (0)30 123 45 67", "004930 1234567", "49301234567", "+49301234567",
                "030/123 45 67"]


@pytest.mark.parametrize("written", GERMAN_FORMS)
def test_every_german_form_of_a_number_is_the_same_e164_number(written):
    assert normalise_number(written, "DE") == "+49301234567"


@pytest.mark.parametrize("withheld", ["anonymous", "Anonymous", "unknown", "", "  ", None, "withheld"])
def test_a_withheld_number_is_none(withheld):
    assert normalise_number(withheld, "DE") is None


@pytest.mark.parametrize("garbage", ["call me", "12", "0800-FLOWERS"])
def test_text_that_is_no_number_is_refused(garbage):
    with pytest.raises(NumberError):
        normalise_number(garbage, "DE")


def test_the_default_region_reads_national_numbers(monkeypatch):
    monkeypatch.setenv("AGENT_CONSOLE_DEFAULT_REGION", "AT")
    assert normalise_number("01 5123456") == "+4315123456"


def _event(store, clock, **values):
    with store.transaction() as session:
        recorded = record_event(session, clock, parse_event(values))
        return recorded.applied


def _call(store, call_id: str) -> Call:
    with store.session() as session:
        return call_queries.call_by_call_id(session, call_id)


@pytest.fixture
def karl_case(store, clock, agents):
    """Karl, a customer known by a Berlin number written the national way, with an open case."""
    return CaseService(store, clock, agents["anna"]).create_case(
        customer="030 1234567", channel="phone", queue="Billing", subject="Rechnung", body="Bitte zurückrufen",
        customer_name="Karl Kunde")


@pytest.mark.parametrize("written", GERMAN_FORMS)
def test_a_caller_in_any_form_finds_the_customer_and_their_open_case(store, clock, karl_case, written):
    _event(store, clock, event="newCall", callId="c1", direction="in", **{"from": written, "to": "0800 100"})
    call = _call(store, "c1")
    assert call.number == "+49301234567"
    assert call.customer_id == karl_case.customer_id
    assert call.case_id == karl_case.id


EVENTS = [
    {"event": "newCall", "callId": "c7", "direction": "in", "from": "030 1234567", "to": "0800 100",
     "user": ["anna", "ben"], "queue": "Billing"},
    {"event": "answer", "callId": "c7", "direction": "in", "from": "030 1234567", "to": "0800 100", "user": ["ben"]},
    {"event": "hangup", "callId": "c7", "direction": "in", "from": "030 1234567", "to": "0800 100",
     "cause": "normalClearing", "answeringNumber": "0800 100"},
]
COMPARED = ("direction", "from_number", "to_number", "number", "queue", "ringing", "customer_id", "case_id",
            "answered_by_id", "cause", "missed", "withheld")


def _in_order(store, clock, order) -> Call:
    """The events at 10 s apart in the given order, each sent twice (a telephone system retrying)."""
    for index in order:
        _event(store, clock, **EVENTS[index])
        assert not _event(store, clock, **EVENTS[index]), "a second copy of an event must change nothing"
        clock.advance(10)
    return _call(store, "c7")


def test_events_in_any_order_and_twice_give_the_same_call(store, clock, agents, karl_case, tmp_path):
    expected = _in_order(store, clock, (0, 1, 2))
    assert expected.answered_by_id == agents["ben"].id and expected.cause == "normalClearing"
    assert not expected.missed and expected.version == 3
    for order in itertools.permutations(range(3)):
        if order == (0, 1, 2):
            continue
        with store.transaction() as session:
            session.execute(Call.__table__.delete())
        got = _in_order(store, clock, order)
        assert {c: getattr(got, c) for c in COMPARED} == {c: getattr(expected, c) for c in COMPARED}, order
        assert got.started_at and got.answered_at and got.ended_at


def test_an_answer_before_its_new_call_and_a_hangup_for_an_unknown_call_are_kept(store, clock, agents):
    _event(store, clock, event="answer", callId="early", user=["anna"])
    call = _call(store, "early")
    assert call.answered_at == clock.now() and call.started_at is None
    assert call.answered_by_id == agents["anna"].id
    _event(store, clock, event="hangup", callId="never-announced", cause="cancel", **{"from": "0171 2345678"})
    stray = _call(store, "never-announced")
    assert stray.ended_at == clock.now() and stray.missed and stray.number == "+491712345678"


def test_a_call_rings_for_three_agents_and_stops_ringing_for_all_when_one_answers(store, clock, agents):
    from agent_console.domain.agents import set_extension

    set_extension(store, clock, "sue", "42")
    _event(store, clock, event="newCall", callId="r3", direction="in", user=["anna", "ben", "42"],
           **{"from": "+49 40 1234567", "to": "0800 100"})
    with store.session() as session:
        for login in ("anna", "ben", "sue"):
            agent = session.get(type(agents[login]), agents[login].id)
            assert [c.call_id for c in ringing_for(session, agent)] == ["r3"], login
    clock.advance(8)
    _event(store, clock, event="answer", callId="r3", user=["42"])
    with store.session() as session:
        for login in ("anna", "ben", "sue"):
            assert ringing_for(session, session.get(type(agents[login]), agents[login].id)) == []
    call = _call(store, "r3")
    assert call.answered_by_id == agents["sue"].id
    assert call.ringing == "anna,ben,sue"
    assert call_times(call).ring_seconds == 8


def test_a_caller_who_gives_up_is_missed_and_called_back_by_the_next_answered_call(store, clock, agents,
                                                                                   karl_case):
    _event(store, clock, event="newCall", callId="m1", direction="in", **{"from": "030 1234567", "to": "0800"})
    clock.advance(95)
    _event(store, clock, event="hangup", callId="m1", cause="cancel")
    with store.session() as session:
        missed = call_queries.missed_calls(session)
        assert [c.call_id for c in missed] == ["m1"]
        assert missed[0].customer_id == karl_case.customer_id
    assert call_times(_call(store, "m1")).ring_seconds == 95
    # The agent calls back: an outbound call to the same number, answered.
    clock.advance(600)
    _event(store, clock, event="newCall", callId="o1", direction="out", user=["anna"],
           **{"from": "0800 100", "to": "+49 (0)30 123 45 67"})
    out = _call(store, "o1")
    assert out.number == "+49301234567" and out.case_id == karl_case.id and not out.missed
    assert _call(store, "m1").called_back_at is None
    _event(store, clock, event="answer", callId="o1", direction="out", user=["anna"])
    back = _call(store, "m1")
    assert back.called_back_at == clock.now() and back.called_back_by_id == agents["anna"].id
    with store.session() as session:
        assert call_queries.missed_calls(session) == []


def test_a_missed_call_is_marked_called_back_by_hand(store, clock, agents):
    _event(store, clock, event="newCall", callId="m2", direction="in", **{"from": "anonymous", "to": "0800"})
    _event(store, clock, event="hangup", callId="m2", cause="noAnswer")
    call = _call(store, "m2")
    assert call.withheld and call.number is None and call.missed
    with store.transaction() as session:
        mark_called_back(session, clock, "m2", agents["ben"])
    assert _call(store, "m2").called_back_by_id == agents["ben"].id
    with store.transaction() as session, pytest.raises(CallEventError, match="no call"):
        mark_called_back(session, clock, "nope", agents["ben"])


def test_a_transfer_is_not_missed_and_its_new_call_belongs_to_the_same_customer(store, clock, agents, karl_case):
    _event(store, clock, event="newCall", callId="t1", direction="in", user=["anna"],
           **{"from": "030 1234567", "to": "0800"})
    _event(store, clock, event="answer", callId="t1", user=["anna"])
    clock.advance(30)
    _event(store, clock, event="hangup", callId="t1", cause="forwarded")
    _event(store, clock, event="newCall", callId="t2", direction="in", user=["ben"],
           **{"from": "030 1234567", "to": "0800"})
    first, second = _call(store, "t1"), _call(store, "t2")
    assert first.cause == "forwarded" and not first.missed and call_times(first).talk_seconds == 30
    assert second.customer_id == first.customer_id == karl_case.customer_id
    assert second.case_id == karl_case.id


def test_an_unanswered_forwarded_call_is_not_missed(store, clock):
    _event(store, clock, event="newCall", callId="f1", direction="in", **{"from": "030 1234567", "to": "0800"})
    _event(store, clock, event="hangup", callId="f1", cause="forwarded")
    assert not _call(store, "f1").missed


def test_the_open_case_is_chosen_over_a_newer_closed_one(store, clock, agents, karl_case):
    service = CaseService(store, clock, agents["anna"])
    clock.advance(3600)
    newer = service.create_case(customer="+49301234567", channel="phone", queue="Billing", subject="Neu", body="x")
    service.claim(newer.key)
    service.resolve(newer.key)
    _event(store, clock, event="newCall", callId="k1", direction="in", **{"from": "030 1234567", "to": "0800"})
    assert _call(store, "k1").case_id == karl_case.id


@pytest.mark.parametrize("values, field", [
    ({"event": "ring", "callId": "b1"}, "event"),
    ({"event": "newCall"}, "callId"),
    ({"event": "newCall", "callId": "b1", "direction": "sideways"}, "direction"),
    ({"event": "newCall", "callId": "b1"}, "direction"),
    ({"event": "hangup", "callId": "b1", "cause": "fell asleep"}, "cause"),
    ({"event": "newCall", "callId": "b1", "direction": "in", "from": "call me"}, "from"),
    ({"event": "newCall", "callId": "x" * 201, "direction": "in"}, "callId"),
    ({"event": "newCall", "callId": "b1", "direction": "in", "user": {"login": "anna"}}, "user"),
])
def test_a_bad_event_names_its_field_and_writes_nothing(store, clock, values, field):
    with pytest.raises(CallEventError) as refused:
        _event(store, clock, **values)
    assert refused.value.field == field
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 0


def test_each_recorded_event_is_queued_for_the_server_once(store, clock):
    _event(store, clock, event="newCall", callId="q1", direction="in", **{"from": "030 1234567", "to": "0800"})
    _event(store, clock, event="newCall", callId="q1", direction="in", **{"from": "030 1234567", "to": "0800"})
    with store.session() as session:
        ops = session.scalars(select(OutboxOp).where(OutboxOp.kind == "cti.event")).all()
    assert len(ops) == 1
    assert '"from": "030 1234567"' in ops[0].payload and '"at": "2026-11-23T09:00:00+00:00"' in ops[0].payload


def test_an_event_recorded_offline_keeps_its_time(store, clock):
    earlier = clock.now() - timedelta(minutes=5)
    with store.transaction() as session:
        record_event(session, clock, parse_event({"event": "newCall", "callId": "off", "direction": "in",
                                                  "from": "030 1234567"}, at=earlier))
    assert _call(store, "off").started_at == earlier


def test_the_migration_stores_existing_numbers_in_e164(tmp_path):
    from sqlalchemy import text

    from agent_console.store.db import make_engine, sqlite_url, upgrade

    url = sqlite_url(tmp_path / "old.db")
    upgrade(url, "0013")
    engine = make_engine(url)
    with engine.begin() as conn:
        for uid, phone in (("u1", "030 1234567"), ("u2", "+49301234567"), ("u3", "0049 40 1234567"),
                           ("u4", "ext. 12"), ("u5", None)):
            conn.execute(text("INSERT INTO customers (uid, name, phone, language, vip, version) "
                              "VALUES (:uid, 'K', :phone, 'de', 0, 1)"), {"uid": uid, "phone": phone})
    upgrade(url)
    with engine.connect() as conn:
        phones = dict(conn.execute(text("SELECT uid, phone FROM customers")).all())
    engine.dispose()
    assert phones == {"u1": "+49301234567", "u2": "+49301234567", "u3": "+49401234567", "u4": "ext. 12",
                      "u5": None}


def test_an_unanswered_outbound_call_is_logged_but_not_missed(store, clock, agents, karl_case):
    _event(store, clock, event="newCall", callId="out1", direction="out", user=["anna"],
           **{"from": "0800 100", "to": "030 1234567"})
    clock.advance(20)
    _event(store, clock, event="hangup", callId="out1", cause="busy")
    call = _call(store, "out1")
    assert call.direction == "out" and call.case_id == karl_case.id and call.cause == "busy"
    assert not call.missed and call_times(call).ring_seconds == 20
