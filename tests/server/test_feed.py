"""GET /changes paging and GET /events (server-sent events), including fan-out across uvicorn workers."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid

import httpx
import pytest

from tests.server.conftest import new_case_op, prepare_database, start_server


def test_paging_from_cursor_zero_returns_every_change_once_in_order(live):
    created = live.ops("sue", new_case_op("General", subject="Paged"), new_case_op("Billing")).json()["results"]
    case_uids = {r["result"]["case_uid"] for r in created}
    seqs, pages, cursor, seen = [], 0, 0, {}
    with live.client("sue") as client:
        while True:
            response = client.get("/api/v1/changes", params={"cursor": cursor, "limit": 7})
            assert response.status_code == 200
            assert response.headers["content-type"] == "application/json"
            page = response.json()
            assert len(page["changes"]) <= 7
            pages += 1
            for change in page["changes"]:
                seqs.append(change["seq"])
                seen[(change["entity"], change["uid"])] = change["data"]
            if page["changes"]:
                assert page["next_cursor"] == page["changes"][-1]["seq"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
        assert seqs == sorted(set(seqs)), "sequence numbers strictly increase, no repeats"
        assert pages > 1
        # Nothing after the end.
        tail = client.get("/api/v1/changes", params={"cursor": cursor}).json()
        assert tail == {"changes": [], "next_cursor": cursor, "has_more": False}
    for uid in case_uids:
        case = seen[("case", uid)]
        assert case["customer_uid"] and ("customer", case["customer_uid"]) in seen
    entities = {entity for entity, _uid in seen}
    assert {"agent", "case", "customer", "message", "sla_event"} <= entities
    for (entity, _uid), data in seen.items():
        assert "id" not in data
        if entity == "agent":
            assert "password_hash" not in data
        if entity == "message":
            assert "case_id" not in data and data["case_uid"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 5001}, {"cursor": -1}, {"cursor": "abc"},
                                    {"cursor": 2**70}])
def test_bad_feed_parameters_get_422(live, params):
    with live.client("ben") as client:
        assert client.get("/api/v1/changes", params=params).status_code == 422


def _read_events(response: httpx.Response, out: queue.Queue) -> None:
    event = None
    try:
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "change":
                out.put(json.loads(line.split(":", 1)[1]))
            elif line.startswith(":"):
                out.put("heartbeat")
    except httpx.HTTPError:
        pass


def _stream(base_url: str, token: str):
    client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                          timeout=httpx.Timeout(30, read=60))
    response = client.send(client.build_request("GET", "/api/v1/events"), stream=True)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events: queue.Queue = queue.Queue()
    threading.Thread(target=_read_events, args=(response, events), daemon=True).start()
    return client, response, events


def _next_change(events: queue.Queue, within: float = 30.0) -> dict:
    """The next change event; fails after ``within`` seconds of heartbeats only."""
    deadline = time.monotonic() + within
    while True:
        item = events.get(timeout=max(0.1, deadline - time.monotonic()))
        if item != "heartbeat":
            return item
        assert time.monotonic() < deadline, f"no change event within {within} s, only heartbeats"


def test_events_announce_a_change(live):
    client, response, events = _stream(live.base_url, live.token("ben"))
    try:
        hello = _next_change(events)
        result = live.ops("sue", new_case_op("General", subject="Announced")).json()
        while True:
            change = _next_change(events)
            if change["cursor"] >= result["cursor"]:
                break
        assert change["cursor"] > hello["cursor"]
    finally:
        response.close()
        client.close()


def test_events_need_a_token(live):
    response = httpx.get(f"{live.base_url}/api/v1/events")
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_events_reach_listeners_of_every_worker_on_postgresql(postgres_cluster, databases, tmp_path):
    """Two uvicorn workers, no polling: a change committed by one worker reaches streams on both via NOTIFY."""
    url = databases.new("postgresql")
    tokens = prepare_database(url)
    server = start_server("postgresql", url, tmp_path, "--workers", "2",
                          env_extra={"AGENT_CONSOLE_SERVER_POLL_SECONDS": "3600"})
    server.tokens.update(tokens)
    streams = []
    try:
        pids = set()
        while len(pids) < 2 and len(streams) < 60:  # until both workers hold a stream
            streams.append(_stream(server.base_url, tokens["ben"]))
            pids.add(streams[-1][1].headers["x-worker-pid"])
        assert len(pids) == 2, "the kernel never handed a connection to the second worker"
        for _client, _response, events in streams:
            _next_change(events)
        created = new_case_op("General", subject="Fan-out")
        result = server.ops("sue", created).json()
        for _client, _response, events in streams:
            while _next_change(events)["cursor"] < result["cursor"]:
                pass
        # A reply takes the batched write path, whose NOTIFY travels with its COMMIT.
        reply = {"op_id": str(uuid.uuid4()), "kind": "message.add", "payload": {"message": {
            "uid": str(uuid.uuid4()), "case_uid": created["payload"]["case"]["uid"], "direction": "out",
            "body": "On its way", "is_internal": False}}}
        replied = server.ops("sue", reply).json()
        assert replied["results"][0]["status"] == "applied" and replied["cursor"] > result["cursor"]
        for _client, _response, events in streams:
            while _next_change(events)["cursor"] < replied["cursor"]:
                pass
    finally:
        for client, response, _events in streams:
            response.close()
            client.close()
        server.stop()
