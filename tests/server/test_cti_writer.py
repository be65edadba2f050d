"""The server's grouped path for call events (``server.cti_writer``, #20 point 8) records exactly what the ORM path
(``domain.calls.record_event``) records: the same call rows, audit rows, answers and feed rows byte for byte, for
event sequences as a telephone system sends them (out of order, duplicates, a known customer, extensions, a
withheld caller, a missed call called back), on SQLite and PostgreSQL, one event per transaction or all in one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from agent_console.domain.calls import parse_event, record_event
from agent_console.domain.cases import CaseService
from agent_console.domain.clock import FrozenClock
from agent_console.server.cti_writer import record_events, state_name
from agent_console.server.db import open_server_store
from agent_console.store.accounts import account_by_login
from agent_console.store.models import AuditEvent, Call, Case, ChangeLogEntry, Customer
from tests.server.conftest import prepare_database

START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
#: The same known customer and case in both stores (the feed refers to them by uid).
CASE_UID, CUSTOMER_UID, MESSAGE_UID = ("5b0c1a52-0000-4000-8000-00000000000" + digit for digit in "123")

#: (seconds later, the event) — what a telephone system sends, in the order it arrives.
SEQUENCE = [
    (0, {"event": "answer", "callId": "k1", "user": ["anna"]}),                    # before its newCall
    (1, {"event": "newCall", "callId": "k1", "direction": "in", "from": "030 1234567", "to": "0800",
         "user": ["anna", "77"], "queue": "Billing"}),
    (1, {"event": "newCall", "callId": "k1", "direction": "in", "from": "030 1234567", "to": "0800"}),  # twice
    (2, {"event": "hangup", "callId": "u1", "cause": "normalClearing"}),            # a call never announced
    (3, {"event": "newCall", "callId": "m1", "direction": "in", "from": "0171 2345678", "to": "0800",
         "user": ["77", "ben"]}),
    (4, {"event": "hangup", "callId": "m1", "cause": "cancel"}),                    # missed
    (5, {"event": "newCall", "callId": "w1", "direction": "in", "from": "anonymous", "to": "0800"}),
    (6, {"event": "hangup", "callId": "k1", "cause": "normalClearing", "answeringNumber": "77"}),
    (7, {"event": "newCall", "callId": "m2", "direction": "out", "from": "77", "to": "+49 171 2345678"}),
    (8, {"event": "answer", "callId": "m2", "answeringNumber": "77"}),              # calls m1 back
    (9, {"event": "hangup", "callId": "m2", "cause": "normalClearing"}),
    (9, {"event": "hangup", "callId": "m1", "cause": "cancel"}),                    # late duplicate
]


def _store(databases, backend: str):
    url = databases.new(backend)
    prepare_database(url)
    store = open_server_store(url)
    clock = FrozenClock(START)
    with store.transaction() as session:
        anna = account_by_login(session, "anna")
        anna.extension = "77"
    CaseService(store, clock).create_case(customer="+49 30 1234567", customer_name="Karl Kunde", channel="phone",
                                          queue="Billing", subject="Rechnung", body="Hallo",
                                          uid=CASE_UID, customer_uid=CUSTOMER_UID, message_uid=MESSAGE_UID)
    return store, clock


def _with_orm(store, clock, actor_id: int) -> list[dict]:
    from agent_console.store.models import Agent

    answers = []
    for later, values in SEQUENCE:
        clock.advance(later - (clock.now() - START).total_seconds())
        with store.transaction() as session:
            recorded = record_event(session, clock, parse_event(values), actor=session.get(Agent, actor_id))
            call = recorded.call
            customer = session.get(Customer, call.customer_id) if call.customer_id else None
            case = session.get(Case, call.case_id) if call.case_id else None
            answers.append({"call_id": call.call_id, "call_uid": call.uid, "applied": recorded.applied,
                            "state": state_name(call), "customer_uid": customer.uid if customer else None,
                            "case_key": case.key if case else None})
    return answers


def _grouped(store, clock, actor_id: int, group_size: int) -> list[dict]:
    """The events through ``record_events``, ``group_size`` at a time; the events of a group are recorded when its
    last one arrived, each with the time it arrived."""
    answers = []
    for first in range(0, len(SEQUENCE), group_size):
        group = SEQUENCE[first:first + group_size]
        clock.advance(group[-1][0] - (clock.now() - START).total_seconds())
        answers += record_events(store, clock, [
            (actor_id, parse_event(values, at=START + timedelta(seconds=later) if group_size > 1 else None))
            for later, values in group])
    return answers


def _without_updated_at(contents: tuple) -> tuple:
    """A group is recorded at once: its calls' ``updated_at`` is when the group was, not when each event arrived."""
    import json

    calls, audits, feed = contents
    return ([{k: v for k, v in call.items() if k != "updated_at"} for call in calls], audits,
            sorted((json.dumps({k: v for k, v in json.loads(data).items() if k != "updated_at"}), queue)
                   for data, queue in feed))


