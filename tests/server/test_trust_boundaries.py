"""No data crosses a queue or an agent: case uids and external ids of other queues, op ids of other agents, cases
moved out of an agent's queues, helpful votes (issue #14, point 2). Anna is an agent of the Billing queue only."""

from __future__ import annotations

import uuid

from tests.server.conftest import new_case_op


def op(kind: str, **payload) -> dict:
    return {"op_id": str(uuid.uuid4()), "kind": kind, "payload": payload}


def create_case(live, queue: str, login: str = "sue", **kwargs) -> dict:
    result = live.ops(login, new_case_op(queue, **kwargs)).json()["results"][0]
    assert result["status"] == "applied", result
    return result["result"]


def reply(case_uid: str, body: str) -> dict:
    return op("message.add", message={"uid": str(uuid.uuid4()), "case_uid": case_uid, "direction": "out",
                                      "body": body, "is_internal": False})


def feed_changes(live, login: str, cursor: int = 0) -> tuple[list[dict], int]:
    changes = []
    with live.client(login) as client:
        while True:
            page = client.get("/api/v1/changes", params={"cursor": cursor, "limit": 5000}).json()
            changes += page["changes"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return changes, cursor


def test_case_create_with_the_uid_of_a_case_in_another_queue_reveals_nothing(live):
    hidden = create_case(live, "General", subject="Secret subject of General")
    taken = new_case_op("Billing", subject="Mine")
    taken["payload"]["case"]["uid"] = hidden["case_uid"]
    taken["payload"]["message"]["case_uid"] = hidden["case_uid"]
    response = live.ops("anna", taken)
    answer = response.json()["results"][0]
    assert answer["status"] == "rejected", answer
    assert answer.get("current") is None and answer.get("result") is None
    assert hidden["key"] not in response.text and "Secret subject" not in response.text
    # A supervisor, who sees every queue, still gets the conflict with the case.
    again = dict(taken, op_id=str(uuid.uuid4()))
    answer = live.ops("sue", again).json()["results"][0]
    assert answer["status"] == "conflict" and answer["current"]["key"] == hidden["key"]


def test_intake_with_the_external_id_of_another_queues_case_reveals_nothing(live):
    external_id = f"web-{uuid.uuid4().hex[:10]}"
    body = {"customer": "someone@example.com", "channel": "web", "queue": "General", "subject": "Hidden",
            "body": "please help", "external_id": external_id}
    with live.client("sue") as client:
        created = client.post("/api/v1/cases", json=body)
    assert created.status_code == 201, created.text
    with live.client("anna") as client:
        response = client.post("/api/v1/cases", json=dict(body, queue="Billing"))
    assert response.status_code == 409, response.text
    for secret in (created.json()["key"], created.json()["uid"], created.json()["customer_uid"]):
        assert secret not in response.text


def test_op_ids_are_scoped_to_their_author(live):
    case = create_case(live, "Billing")
    # Ben's reply is stored under his op id; Anna sending another op under the same id gets her own op applied.
    bens = reply(case["case_uid"], "Ben's answer")
    assert live.ops("ben", bens).json()["results"][0]["status"] == "applied"
    annas = dict(reply(case["case_uid"], "Anna's answer"), op_id=bens["op_id"])
    answer = live.ops("anna", annas).json()["results"][0]
    assert answer["status"] == "applied", answer
    # The other way round, on the domain-services path (a case.update): Anna uses an op id first, Ben's own op
    # under that id is applied, not dropped as a duplicate.
    annas_update = op("case.update", case_uid=case["case_uid"], base_version=1_000_000,
                      changes={"priority": "high"})
    assert live.ops("anna", annas_update).json()["results"][0]["status"] == "rejected"
    bens_update = dict(op("case.update", case_uid=case["case_uid"], base_version=case["version"],
                          changes={"priority": "urgent"}), op_id=annas_update["op_id"])
    answer = live.ops("ben", bens_update).json()["results"][0]
    assert answer["status"] in ("applied", "conflict"), answer
    assert answer.get("original_status") is None
    with live.client("sue") as client:
        detail = client.get(f"/api/v1/cases/{case['key']}").json()
    bodies = [m["body"] for m in detail["messages"]]
    assert "Ben's answer" in bodies and "Anna's answer" in bodies


def test_a_reused_op_id_with_other_content_is_not_a_silent_duplicate(live):
    case = create_case(live, "Billing")
    first = reply(case["case_uid"], "first text")
    assert live.ops("anna", first).json()["results"][0]["status"] == "applied"
    resent = live.ops("anna", first).json()["results"][0]
    assert resent["status"] == "duplicate" and resent["same_op"] is True
    other = dict(reply(case["case_uid"], "other text"), op_id=first["op_id"])
    answer = live.ops("anna", other).json()["results"][0]
    assert answer["status"] == "duplicate" and answer["same_op"] is False
    assert "different operation" in answer["reason"]
    with live.client("sue") as client:
        bodies = [m["body"] for m in client.get(f"/api/v1/cases/{case['key']}").json()["messages"]]
    assert "other text" not in bodies


def test_helpful_counts_one_vote_per_agent(live):
    article_uid = str(uuid.uuid4())
    article = {"uid": article_uid, "slug": f"votes-{article_uid[:8]}", "title": "Votes", "body": "Counted once.",
               "tags": "", "language": "en", "version": 1}
    assert live.ops("sue", op("kb.upsert", article=article)).json()["results"][0]["status"] == "applied"
    votes = []
    for login in ("anna", "anna", "ben", "anna"):
        answer = live.ops(login, op("kb.helpful", uid=article_uid)).json()["results"][0]
        assert answer["status"] == "applied", answer
        votes.append(answer["result"]["helpful_votes"])
    assert votes == [1, 1, 2, 2]


def test_a_case_moved_out_of_an_agents_queues_leaves_that_agents_feed(live):
    _changes, cursor = feed_changes(live, "anna")
    case = create_case(live, "Billing", subject="Moves away")
    elsewhere = create_case(live, "Shipping", subject="Never Anna's")
    uid = case["case_uid"]

    def update(case_uid, version, queue):
        answer = live.ops("sue", op("case.update", case_uid=case_uid, base_version=version,
                                    changes={"queue": queue})).json()["results"][0]
        assert answer["status"] == "applied", answer
        return answer["result"]["version"]

    version = update(uid, case["version"], "General")
    update(uid, version, "Shipping")
    update(elsewhere["case_uid"], elsewhere["version"], "General")
    assert live.ops("sue", reply(uid, "after the move")).json()["results"][0]["status"] == "applied"
    changes, _cursor = feed_changes(live, "anna", cursor)
    rows = [c for c in changes if c["entity"] == "case" and c["uid"] == uid]
    # Anna sees the case arrive and leave; not its second move nor anything after it.
    assert [row["data"]["queue"] for row in rows] == ["Billing", "General"]
    assert not [c for c in changes if c["data"].get("case_uid") == uid and c["entity"] == "message"
                and c["data"]["body"] == "after the move"]
    assert not [c for c in changes if elsewhere["case_uid"] in (c["uid"], c["data"].get("case_uid"))]
    # Someone who sees every queue gets each move.
    everything, _cursor = feed_changes(live, "sue", cursor)
    queues = [c["data"]["queue"] for c in everything if c["entity"] == "case" and c["uid"] == uid]
    assert queues[0] == "Billing" and queues[-1] == "Shipping" and "General" in queues


def test_a_follow_up_of_another_queues_case_cannot_be_completed(live):
    case = create_case(live, "General")
    escalation_uid, follow_up_uid = str(uuid.uuid4()), str(uuid.uuid4())
    created = live.ops("sue", op("escalation.create",
                                 escalation={"uid": escalation_uid, "case_uid": case["case_uid"], "to_tier": 2,
                                             "reason": "needs a technician"},
                                 follow_up={"uid": follow_up_uid, "due_at": "2026-11-25T09:00:00+00:00",
                                            "note": "ask if fixed"})).json()["results"][0]
    assert created["status"] == "applied" and created["result"]["follow_up_uid"] == follow_up_uid
    answer = live.ops("anna", op("follow_up.done", follow_up_uid=follow_up_uid, note="done")).json()["results"][0]
    assert answer == {"op_id": answer["op_id"], "status": "rejected", "reason": f"no follow-up with uid {follow_up_uid}"}
    latest = {}
    changes, _cursor = feed_changes(live, "sue")
    for change in changes:
        latest[(change["entity"], change["uid"])] = change["data"]
    assert latest[("follow_up", follow_up_uid)]["done_at"] is None
