"""POST /ops on a real server: idempotency, the claim race, version conflicts, every op kind, bad batches."""

from __future__ import annotations

import json
import threading
import uuid

import httpx

from tests.server.conftest import new_case_op


def op(kind: str, **payload) -> dict:
    return {"op_id": str(uuid.uuid4()), "kind": kind, "payload": payload}


def create_case(live, login="sue", queue="General", **kwargs) -> dict:
    result = live.ops(login, new_case_op(queue, **kwargs)).json()["results"][0]
    assert result["status"] == "applied", result
    return result["result"]


def case_detail(live, key: str) -> dict:
    with live.client("sue") as client:
        response = client.get(f"/api/v1/cases/{key}")
    assert response.status_code == 200, response.text
    return response.json()


def feed_cursor(live) -> int:
    with live.client("root") as client:
        cursor = 0
        while True:
            page = client.get("/api/v1/changes", params={"cursor": cursor, "limit": 5000}).json()
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return cursor


def test_the_same_op_twice_is_applied_once(live):
    case = create_case(live)
    reply = op("message.add", message={"uid": str(uuid.uuid4()), "case_uid": case["case_uid"], "direction": "out",
                                       "body": "We refunded you.", "is_internal": False})
    first = live.ops("ben", reply).json()["results"][0]
    assert first["status"] == "applied"
    cursor_after_first = feed_cursor(live)
    second = live.ops("ben", reply).json()["results"][0]
    assert second["status"] == "duplicate"
    assert second["original_status"] == "applied"
    assert second["result"] == first["result"]
    assert feed_cursor(live) == cursor_after_first  # nothing written the second time
    bodies = [m["body"] for m in case_detail(live, case["key"])["messages"]]
    assert bodies.count("We refunded you.") == 1


def test_a_case_created_by_a_client_keeps_its_uids(live):
    create = new_case_op("General", subject="Keeps uids")
    result = live.ops("ben", create).json()["results"][0]
    assert result["status"] == "applied"
    assert result["result"]["case_uid"] == create["payload"]["case"]["uid"]
    assert result["result"]["key"].startswith("AC-")
    detail = case_detail(live, result["result"]["key"])
    assert detail["customer"]["uid"] == create["payload"]["customer"]["uid"]
    assert detail["messages"][0]["uid"] == create["payload"]["message"]["uid"]
    assert detail["case"]["first_response_due"]  # the SLA rules ran
    # The same case uid again under a new op id is a conflict carrying the existing case.
    again = dict(create, op_id=str(uuid.uuid4()))
    answer = live.ops("ben", again).json()["results"][0]
    assert answer["status"] == "conflict"
    assert answer["current"]["uid"] == create["payload"]["case"]["uid"]