def _contents(store) -> tuple[list, list, list]:
    skip = {"id"}
    with store.session() as session:
        calls = [{k: v for k, v in row._mapping.items() if k not in skip}
                 for row in session.execute(select(Call.__table__).order_by(Call.call_id))]
        audits = [(a.action, a.detail) for a in session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "call").order_by(AuditEvent.id))]
        feed = {}
        for row in session.scalars(select(ChangeLogEntry).where(ChangeLogEntry.entity == "call")
                                   .order_by(ChangeLogEntry.seq)):
            feed[row.uid] = (row.data, row.queue)  # the newest row of each call
    return calls, audits, sorted(feed.values())


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_one_event_per_transaction_records_what_the_orm_path_records(databases, backend):
    orm_store, orm_clock = _store(databases, backend)
    fast_store, fast_clock = _store(databases, backend)
    try:
        with orm_store.session() as session:
            actor_id = account_by_login(session, "root").id
        orm_answers = _with_orm(orm_store, orm_clock, actor_id)
        fast_answers = _grouped(fast_store, fast_clock, actor_id, 1)
        assert fast_answers == orm_answers
        assert [a["applied"] for a in fast_answers] == [True, True, False, True, True, True, True, True, True,
                                                        True, True, False]
        orm, fast = _contents(orm_store), _contents(fast_store)
        assert fast[0] == orm[0]
        assert fast[1] == orm[1]
        assert fast[2] == orm[2]
        calls = {call["call_id"]: call for call in fast[0]}
        assert calls["m1"]["missed"] and calls["m1"]["called_back_at"] is not None
        assert calls["k1"]["case_id"] is not None and calls["k1"]["ringing"] == "anna"
        assert calls["w1"]["withheld"] and calls["w1"]["number"] is None
    finally:
        orm_store.dispose()
        fast_store.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_group_in_one_transaction_gives_the_same_calls_and_feed(databases, backend):
    orm_store, orm_clock = _store(databases, backend)
    fast_store, fast_clock = _store(databases, backend)
    try:
        with orm_store.session() as session:
            actor_id = account_by_login(session, "root").id
        orm_answers = _with_orm(orm_store, orm_clock, actor_id)
        fast_answers = _grouped(fast_store, fast_clock, actor_id, len(SEQUENCE))
        # Answered in order, each as if alone (a duplicate in the same group is still "not applied") …
        assert [(a["call_id"], a["applied"]) for a in fast_answers] == [(a["call_id"], a["applied"])
                                                                        for a in orm_answers]
        orm, fast = _without_updated_at(_contents(orm_store)), _without_updated_at(_contents(fast_store))
        assert fast[0] == orm[0]
        assert fast[1] == orm[1]
        # … and each call is one feed row of its final state (the ORM path wrote one per event).
        assert fast[2] == orm[2]
        with fast_store.session() as session:
            rows = session.scalars(select(ChangeLogEntry.uid).where(ChangeLogEntry.entity == "call")).all()
        assert len(rows) == len(set(rows)) == 5
    finally:
        orm_store.dispose()
        fast_store.dispose()


def test_events_sent_at_once_over_many_connections_count_once_each(live):
    """A telephone system posting in parallel (the events of one call, each twice, over ten connections): the server
    groups what arrives together, and each event of each call is applied exactly once, answered after it is stored."""
    from concurrent.futures import ThreadPoolExecutor

    run = uuid_prefix()
    events = [{"event": kind, "callId": f"{run}-{n}", "direction": "in", "from": f"040 {5_550_000 + n}",
               "to": "0800", "user": ["anna"], **({"cause": "cancel"} if kind == "hangup" else {})}
              for n in range(10) for kind in ("newCall", "hangup", "newCall", "hangup")]

    def send(batch: list[dict]) -> list[dict]:
        with live.client("root") as client:
            answers = []
            for event in batch:
                response = client.post("/api/v1/cti/events", json=event)
                assert response.status_code == 200, response.text
                answers.append({**response.json(), "event": event["event"]})
            return answers

    with ThreadPoolExecutor(10) as pool:
        answers = [answer for part in pool.map(send, [events[i::10] for i in range(10)]) for answer in part]
    applied = sorted((a["call_id"], a["event"]) for a in answers if a["applied"])
    assert applied == sorted({(f"{run}-{n}", kind) for n in range(10) for kind in ("newCall", "hangup")})
    missed = {a["call_id"] for a in answers if a["state"] == "missed"}
    stored, cursor = {}, 0
    with live.client("root") as client:
        while True:
            page = client.get("/api/v1/changes", params={"cursor": cursor, "limit": 1000}).json()
            for change in page["changes"]:
                if change["entity"] == "call" and change["data"]["call_id"].startswith(run):
                    stored[change["data"]["call_id"]] = change["data"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
    assert set(stored) == {f"{run}-{n}" for n in range(10)} == missed
    assert all(call["missed"] and call["started_at"] and call["ended_at"] for call in stored.values())


def uuid_prefix() -> str:
    import uuid

    return f"par-{uuid.uuid4().hex[:8]}"
