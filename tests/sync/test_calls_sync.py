"""Calls travel through the change feed (#20 point 6): a call the server records rings on a synced console and stops
ringing there when answered; a console offline keeps its own call log and sends it when back, and the call is the
same one row on both sides."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from agent_console.domain.calls import call_uid, parse_event, record_event, ringing_for
from agent_console.domain.clock import SystemClock
from agent_console.store import call_queries
from agent_console.store.models import Call


def _server_call(server, call_id: str) -> dict | None:
    from agent_console.store.db import Store, make_engine

    store = Store(server.db_url, make_engine(server.db_url))
    try:
        with store.session() as session:
            call = call_queries.call_by_call_id(session, call_id)
            return None if call is None else {"uid": call.uid, "missed": call.missed, "started_at": call.started_at,
                                              "ended_at": call.ended_at, "number": call.number}
    finally:
        store.dispose()


def _local_calls(console) -> list[Call]:
    with console.store.session() as session:
        return list(session.scalars(select(Call)))


def test_a_call_from_the_server_rings_on_the_console_until_answered(team):
    ben = team.console("ben")
    ben.sync()
    with httpx.Client(base_url=team.server.base_url,
                      headers={"Authorization": f"Bearer {team.server.token('root')}"}) as client:
        response = client.post("/api/v1/cti/events", json={"event": "newCall", "callId": "sync-ring-1",
                                                           "direction": "in", "from": "030 9876543", "to": "0800",
                                                           "user": ["ben", "anna"]})
        assert response.status_code == 200, response.text
        report = ben.sync()
        assert call_uid("sync-ring-1") in report.pulled.call_uids  # what the console's screen pop listens for
        with ben.store.session() as session:
            assert [c.call_id for c in ringing_for(session, ben.agent)] == ["sync-ring-1"]
        client.post("/api/v1/cti/events", json={"event": "answer", "callId": "sync-ring-1", "user": ["anna"]})
    ben.sync()
    with ben.store.session() as session:
        assert ringing_for(session, ben.agent) == []
        call = call_queries.call_by_call_id(session, "sync-ring-1")
        assert call.uid == call_uid("sync-ring-1") and call.answered_at is not None


def test_an_offline_console_keeps_its_call_log_and_sends_it_when_back(floor):
    anna = floor.console("anna")
    anna.sync()
    floor.server.stop()
    clock = SystemClock()
    with anna.store.transaction() as session:
        record_event(session, clock, parse_event({"event": "newCall", "callId": "offline-1", "direction": "in",
                                                  "from": "0171 2345678", "to": "0800", "user": ["anna"]}))
    with anna.store.transaction() as session:
        record_event(session, clock, parse_event({"event": "hangup", "callId": "offline-1", "cause": "cancel"}))
    with anna.store.session() as session:
        assert [c.call_id for c in call_queries.missed_calls(session)] == ["offline-1"]
    local = _local_calls(anna)[0]
    assert anna.pending() == 2
    floor.restart()
    anna.sync()
    assert anna.pending() == 0
    on_server = _server_call(floor.server, "offline-1")
    assert on_server == {"uid": local.uid, "missed": True, "started_at": local.started_at,
                         "ended_at": local.ended_at, "number": "+491712345678"}
    anna.sync()
    calls = _local_calls(anna)
    assert [(c.uid, c.missed) for c in calls] == [(local.uid, True)]


def test_a_case_made_for_a_call_offline_carries_the_call_to_the_server_and_the_other_consoles(floor):
    """The pop's "new phone case" on a console that went offline after the call rang: the case and the link travel
    with the next sync (ops case.create, cti.link, case.claim), and every console ends with the call on that case."""
    from agent_console.domain.new_case import NewCaseRequest, NewCustomer, create_claimed_case

    anna, ben = floor.console("anna"), floor.console("ben")
    with httpx.Client(base_url=floor.server.base_url,
                      headers={"Authorization": f"Bearer {floor.server.token('root')}"}) as client:
        for event in ({"event": "newCall", "callId": "link-1", "direction": "in", "from": "0160 4443322",
                       "to": "0800", "user": ["anna"], "queue": "Billing"},
                      {"event": "answer", "callId": "link-1", "user": ["anna"]}):
            assert client.post("/api/v1/cti/events", json=event).status_code == 200
    anna.sync()
    floor.server.stop()
    case = create_claimed_case(anna.cases(), NewCaseRequest(
        subject="Neuer Anruf", channel="phone", queue="Billing", priority="normal", call_id="link-1",
        new_customer=NewCustomer(name="Nina Neu", email=None, phone="0160 4443322")))
    floor.restart()
    anna.sync()
    assert anna.pending() == 0
    from agent_console.store.db import Store, make_engine

    server_store = Store(floor.server.db_url, make_engine(floor.server.db_url))
    try:
        with server_store.session() as session:
            from agent_console.store.models import Case

            on_server = call_queries.call_by_call_id(session, "link-1")
            server_case = session.get(Case, on_server.case_id)
            assert server_case.uid == case.uid and on_server.customer_id == server_case.customer_id
    finally:
        server_store.dispose()
    ben.sync()
    for console in (anna, ben):
        with console.store.session() as session:
            call = call_queries.call_by_call_id(session, "link-1")
            assert console.case(case.uid).id == call.case_id, console.login
            assert [c.call_id for c in call_queries.calls_of_case(session, call.case_id)] == ["link-1"]
