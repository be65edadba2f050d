"""The load generator's lean HTTP client reads whole responses: a latency measured before the last byte arrived would
flatter the server."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import orjson
import pytest

from bench.bench_server import _page_cursor
from bench.lean_http import HttpError, LeanClient
from tests.server.conftest import new_case_op


def _lean(base_url: str, calls):
    async def run():
        async with LeanClient(base_url) as client:
            return [await call(client) for call in calls]

    return asyncio.run(run())


def test_pages_and_op_answers_match_what_httpx_reads(live):
    token = live.token("sue")
    headers = {"Authorization": f"Bearer {token}"}
    created = [new_case_op("General", subject=f"Lean {n}") for n in range(30)]
    live.ops("sue", *created).raise_for_status()
    with httpx.Client(base_url=live.base_url, headers=headers) as client:
        expected_page = client.get("/api/v1/changes", params={"cursor": 0, "limit": 5000}).content
    assert len(expected_page) > 64 * 1024  # arrives in several reads

    reply = {"op_id": str(uuid.uuid4()), "kind": "message.add", "payload": {"message": {
        "uid": str(uuid.uuid4()), "case_uid": created[0]["payload"]["case"]["uid"], "direction": "out",
        "body": "Sent through the lean client", "is_internal": False}}}
    body = orjson.dumps({"ops": [reply]})
    page, posted, again, missing = _lean(live.base_url, [
        lambda c: c.get("/api/v1/changes", params={"cursor": 0, "limit": 5000}, headers=headers),
        lambda c: c.post("/api/v1/ops", content=body, headers={**headers, "Content-Type": "application/json"}),
        lambda c: c.post("/api/v1/ops", content=body, headers={**headers, "Content-Type": "application/json"}),
        lambda c: c.get("/api/v1/cases/NO-SUCH-CASE", headers=headers),
    ])
    assert page.status_code == 200
    # The lean client's page starts as httpx's did (a page read later may hold more rows, never other ones).
    assert page.content.startswith(expected_page[:len(expected_page) // 2])
    parsed = orjson.loads(page.content)
    assert _page_cursor(page.content) == (parsed["next_cursor"], len(parsed["changes"]))
    assert posted.status_code == 200 and orjson.loads(posted.content)["results"][0]["status"] == "applied"
    assert orjson.loads(again.content)["results"][0]["status"] == "duplicate"
    assert missing.status_code == 404 and orjson.loads(missing.content)["detail"]


def test_a_page_cursor_is_read_from_the_whole_page_when_its_tail_is_unusual():
    body = orjson.dumps({"has_more": False, "next_cursor": 7, "changes": [{"seq": 7}]})
    assert _page_cursor(body) == (7, 1)


def _against_canned_server(response: bytes, requests) -> tuple[list, int]:
    """Runs ``requests(client)`` against a server that answers every request with ``response`` and then closes the
    connection; returns what ``requests`` returned (or raised) and how many connections the server saw."""
    connections = 0

    async def answer(reader, writer):
        nonlocal connections
        connections += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.write(response)
        await writer.drain()
        writer.close()

    async def run():
        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            async with LeanClient(f"http://127.0.0.1:{port}") as client:
                return await requests(client)
        finally:
            server.close()
            await server.wait_closed()

    return asyncio.run(run()), connections


def test_a_response_without_content_length_is_an_error_not_a_guess():
    async def requests(client):
        with pytest.raises(HttpError, match="chunked"):
            await client.get("/")

    _against_canned_server(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", requests)


def test_after_connection_close_the_next_request_opens_a_new_connection():
    async def requests(client):
        return [await client.get("/"), await client.get("/")]

    (first, second), connections = _against_canned_server(
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy", requests)
    assert (first.status_code, first.content) == (503, b"busy")
    assert second.status_code == 503 and connections == 2
