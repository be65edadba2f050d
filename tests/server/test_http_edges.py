"""What the API answers at the edges of HTTP: oversized bodies (declared or chunked), bodies that are not UTF-8,
and OPTIONS."""

from __future__ import annotations

import json

import pytest

from agent_console.server.app import MAX_BODY_BYTES
from tests.server.conftest import new_case_op


def _chunks(total: int, size: int = 256 * 1024):
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        sent += piece
        yield b" " * piece


def test_a_chunked_body_over_the_limit_answers_413(live):
    with live.client("root") as client:
        response = client.post("/api/v1/ops", content=_chunks(MAX_BODY_BYTES + 1024 * 1024),
                               headers={"Content-Type": "application/json"})
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text
    assert str(MAX_BODY_BYTES) in response.json()["detail"]


def test_a_chunked_body_within_the_limit_is_applied(live):
    body = json.dumps({"ops": [new_case_op()]}).encode()
    with live.client("root") as client:
        response = client.post("/api/v1/ops", content=iter([body[:10], body[10:]]),
                               headers={"Content-Type": "application/json"})
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] == "applied"


@pytest.mark.parametrize("path", ["/api/v1/ops", "/api/v1/auth/login", "/api/v1/cases"])
def test_a_body_that_is_not_utf8_answers_400_saying_so(live, path):
    with live.client("root") as client:
        response = client.post(path, content=b'{"ops": ["caf\xe9"]}', headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json() == {"detail": "request body is not valid UTF-8 (at byte 13)"}


@pytest.mark.parametrize(("path", "methods"), [
    ("/api/v1/changes", {"GET", "OPTIONS"}),
    ("/api/v1/cases", {"GET", "POST", "OPTIONS"}),
    ("/api/v1/cases/AC-000001", {"GET", "OPTIONS"}),
    ("/api/v1/ops", {"POST", "OPTIONS"}),
])
def test_options_answers_with_the_allowed_methods(live, path, methods):
    with live.client() as client:  # no credentials: a preflight carries none
        response = client.options(path)
    assert response.status_code == 204
    assert {m.strip() for m in response.headers["allow"].split(",")} == methods
    assert response.content == b""


def test_options_on_a_path_the_api_does_not_have_is_404(live):
    with live.client() as client:
        assert client.options("/api/v1/nothing-here").status_code == 404


def test_a_405_lists_every_method_of_the_path(live):
    with live.client("root") as client:
        response = client.delete("/api/v1/cases")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "POST", "OPTIONS"}


@pytest.mark.parametrize(("part", "field", "value"), [
    ("message", "is_internal", 0),  # pydantic alone would take 0 for false
    ("message", "created_at", 1_800_000_000),  # ... a number of seconds for a time
])
def test_ops_take_booleans_and_times_only_as_their_json_types(live, part, field, value):
    op = new_case_op()
    op["payload"][part][field] = value
    response = live.ops("root", op)
    assert response.status_code == 422, response.text
    assert field in response.text


@pytest.mark.parametrize("tier", ["2", True])
def test_numbers_are_taken_only_as_json_numbers(live, tier):
    with live.client("root") as client:
        response = client.post("/api/v1/agents", json={"login": "numbers", "name": "N", "password": "long enough pw",
                                                       "tier": tier})
    assert response.status_code == 422, response.text
    assert "tier must be a number" in response.text


def test_the_schema_documents_400_and_413_for_every_body(live):
    schema = live.client().get("/openapi.json").json()
    with_body = [(path, method, operation) for path, operations in schema["paths"].items()
                 for method, operation in operations.items() if "requestBody" in operation]
    assert len(with_body) >= 4
    for path, method, operation in with_body:
        assert {"400", "413"} <= set(operation["responses"]), (method, path)
