"""The server's ways in (issue #14, point 1): every identifier or enumeration an op, the intake or the admin route
takes is refused with 422 naming the field when it holds control characters; free text is stored clean; a case is
moved only into a queue that exists. On SQLite and PostgreSQL, through a real server process."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.server.conftest import new_case_op

#: Escape sequences (colour, OSC 52 clipboard write, OSC 0 title), DEL, a C1 CSI, a bidi override and markup; no
#: NUL (refused on its own already).
HOSTILE = ("Q\x1b[31mred\x1b[0m\x1b]52;c;cHduZWQ=\x07\x1b]0;pwned\x07\x7f\x9b31m\u202e"
           "[bold red]x[/][link=http://evil]l[/link]Z")
#: Short enough for every length limit (an identifier refused only for its length proves nothing): an OSC 52
#: clipboard write, and for the 8-character language fields a colour sequence.
SHORT = "Q\x1b]52;c;cHduZWQ=\x07"
SHORT_LANGUAGE = "de\x1b[0m"
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def op(kind: str, **payload) -> dict:
    return {"op_id": str(uuid.uuid4()), "kind": kind, "payload": payload}


def uid() -> str:
    return str(uuid.uuid4())


def controls_in(value, path="") -> list[str]:
    """Paths of every string in a JSON value that holds a character a terminal would act on."""
    if isinstance(value, str):
        return [path] if FORBIDDEN.search(value) else []
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in controls_in(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in controls_in(item, f"{path}[{index}]")]
    return []


def refused_field(response) -> str:
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    return str(problem["loc"][-1])


def new_case(live, queue: str = "General") -> dict:
    result = live.ops("sue", new_case_op(queue)).json()["results"][0]
    assert result["status"] == "applied", result
    return result["result"]


def hostile_case_create(path: tuple[str, str]) -> dict:
    create = new_case_op("General")
    part, field = path
    create["payload"][part][field] = SHORT_LANGUAGE if field == "language" else SHORT
    return create


CASE_CREATE_FIELDS = [("case", "queue"), ("case", "external_id"), ("case", "language"), ("case", "uid"),
                      ("customer", "email"), ("customer", "phone"), ("customer", "language"), ("customer", "uid")]


@pytest.mark.parametrize("path", CASE_CREATE_FIELDS, ids=lambda p: ".".join(p))
def test_case_create_refuses_hostile_identifiers(live, path):
    assert refused_field(live.ops("sue", hostile_case_create(path))) == path[1]


def test_every_other_op_refuses_hostile_identifiers(live):
    case = new_case(live)
    case_uid = case["case_uid"]
    segment = {"uid": uid(), "case_uid": case_uid, "kind": "wrap_up", "started_at": "2026-11-23T08:00:00+00:00",
               "ended_at": "2026-11-23T08:01:00+00:00", "end_reason": "wrap_up_code", "wrap_up_code": "solved"}
    article = {"uid": uid(), "slug": f"a-{uid()[:8]}", "title": "T", "body": "B", "tags": "x", "language": "en"}
    canned = {"uid": uid(), "title": "T", "shortcut": f"s{uid()[:8]}", "category": "c", "language": "en",
              "body": "B"}
    attempts = [
        (op("case.update", case_uid=case_uid, base_version=case["version"], changes={"queue": SHORT}), "queue"),
        (op("case.assign", case_uid=case_uid, agent_login=SHORT), "agent_login"),
        (op("case.claim", case_uid=case_uid, agent_login=SHORT), "agent_login"),
        (op("case.claim", case_uid=SHORT), "case_uid"),
        (op("segment.upsert", segment={**segment, "end_reason": SHORT}), "end_reason"),
        (op("segment.upsert", segment={**segment, "wrap_up_code": SHORT}), "wrap_up_code"),
        (op("escalation.create", escalation={"uid": uid(), "case_uid": case_uid, "to_tier": 2, "to_queue": SHORT,
                                             "reason": "r"}), "to_queue"),
        (op("kb.upsert", article={**article, "slug": SHORT}), "slug"),
        (op("kb.upsert", article={**article, "tags": HOSTILE}), "tags"),
        (op("kb.upsert", article={**article, "language": "xx"}), "language"),
        (op("canned.upsert", canned={**canned, "shortcut": SHORT}), "shortcut"),
        (op("canned.upsert", canned={**canned, "category": SHORT}), "category"),
        (op("canned.upsert", canned={**canned, "language": SHORT_LANGUAGE}), "language"),
    ]
    accepted = []
    for attempt, field in attempts:
        response = live.ops("sue", attempt)
        if response.status_code != 422 or refused_field(response) != field:
            accepted.append((attempt["kind"], field, response.status_code))
    assert accepted == []


def test_free_text_in_ops_is_stored_clean_on_both_write_paths(live):
    create = new_case_op("General", subject=HOSTILE)
    create["payload"]["customer"]["name"] = HOSTILE
    create["payload"]["message"]["body"] = HOSTILE
    result = live.ops("sue", create).json()["results"][0]
    assert result["status"] == "applied", result
    case_uid, key = result["result"]["case_uid"], result["result"]["key"]
    reply = op("message.add", message={"uid": uid(), "case_uid": case_uid, "direction": "out", "body": HOSTILE})
    note = op("message.add", message={"uid": uid(), "case_uid": case_uid, "direction": "out", "body": HOSTILE,
                                      "is_internal": True})
    inbound = op("message.add", message={"uid": uid(), "case_uid": case_uid, "direction": "in", "body": HOSTILE})
    assert [r["status"] for r in live.ops("ben", reply, note).json()["results"]] == ["applied"] * 2  # fast path
    escalate = op("escalation.create", escalation={"uid": uid(), "case_uid": case_uid, "to_tier": 2,
                                                   "reason": HOSTILE})
    correct = op("handling.correct", uid=uid(), case_uid=case_uid, delta_seconds=30, reason=HOSTILE)
    article_uid, canned_uid = uid(), uid()
    article = op("kb.upsert", article={"uid": article_uid, "slug": f"a-{article_uid[:8]}", "title": HOSTILE,
                                       "body": HOSTILE, "language": "en"})
    canned = op("canned.upsert", canned={"uid": canned_uid, "title": HOSTILE, "shortcut": f"s{canned_uid[:8]}",
                                         "body": HOSTILE, "language": "en"})
    results = live.ops("sue", inbound, escalate, correct, article, canned).json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 5, results
    with live.client("sue") as client:
        detail = client.get(f"/api/v1/cases/{key}").json()
        assert controls_in(detail) == []
        assert detail["case"]["subject"] == "Qred[bold red]x[/][link=http://evil]l[/link]Z"
        assert len(detail["messages"]) == 4
    with live.client("root") as client:
        mine, cursor = [], 0
        while True:
            page = client.get("/api/v1/changes", params={"cursor": cursor, "limit": 5000}).json()
            mine += [c for c in page["changes"] if c["uid"] in (case_uid, article_uid, canned_uid)
                     or c["data"].get("case_uid") == case_uid]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
    assert {c["entity"] for c in mine} >= {"case", "message", "kb_article", "canned_response", "escalation"}
    assert controls_in([c["data"] for c in mine]) == []


@pytest.mark.parametrize("field", ["customer", "queue", "external_id", "language"])
def test_intake_refuses_hostile_identifiers(live, field):
    body = {"customer": f"{uid()[:8]}@example.com", "channel": "email", "queue": "General", "subject": "s",
            "body": "b", "external_id": f"t-{uid()[:8]}", "language": "de",
            field: SHORT_LANGUAGE if field == "language" else SHORT}
    with live.client("sue") as client:
        assert refused_field(client.post("/api/v1/cases", json=body)) == field


def test_intake_stores_free_text_clean(live):
    body = {"customer": f"{uid()[:8]}@example.com", "customer_name": HOSTILE, "channel": "email",
            "queue": "General", "subject": HOSTILE, "body": HOSTILE}
    with live.client("sue") as client:
        created = client.post("/api/v1/cases", json=body)
        assert created.status_code == 201, created.text
        detail = client.get(f"/api/v1/cases/{created.json()['key']}").json()
    assert controls_in(detail) == [] and "[bold red]x[/]" in detail["customer"]["name"]


@pytest.mark.parametrize("login", ["eve\x1b[31m", "Eve", "eve smith", ".eve", "eve@example.com", SHORT])
def test_new_accounts_need_a_safe_login(live, login):
    with live.client("root") as client:
        response = client.post("/api/v1/agents", json={"login": login, "name": "Eve", "password": "long enough pw"})
    assert refused_field(response) == "login"


def test_new_accounts_refuse_hostile_queues_and_clean_the_name(live):
    with live.client("root") as client:
        response = client.post("/api/v1/agents", json={"login": "eve", "name": "Eve", "queues": ["Billing", SHORT],
                                                       "password": "long enough pw"})
        assert refused_field(response) == "1"  # the second queue of the list
        assert response.json()["detail"][0]["loc"][-2:] == ["queues", 1]
        created = client.post("/api/v1/agents", json={"login": f"eve.{uid()[:6]}", "name": HOSTILE,
                                                      "password": "long enough pw"})
        assert created.status_code == 201, created.text
        assert controls_in(created.json()) == []


def test_a_case_moves_only_into_a_known_queue(live):
    case = new_case(live)
    unknown = op("case.update", case_uid=case["case_uid"], base_version=case["version"],
                 changes={"queue": f"Nowhere-{uid()[:8]}"})
    [result] = live.ops("sue", unknown).json()["results"]
    assert result["status"] == "rejected" and "unknown queue" in result["reason"]
    known = op("case.update", case_uid=case["case_uid"], base_version=case["version"],
               changes={"queue": "Billing"})  # a standard queue
    [result] = live.ops("sue", known).json()["results"]
    assert result["status"] == "applied", result
