"""``POST /api/v1/cti/events`` on a real server (SQLite and PostgreSQL): the generic CTI format as JSON and as a form,
from an integration's API token; duplicates, bad fields, the call in the change feed, and a console's recorded
events arriving as ``cti.event`` ops (#20 points 1 and 6)."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import pytest

from agent_console.domain.calls import call_uid


@pytest.fixture(scope="module")
def api_token(live):
    """An API token of the admin account, as `agent-console server tokens create root --name phone` makes one."""
    from agent_console.domain.clock import SystemClock
    from agent_console.server.auth import issue_token
    from agent_console.server.db import open_server_store
    from agent_console.store.accounts import account_by_login

    store = open_server_store(live.db_url)
    try:
        with store.transaction() as session:
            token, _row = issue_token(session, account_by_login(session, "root").id, SystemClock().now(),
                                      kind="api", name="phone system", lifetime=None)
    finally:
        store.dispose()
    return token


def _call_id() -> str:
    return f"pbx-{uuid.uuid4().hex[:12]}"


def _number() -> str:
    """A Berlin number of its own per test (the servers live for the whole session)."""
    return f"030 {uuid.uuid4().int % 9_000_000 + 1_000_000}"


def _post_json(live, token, **event):
    with live.client(token=token) as client:
        return client.post("/api/v1/cti/events", json=event)


def _calls_in_feed(live, login: str = "root") -> dict[str, dict]:
    found: dict[str, dict] = {}
    cursor = 0
    with live.client(login) as client:
        while True:
            page = client.get("/api/v1/changes", params={"cursor": cursor, "limit": 1000}).json()
            for change in page["changes"]:
                if change["entity"] == "call":
                    found[change["data"]["call_id"]] = change["data"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return found


def test_a_known_caller_rings_for_agents_and_is_linked_to_their_open_case(live, api_token):
    number = _number()
    with live.client(token=api_token) as client:
        intake = client.post("/api/v1/cases", json={"customer": number, "customer_name": "Karl Kunde",
                                                    "channel": "phone", "queue": "Billing", "subject": "Rechnung",
                                                    "body": "Bitte zurückrufen"})
    assert intake.status_code == 201, intake.text
    call_id = _call_id()
    digits = number.replace(" ", "")[1:]
    response = _post_json(live, api_token, event="newCall", callId=call_id, direction="in",
                          to="0800 100", user=["anna", "ben"], queue="Billing", **{"from": f"+49 (0){digits}"})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["applied"] and answer["state"] == "ringing"
    assert answer["call_uid"] == call_uid(call_id)
    assert answer["case_key"] == intake.json()["key"] and answer["customer_uid"] == intake.json()["customer_uid"]
    again = _post_json(live, api_token, event="newCall", callId=call_id, direction="in", **{"from": number})
    assert again.status_code == 200 and again.json()["applied"] is False
    feed = _calls_in_feed(live, "anna")[call_id]
    assert feed["ringing"] == "anna,ben" and feed["case_uid"] == intake.json()["uid"]
    assert feed["number"] == "+49" + digits.lstrip("0")


def test_form_encoded_events_out_of_order_end_as_an_answered_call(live, api_token):
    call_id = _call_id()
    with live.client(token=api_token) as client:
        for event in ({"event": "answer", "callId": call_id, "user[]": "ben", "direction": "in"},
                      {"event": "newCall", "callId": call_id, "from": "anonymous", "to": "0800 100",
                       "direction": "in", "user[]": ["anna", "ben"]},
                      {"event": "hangup", "callId": call_id, "cause": "normalClearing", "direction": "in"}):
            response = client.post("/api/v1/cti/events", content=urlencode(event, doseq=True),
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert response.status_code == 200, response.text
    assert response.json()["state"] == "ended"
    call = _calls_in_feed(live)[call_id]
    assert call["answered_by_login"] == "ben" and call["withheld"] and call["number"] is None
    assert call["ringing"] == "anna,ben" and not call["missed"]


def test_a_caller_who_hangs_up_while_waiting_is_missed(live, api_token):
    call_id = _call_id()
    _post_json(live, api_token, event="newCall", callId=call_id, direction="in", to="0800",
               **{"from": _number()})
    response = _post_json(live, api_token, event="hangup", callId=call_id, cause="cancel")
    assert response.json()["state"] == "missed"


@pytest.mark.parametrize("event, field", [
    ({"event": "ring", "callId": "x"}, "event"),
    ({"event": "newCall", "direction": "in"}, "callId"),
    ({"event": "hangup", "callId": "x", "cause": "asleep"}, "cause"),
    ({"event": "newCall", "callId": "x", "direction": "up"}, "direction"),
])
def test_a_bad_event_is_refused_naming_its_field_and_nothing_is_written(live, api_token, event, field):
    event = {**event, "callId": _call_id()} if "callId" in event else event
    response = _post_json(live, api_token, **event)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{field}:")
    if "callId" in event:
        assert event["callId"] not in _calls_in_feed(live)


def test_an_event_needs_a_token_and_a_json_object(live, api_token):
    with live.client() as client:
        assert client.post("/api/v1/cti/events", json={"event": "newCall", "callId": "x"}).status_code == 401
    with live.client(token=api_token) as client:
        assert client.post("/api/v1/cti/events", json=["newCall"]).status_code == 422
        assert client.post("/api/v1/cti/events", content=b"{not json",
                           headers={"Content-Type": "application/json"}).status_code == 400


def test_events_a_console_recorded_offline_arrive_as_ops_with_their_own_time(live, api_token):
    call_id = _call_id()
    ops = [{"op_id": str(uuid.uuid4()), "kind": "cti.event",
            "payload": {"event": "newCall", "callId": call_id, "direction": "in", "from": "0171 2345678",
                        "to": "0800", "user": ["anna"], "at": "2026-11-23T08:00:00+00:00"}},
           {"op_id": str(uuid.uuid4()), "kind": "cti.event",
            "payload": {"event": "hangup", "callId": call_id, "cause": "noAnswer",
                        "at": "2026-11-23T08:00:40+00:00"}}]
    response = live.ops("anna", *ops)
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["applied", "applied"]
    call = _calls_in_feed(live)[call_id]
    assert call["uid"] == call_uid(call_id)
    assert call["started_at"].startswith("2026-11-23T08:00:00") and call["ended_at"].startswith("2026-11-23T08:00:40")
    assert call["missed"] and call["number"] == "+491712345678"
    # The same ops again (the console's push repeated): duplicates, nothing changes.
    again = live.ops("anna", *ops)
    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "duplicate"]


def test_the_monitor_api_counts_callers_in_line_per_queue(live, api_token):
    queue = f"Hotline-{uuid.uuid4().hex[:6]}"
    for _ in range(2):
        response = _post_json(live, api_token, event="newCall", callId=_call_id(), direction="in", to="0800",
                              queue=queue, **{"from": _number()})
        assert response.status_code == 200, response.text
    with live.client("sue") as client:
        monitor = client.get("/api/v1/monitor").json()
    hotline = next(group for group in monitor["queues"] if group["name"] == queue)
    assert hotline["callers_waiting"] == 2 and hotline["longest_call_wait_s"] >= 0
    assert monitor["floor"]["callers_waiting"] >= 2
