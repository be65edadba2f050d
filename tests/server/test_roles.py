"""Who may do what: agents see their queues, supervisors all cases and the monitor, admins also accounts."""

from __future__ import annotations

import uuid

import pytest

from tests.server.conftest import new_case_op

MATRIX = [
    # (method, path, json, {login: expected status})
    ("GET", "/api/v1/cases", None, {"anna": 200, "sue": 200, "root": 200}),
    ("GET", "/api/v1/changes?limit=1", None, {"anna": 200, "sue": 200, "root": 200}),
    ("GET", "/api/v1/monitor", None, {"anna": 403, "sue": 200, "root": 200}),
    ("GET", "/api/v1/agents", None, {"anna": 403, "sue": 200, "root": 200}),
    ("POST", "/api/v1/agents", {"login": "newbie", "name": "New Bie", "password": "long enough pw"},
     {"anna": 403, "sue": 403, "root": 201}),
]


@pytest.mark.parametrize("method,path,body,expected", MATRIX, ids=[f"{m} {p}" for m, p, _b, _e in MATRIX])
def test_role_matrix(live, method, path, body, expected):
    for login, status in expected.items():
        with live.client(login) as client:
            response = client.request(method, path, json=body)
        assert response.status_code == status, (login, response.text)
        if status == 403:
            assert set(response.json()) == {"detail"}
            assert "needs the" in response.json()["detail"]


def test_agents_only_see_and_change_their_queues(live):
    technical = new_case_op("Technical", subject="Router blinks red")
    billing = new_case_op("Billing", subject="Refund please")
    created = live.ops("sue", technical, billing).json()["results"]
    assert [r["status"] for r in created] == ["applied", "applied"]
    tech_uid, tech_key = created[0]["result"]["case_uid"], created[0]["result"]["key"]
    billing_key = created[1]["result"]["key"]

    with live.client("anna") as anna:
        keys = {c["key"] for c in anna.get("/api/v1/cases", params={"limit": 500}).json()["cases"]}
        assert billing_key in keys and tech_key not in keys
        assert anna.get(f"/api/v1/cases/{tech_key}").status_code == 404
        assert anna.get(f"/api/v1/cases/{billing_key}").status_code == 200
        feed_uids = _all_uids(anna)
    assert tech_uid not in feed_uids
    assert created[1]["result"]["case_uid"] in feed_uids

    claim = {"op_id": str(uuid.uuid4()), "kind": "case.claim", "payload": {"case_uid": tech_uid}}
    result = live.ops("anna", claim).json()["results"][0]
    assert result["status"] == "rejected"
    assert "not one of yours" in result["reason"]
    with live.client("ben") as ben:  # no queues = every queue
        assert tech_uid in _all_uids(ben)


def test_only_supervisors_assign(live):
    case = live.ops("sue", new_case_op("General")).json()["results"][0]["result"]
    assign = lambda: {"op_id": str(uuid.uuid4()), "kind": "case.assign",  # noqa: E731
                      "payload": {"case_uid": case["case_uid"], "agent_login": "ben"}}
    by_agent = live.ops("ben", assign()).json()["results"][0]
    assert by_agent["status"] == "rejected"
    by_supervisor = live.ops("sue", assign()).json()["results"][0]
    assert by_supervisor["status"] == "applied"
    with live.client("sue") as sue:
        assert sue.get(f"/api/v1/cases/{case['key']}").json()["case"]["assignee_login"] == "ben"


def _all_uids(client) -> set[str]:
    uids, cursor = set(), 0
    while True:
        page = client.get("/api/v1/changes", params={"cursor": cursor, "limit": 5000}).json()
        uids.update(change["uid"] for change in page["changes"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return uids


def test_the_monitor_shows_the_team_figures(live):
    created = live.ops("sue", new_case_op("Complaints", subject="Monitor me")).json()["results"][0]
    with live.client("sue") as sue:
        response = sue.get("/api/v1/monitor", params={"tz": "Europe/Berlin"})
        assert response.status_code == 200, response.text
        figures = response.json()
        assert sue.get("/api/v1/monitor", params={"tz": "Mars/Olympus"}).status_code == 422
    complaints = next(q for q in figures["queues"] if q["name"] == "Complaints")
    assert complaints["open_cases"] >= 1 and complaints["waiting"] >= 1
    assert complaints["longest_wait_s"] > 0
    assert figures["floor"]["open_cases"] >= complaints["open_cases"]
    assert sum(figures["agents_by_state"].values()) == len(figures["agents"])
    assert created["status"] == "applied"
