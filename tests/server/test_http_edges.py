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
