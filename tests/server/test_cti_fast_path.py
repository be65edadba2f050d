"""The fast path of ``POST /api/v1/cti/events`` (``server.cti_fast``, #20 point 8): a JSON event with a valid token
is recorded by the call-event writer and answered without the app; everything else reaches the app untouched (the
same body), so the route answers it as before. On a real SQLite store, with the real token check and writer; the
app behind the middleware records what reached it. (The live server's tests in test_cti_events.py check the
answers the route then gives: 401, 403, 415, 422.)"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from urllib.parse import urlencode

import orjson
import pytest

from agent_console.domain.calls import call_uid
from agent_console.domain.clock import SystemClock
from agent_console.server.auth import issue_token
from agent_console.server.cti_fast import PATH, CallEventFastPath
from agent_console.server.cti_writer import CallEventWriter
from agent_console.server.db import open_server_store
from agent_console.store.accounts import account_by_login, revoke_token
from tests.server.conftest import prepare_database

NEW_CALL = {"event": "newCall", "callId": "fast-1", "direction": "in", "from": "030 1234567", "to": "0800",
            "user": ["anna"]}


@pytest.fixture()
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    tokens = prepare_database(url)
    store = open_server_store(url)
    clock = SystemClock()
    with store.transaction() as session:
        tokens["api"], _row = issue_token(session, account_by_login(session, "root").id, clock.now(), kind="api",
                                          name="phone", lifetime=None)
        tokens["wallboard"], _row = issue_token(session, account_by_login(session, "sue").id, clock.now(),
                                                kind="wallboard", name="hall", lifetime=None)
        tokens["revoked"], revoked = issue_token(session, account_by_login(session, "root").id, clock.now(),
                                                 kind="api", name="old phone", lifetime=None)
        revoke_token(session, revoked.id, clock.now())
    writer = CallEventWriter(store, clock)
    writer.start()
    state = SimpleNamespace(store=store, clock=clock, cti_writer=writer)
    yield state, tokens
    writer.stop()
    store.dispose()


class _App:
    """The app behind the middleware: records each request that reached it, with the body it read."""

    def __init__(self) -> None:
        self.reached: list[bytes] = []

    async def __call__(self, scope, receive, send):
        message = await receive()
        self.reached.append(message.get("body", b""))
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _post(state, body: bytes, headers: dict[str, str], *, path: str = PATH, method: str = "POST"):
    """(status, answer body, what reached the app) for one request through the middleware."""
    app = _App()
    middleware = CallEventFastPath(app)
    scope = {"type": "http", "method": method, "path": path, "app": SimpleNamespace(state=SimpleNamespace(
        server=state)), "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()]}
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(middleware(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:]), app.reached


def _json(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def test_a_json_event_with_a_valid_token_is_recorded_and_answered_without_the_app(server):
    state, tokens = server
    status, answer, reached = _post(state, orjson.dumps(NEW_CALL), _json(tokens["api"]))
    assert (status, reached) == (200, [])
    assert orjson.loads(answer) == {"call_id": "fast-1", "call_uid": call_uid("fast-1"), "applied": True,
                                    "state": "ringing", "customer_uid": None, "case_key": None}
    status, answer, reached = _post(state, orjson.dumps(NEW_CALL), _json(tokens["api"]))
    assert (status, reached, orjson.loads(answer)["applied"]) == (200, [], False)  # the same event again
    # A queue the caller may see (anna's own).
    status, _answer, reached = _post(state, orjson.dumps({**NEW_CALL, "callId": "fast-2", "queue": "Billing"}),
                                     _json(tokens["anna"]))
    assert (status, reached) == (200, [])


@pytest.mark.parametrize("case", ["no token", "unknown token", "revoked token", "not bearer", "wallboard token", "form",
                                  "no content type", "not JSON", "a JSON list", "bad field", "foreign queue",
                                  "another path", "another method"])
def test_everything_else_reaches_the_app_with_its_body(server, case):
    state, tokens = server
    body = orjson.dumps({**NEW_CALL, "callId": f"other-{case}"})
    headers = _json(tokens["api"])
    path, method = PATH, "POST"
    if case == "no token":
        del headers["Authorization"]
    elif case == "unknown token":
        headers["Authorization"] = "Bearer not-a-token"
    elif case == "revoked token":
        headers = _json(tokens["revoked"])
    elif case == "not bearer":
        headers["Authorization"] = f"Basic {tokens['api']}"
    elif case == "wallboard token":
        headers = _json(tokens["wallboard"])
    elif case == "form":
        body = urlencode({"event": "newCall", "callId": "other-form", "direction": "in", "from": "030 1234567"}
                         ).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif case == "no content type":
        del headers["Content-Type"]
    elif case == "not JSON":
        body = b"{event: newCall"
    elif case == "a JSON list":
        body = orjson.dumps([NEW_CALL])
    elif case == "bad field":
        body = orjson.dumps({**NEW_CALL, "direction": "sideways"})
    elif case == "foreign queue":
        body = orjson.dumps({**NEW_CALL, "queue": "General"})
        headers = _json(tokens["anna"])  # anna works the Billing queue only
    elif case == "another path":
        path = "/api/v1/cti/event"
    elif case == "another method":
        method = "PUT"
    status, _answer, reached = _post(state, body, headers, path=path, method=method)
    assert (status, reached) == (599, [body])
    with state.store.session() as session:  # and the fast path recorded nothing
        from agent_console.store.call_queries import call_by_call_id

        assert call_by_call_id(session, f"other-{case}") is None


def test_events_arriving_together_are_each_checked_against_their_own_token(server):
    """A group with several tokens: each event is recorded or handed to the app by its own token and queue."""
    state, tokens = server
    requests = [("api", "together-1", None), ("wallboard", "together-2", None), ("anna", "together-3", "Billing"),
                ("anna", "together-4", "General"), ("revoked", "together-5", None), ("api", "together-6", "General")]

    async def send_all():
        app = _App()
        middleware = CallEventFastPath(app)

        async def one(login, call_id, queue):
            body = orjson.dumps({**NEW_CALL, "callId": call_id, **({"queue": queue} if queue else {})})
            scope = {"type": "http", "method": "POST", "path": PATH, "headers": [
                (name.lower().encode(), value.encode()) for name, value in _json(tokens[login]).items()],
                "app": SimpleNamespace(state=SimpleNamespace(server=state))}
            sent = []

            async def receive():
                return {"type": "http.request", "body": body, "more_body": False}

            async def send(message):
                sent.append(message)

            await middleware(scope, receive, send)
            return call_id, sent[0]["status"]

        return dict(await asyncio.gather(*(one(*request) for request in requests)))

    statuses = asyncio.run(send_all())
    assert statuses == {"together-1": 200, "together-2": 599, "together-3": 200, "together-4": 599,
                        "together-5": 599, "together-6": 200}
    from agent_console.store.call_queries import call_by_call_id

    with state.store.session() as session:
        assert {call_id for call_id in statuses if call_by_call_id(session, call_id)} == {
            "together-1", "together-3", "together-6"}


def test_without_a_running_writer_the_app_answers(server):
    state, tokens = server
    body = orjson.dumps(NEW_CALL)
    status, _answer, reached = _post(SimpleNamespace(**{**vars(state), "cti_writer": None}), body,
                                     _json(tokens["api"]))
    assert (status, reached) == (599, [body])