def test_ten_agents_claim_one_case_and_exactly_one_wins(live):
    case = create_case(live)
    racers = [f"racer{i}" for i in range(10)]
    tokens = {login: live.token(login) for login in racers}
    start = threading.Barrier(len(racers))
    answers: dict[str, dict] = {}

    def claim(login: str) -> None:
        with httpx.Client(base_url=live.base_url, timeout=60,
                          headers={"Authorization": f"Bearer {tokens[login]}"}) as client:
            start.wait()
            response = client.post("/api/v1/ops", json={"ops": [op("case.claim", case_uid=case["case_uid"],
                                                                     agent_login=login)]})
            answers[login] = response.json()["results"][0]

    threads = [threading.Thread(target=claim, args=(login,)) for login in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(answer["status"] for answer in answers.values())
    assert statuses == ["applied"] + ["conflict"] * 9
    winner = next(login for login, answer in answers.items() if answer["status"] == "applied")
    for login, answer in answers.items():
        if login != winner:
            assert answer["current"]["assignee_login"] == winner
            assert "already claimed" in answer["reason"]
    assert case_detail(live, case["key"])["case"]["assignee_login"] == winner


def test_a_stale_version_conflicts_only_on_fields_changed_since(live):
    case = create_case(live, priority="normal")
    seen = case_detail(live, case["key"])["case"]["version"]
    first = live.ops("ben", op("case.update", case_uid=case["case_uid"], base_version=seen,
                               changes={"priority": "high"})).json()["results"][0]
    assert first["status"] == "applied"
    # Sue still holds the old version: priority changed since (conflict), status did not (applies).
    second = live.ops("sue", op("case.update", case_uid=case["case_uid"], base_version=seen,
                                changes={"priority": "low", "status": "pending"})).json()["results"][0]
    assert second["status"] == "conflict"
    assert second["current"]["priority"] == "high"
    assert second["result"]["applied"] == ["status"]
    assert second["result"]["conflicts"] == {"priority": {"yours": "low", "current": "high"}}
    now = case_detail(live, case["key"])["case"]
    assert now["priority"] == "high" and now["status"] == "pending"
    assert now["sla_paused_at"]  # pending pauses the resolution clock: the same rules as the console


def test_claim_release_reply_resolve_flow(live):
    case = create_case(live)
    uid = case["case_uid"]
    results = live.ops(
        "ben",
        op("case.claim", case_uid=uid, agent_login="ben"),
        op("message.add", message={"uid": str(uuid.uuid4()), "case_uid": uid, "direction": "out",
                                   "body": "Hello, we are on it.", "is_internal": False}),
        op("message.add", message={"uid": str(uuid.uuid4()), "case_uid": uid, "direction": "out",
                                   "body": "internal: check the ledger", "is_internal": True}),
        op("case.release", case_uid=uid),
        op("case.claim", case_uid=uid),
    ).json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 5
    version = results[-1]["result"]["version"]
    resolved = live.ops("ben", op("case.update", case_uid=uid, base_version=version,
                                  changes={"status": "resolved"})).json()["results"][0]
    assert resolved["status"] == "applied"
    detail = case_detail(live, case["key"])
    assert detail["case"]["status"] == "resolved" and detail["case"]["first_response_at"]
    assert [m["is_internal"] for m in detail["messages"]] == [False, False, True]
    assert detail["messages"][1]["author_login"] == "ben"


def test_escalation_segments_state_survey_and_follow_up(live):
    case = create_case(live)
    uid = case["case_uid"]
    escalation_uid, follow_up_uid, segment_uid, survey_uid = (str(uuid.uuid4()) for _ in range(4))
    results = live.ops(
        "ben",
        op("agent.state", state="handling", reason="on a case"),
        op("segment.upsert", segment={"uid": segment_uid, "case_uid": uid, "kind": "handle",
                                      "started_at": "2026-11-23T08:00:00+00:00"}),
        op("segment.upsert", segment={"uid": segment_uid, "case_uid": uid, "kind": "handle",
                                      "started_at": "2026-11-23T08:00:00+00:00",
                                      "ended_at": "2026-11-23T08:05:00+00:00", "end_reason": "switch"}),
        op("escalation.create", escalation={"uid": escalation_uid, "case_uid": uid, "to_tier": 2,
                                            "to_queue": "Technical", "reason": "needs a technician"},
           follow_up={"uid": follow_up_uid, "due_at": "2026-11-25T09:00:00+00:00", "note": "ask if fixed"}),
        op("survey.add", survey={"uid": survey_uid, "case_uid": uid, "csat": 5, "nps": 9}),
        op("follow_up.done", follow_up_uid=follow_up_uid, note="customer confirms the router works"),
        op("survey.add", survey={"uid": str(uuid.uuid4()), "case_uid": uid, "csat": 1}),
    ).json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 6 + ["conflict"], results
    detail = case_detail(live, case["key"])["case"]
    assert detail["status"] == "escalated" and detail["tier"] == 2 and detail["queue"] == "Technical"
    assert detail["escalation_level"] == 1
    with live.client("sue") as client:
        changes = []
        cursor = 0
        while True:
            page = client.get("/api/v1/changes", params={"cursor": cursor, "limit": 5000}).json()
            changes += page["changes"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
    latest = {}
    for change in changes:
        latest[(change["entity"], change["uid"])] = change["data"]
    assert latest[("handling_segment", segment_uid)]["ended_at"].startswith("2026-11-23T08:05")
    assert latest[("handling_segment", segment_uid)]["agent_login"] == "ben"
    assert latest[("escalation", escalation_uid)]["case_uid"] == uid
    assert latest[("follow_up", follow_up_uid)]["done_at"]
    assert latest[("follow_up", follow_up_uid)]["note"] == "customer confirms the router works"
    assert latest[("follow_up", follow_up_uid)]["escalation_uid"] == escalation_uid
    assert latest[("survey", survey_uid)]["csat"] == 5
    ben = next(data for (entity, _u), data in latest.items() if entity == "agent" and data["login"] == "ben")
    assert ben["state"] == "handling"
    assert "password_hash" not in ben


def test_rejected_ops_say_why(live):
    results = live.ops(
        "ben",
        op("case.claim", case_uid=str(uuid.uuid4())),
        op("case.claim", case_uid=create_case(live)["case_uid"], agent_login="anna"),
        op("follow_up.done", follow_up_uid="no-such"),
    ).json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert "no case with uid" in results[0]["reason"]
    assert "for themselves" in results[1]["reason"]


# --- bad input ------------------------------------------------------------------------------------------------


def _post_raw(live, content: bytes | str, login: str = "ben") -> httpx.Response:
    with live.client(login) as client:
        return client.post("/api/v1/ops", content=content, headers={"Content-Type": "application/json"})


def test_bad_batches_get_4xx_and_write_nothing(live):
    good = op("message.add", message={"uid": str(uuid.uuid4()), "case_uid": create_case(live)["case_uid"],
                                      "direction": "out", "body": "fine", "is_internal": False})
    before = feed_cursor(live)
    unknown_field = op("case.release", case_uid="x")
    unknown_field["payload"]["surprise"] = 1
    wrong_type = op("case.update", case_uid="x", base_version="three", changes={"status": "open"})
    unknown_kind = {"op_id": str(uuid.uuid4()), "kind": "case.delete", "payload": {}}
    bad_status = op("case.update", case_uid="x", base_version=1, changes={"status": "exploded"})
    not_a_uuid = dict(op("case.release", case_uid="x"), op_id="not-a-uuid")
    nul = op("case.release", case_uid="x\u0000y")
    for batch in ([good, unknown_field], [good, wrong_type], [good, unknown_kind], [good, bad_status],
                  [good, not_a_uuid], [good, nul], [good, good], []):
        response = _post_raw(live, json.dumps({"ops": batch}))
        assert response.status_code == 422, (batch, response.text)
        assert response.json()["detail"]
    for raw in (b"{not json", b"", b"[]", b'{"ops": "many"}', b'{"ops": [], "extra": 1}', "\ufeff{}".encode()):
        response = _post_raw(live, raw)
        assert response.status_code == 422, (raw, response.text)
    oversized = [op("case.release", case_uid="x") for _ in range(501)]
    response = _post_raw(live, json.dumps({"ops": oversized}))
    assert response.status_code == 422
    assert "500" in response.text
    huge = _post_raw(live, b'{"ops": [' + b" " * (9 * 1024 * 1024) + b"]}")
    assert huge.status_code == 413
    assert feed_cursor(live) == before
    # The good op was never applied: on its own now it applies (not "duplicate").
    assert live.ops("ben", good).json()["results"][0]["status"] == "applied"


def test_intake_finds_or_creates_the_customer_and_is_idempotent_by_external_id(live):
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    external = f"ticket-{uuid.uuid4().hex[:8]}"
    with live.client("sue") as client:
        first = client.post("/api/v1/cases", json={"customer": email, "customer_name": "Dora Doe",
                                                   "channel": "email", "queue": "Delivery", "subject": "Late parcel",
                                                   "body": "It is late.", "external_id": external})
        assert first.status_code == 201, first.text
        again = client.post("/api/v1/cases", json={"customer": email, "channel": "email", "queue": "Delivery",
                                                   "subject": "Late parcel", "body": "It is late.",
                                                   "external_id": external})
        assert again.status_code == 200 and again.json()["created"] is False
        assert again.json()["key"] == first.json()["key"]
        second = client.post("/api/v1/cases", json={"customer": email.upper(), "channel": "phone",
                                                    "queue": "Delivery", "subject": "Calling again", "body": "Hi"})
        assert second.json()["customer_uid"] == first.json()["customer_uid"]
        for bad in ({"customer": email, "channel": "fax", "queue": "Q", "subject": "s", "body": "b"},
                    {"customer": email, "channel": "email", "queue": "Q", "subject": "", "body": "b"},
                    {"customer": "no contact", "channel": "email", "queue": "Q", "subject": "s", "body": "b"},
                    {"customer": email, "channel": "email", "queue": "Q", "subject": "s", "body": "b", "x": 1}):
            response = client.post("/api/v1/cases", json=bad)
            assert response.status_code == 422, (bad, response.text)
    with live.client("anna") as anna:  # Billing only
        response = anna.post("/api/v1/cases", json={"customer": email, "channel": "email", "queue": "Delivery",
                                                    "subject": "s", "body": "b"})
        assert response.status_code == 403


def _latest(live, login="sue") -> dict:
    latest, cursor = {}, 0
    with live.client(login) as client:
        while True:
            page = client.get("/api/v1/changes", params={"cursor": cursor, "limit": 5000}).json()
            for change in page["changes"]:
                latest[(change["entity"], change["uid"])] = change["data"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return latest


def test_knowledge_canned_and_corrections_with_deletions_in_the_feed(live):
    case = create_case(live)
    article_uid, canned_uid, correction_uid, link_uid = (str(uuid.uuid4()) for _ in range(4))
    slug = f"refunds-{article_uid[:8]}"
    shortcut = f"thanks{article_uid[:6]}"
    article = {"uid": article_uid, "slug": slug, "title": "Refunds", "body": "How refunds work.", "tags": "billing",
               "language": "en", "version": 1}
    canned = {"uid": canned_uid, "title": "Thanks", "shortcut": shortcut, "category": "general", "language": "en",
              "body": "Thank you, {{ customer.name }}!", "version": 1}
    by_agent = live.ops("ben", op("kb.upsert", article=article), op("canned.upsert", canned=canned)).json()["results"]
    assert [r["status"] for r in by_agent] == ["rejected", "rejected"]
    results = live.ops(
        "sue",
        op("kb.upsert", article=article),
        op("kb.upsert", article=dict(article, title="Refunds, explained")),
        op("kb.helpful", uid=article_uid),
        op("kb.link", uid=link_uid, case_uid=case["case_uid"], article_uid=article_uid),
        op("canned.upsert", canned=canned),
        op("handling.correct", uid=correction_uid, case_uid=case["case_uid"], segment_kind="handle",
           delta_seconds=120, reason="phone call not tracked", agent_login="ben", supervisor_login="sue"),
    ).json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 6, results
    latest = _latest(live)
    assert latest[("kb_article", article_uid)]["title"] == "Refunds, explained"
    assert latest[("kb_article", article_uid)]["helpful_votes"] == 1
    assert latest[("canned_response", canned_uid)]["shortcut"] == shortcut
    assert latest[("handling_correction", correction_uid)]["delta_seconds"] == 120
    assert latest[("handling_correction", correction_uid)]["corrected_by_login"] == "sue"
    deleted = live.ops("sue", op("canned.delete", uid=canned_uid), op("kb.delete", uid=article_uid)).json()
    assert [r["status"] for r in deleted["results"]] == ["applied", "applied"]
    latest = _latest(live)
    assert latest[("canned_response", canned_uid)] == {"uid": canned_uid, "deleted": True}
    assert latest[("kb_article", article_uid)] == {"uid": article_uid, "deleted": True}
