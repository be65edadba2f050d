"""The telephone system's call events (``POST /api/v1/cti/events``) answered without FastAPI's routing and
dependency machinery, when nothing about them needs it.

A busy telephone system sends hundreds of small events a second, and the server runs on one core's worth of Python:
routing a request through the app's ~100 routes, solving its dependencies and building its ``Request`` cost the
event loop more than reading the event itself. This ASGI middleware takes the common case — a JSON event with a
valid API token, whose fields ``domain.calls.parse_event`` accepts, for a queue the caller may see — straight to the
call-event writer, with the same token check and the same rules as the route, and answers what the route answers.
The token is checked on the writer's thread, with the other events of its group (one read for them all): the
event loop, which serves every other request too, does no database read for a call event.
Everything else (another path, a form, no token or a bad one, an event refused, no writer running, a write that
failed) goes to the app unchanged, with the body it sent, and the route words the answer (401, 403, 415, 422, 503 …)
as before: the fast path never refuses anything itself. A write that failed is tried once more by the route: the
failed group wrote nothing, and an event is idempotent.
"""

from __future__ import annotations

import logging

import orjson

from agent_console.domain.calls import CallEventError, parse_event

log = logging.getLogger(__name__)

PATH = "/api/v1/cti/events"
#: The longest token the app's ``caller`` dependency looks up.
_TOKEN_MAX = 200
_HEADERS = [(b"content-type", b"application/json")]


class CallEventFastPath:
    """ASGI middleware inside ``BodyLimit`` (so the body arrives whole, in one message) and ``RequestLanguage``."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        server = scope["app"].state.server
        message = await receive()
        pending = [message]

        async def replay():
            if pending:
                return pending.pop()
            return await receive()

        if server.cti_writer is None or message["type"] != "http.request" \
                or message.get("more_body", False):
            return await self.app(scope, replay, send)
        answer = await self._answer(server, scope, message.get("body", b""))
        if answer is None:
            return await self.app(scope, replay, send)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*_HEADERS, (b"content-length", str(len(answer)).encode())]})
        await send({"type": "http.response.body", "body": answer})

    async def _answer(self, server, scope, body: bytes) -> bytes | None:
        """The answer's body, or None when the app should answer instead."""
        authorization = content_type = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"content-type":
                content_type = value
        if authorization is None or content_type is None:
            return None
        if content_type.split(b";")[0].strip().lower() != b"application/json":
            return None
        scheme, _space, token = authorization.decode("latin-1").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > _TOKEN_MAX or "\x00" in token:
            return None
        try:
            values = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(values, dict):
            return None
        try:
            event = parse_event(values)
        except CallEventError:
            return None
        try:  # the token (and the event's queue) checked by the writer's thread, with the group
            answer = await server.cti_writer.record_for_token(token, event)
        except Exception:  # the route tries once more and answers the failure as the app does (503 …)
            log.warning("a call event failed on the fast path; the route tries it again", exc_info=True)
            return None
        return orjson.dumps(answer) if answer is not None else None
