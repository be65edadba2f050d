"""case.merge / case.link / case.unlink / case.split on a real server (SQLite and PostgreSQL), and a reply to a
merged case on both op paths (the batched Core path and the domain services) landing on its target."""

from __future__ import annotations

import uuid

import pytest

from tests.server.conftest import new_case_op
from tests.server.test_fast_path import Twins, message_op


def op(kind: str, **payload) -> dict:
    return {"op_id": str(uuid.uuid4()), "kind": kind, "payload": payload}


def created(live, *ops) -> list[dict]:
    results = live.ops("sue", *ops).json()["results"]
    assert [r["status"] for r in results] == ["applied"] * len(ops), results
    return [r["result"] for r in results]


def detail(live, key: str) -> dict:
    with live.client("sue") as client:
        response = client.get(f"/api/v1/cases/{key}")
    assert response.status_code == 200, response.text
    return response.json()


def feed(live) -> list[dict]:
    with live.client("root") as client:
        changes, cursor = [], 0
        while True:
            page = client.get("/api/v1/changes", params={"cursor": cursor, "limit": 5000}).json()
            changes += page["changes"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return changes


def test_merge_moves_the_thread_and_a_later_reply_follows(live):
    customer = f"{uuid.uuid4().hex[:10]}@example.com"
    mail, call = created(live, new_case_op("General", customer=customer),
                         new_case_op("General", customer=customer, channel="phone"))
    (merged,) = created(live, op("case.merge", source_uid=call["case_uid"], target_uid=mail["case_uid"]))
    assert merged["case_uid"] == mail["case_uid"]
    source = detail(live, call["key"])
    assert source["case"]["status"] == "closed" and source["case"]["merged_into_uid"] == mail["case_uid"]
    assert source["messages"] == []
    assert len(detail(live, mail["key"])["messages"]) == 2
    (reply,) = created(live, op("message.add", message={"uid": str(uuid.uuid4()), "case_uid": call["case_uid"],
                                                        "direction": "out", "body": "Erledigt.",
                                                        "is_internal": False}))
    assert reply["case_uid"] == mail["case_uid"]
    assert [m["body"] for m in detail(live, mail["key"])["messages"]][-1] == "Erledigt."
    moved = [c for c in feed(live) if c["entity"] == "message" and c["data"]["case_uid"] == mail["case_uid"]]
    assert len(moved) >= 3  # the feed tells consoles each moved message under its new case


def test_merge_refusals_and_links(live):
    customer = f"{uuid.uuid4().hex[:10]}@example.com"
    a, b = created(live, new_case_op("General", customer=customer), new_case_op("General", customer=customer))
    (stranger,) = created(live, new_case_op("General"))
    bad_kind = live.ops("sue", op("case.link", case_uid=a["case_uid"], other_uid=b["case_uid"], link_kind="cousin"))
    assert bad_kind.status_code == 422
    results = live.ops("sue", op("case.merge", source_uid=a["case_uid"], target_uid=a["case_uid"]),
                       op("case.merge", source_uid=stranger["case_uid"], target_uid=a["case_uid"]),
                       op("case.link", case_uid=a["case_uid"], other_uid=b["case_uid"], link_kind="duplicate")
                       ).json()
    statuses = [r["status"] for r in results["results"]]
    assert statuses[:3] == ["rejected", "rejected", "applied"], results
    links = [c for c in feed(live) if c["entity"] == "case_link" and c["data"].get("case_uid") == a["case_uid"]]
    assert links and links[-1]["data"]["other_uid"] == b["case_uid"] and links[-1]["data"]["kind"] == "duplicate"
    created(live, op("case.unlink", case_uid=b["case_uid"], other_uid=a["case_uid"]))
    assert feed(live)[-1]["entity"] == "case_link" and feed(live)[-1]["data"].get("deleted") is True


def test_split_over_ops(live):
    (case,) = created(live, new_case_op("General"))
    reply_uid = str(uuid.uuid4())
    created(live, op("message.add", message={"uid": reply_uid, "case_uid": case["case_uid"], "direction": "out",
                                             "body": "Teil zwei", "is_internal": False}))
    new_uid = str(uuid.uuid4())
    (split,) = created(live, op("case.split", case_uid=case["case_uid"], new_case_uid=new_uid,
                                message_uids=[reply_uid]))
    assert split["case_uid"] == new_uid
    assert [m["body"] for m in detail(live, split["key"])["messages"]] == ["Teil zwei"]
    assert len(detail(live, case["key"])["messages"]) == 1


@pytest.fixture(params=["sqlite", "postgresql"])
def merge_twins(request, databases):
    twins = Twins(databases, request.param)
    yield twins
    twins.close()


def test_a_reply_to_a_merged_case_lands_on_its_target_on_both_op_paths(merge_twins):
    first, second = new_case_op("General", customer="same@example.com"), new_case_op("General",
                                                                                     customer="same@example.com")
    merge_twins.orm("sue", first, second)
    target, source = first["payload"]["case"]["uid"], second["payload"]["case"]["uid"]
    merge_twins.orm("sue", op("case.merge", source_uid=source, target_uid=target))
    (result,) = merge_twins.both_ways("ben", message_op(source, "Nach dem Zusammenführen."))
    assert result["status"] == "applied" and result["result"]["case_uid"] == target
    merge_twins.assert_same_rows()
