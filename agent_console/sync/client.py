"""The one place that speaks HTTP to the team's server: a small httpx client for ``/api/v1`` with typed errors.

Every failure is one of the :class:`SyncError` subclasses, so callers decide by kind, not by status code:
:class:`Offline` (the server cannot be reached or answered 5xx: try again later), :class:`AuthError` (the token is
wrong, expired or revoked: log in again), :class:`Forbidden`, :class:`BatchInvalid` (the server refused a request body;
``detail`` says why).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import msgspec
import orjson

from agent_console.i18n import _, current_language

API = "/api/v1"
#: Connect fast (an unreachable server should make the console say "offline" quickly), read patiently (a big
#: batch on a busy server).
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=3.0)
#: The event stream sends a heartbeat every ~15 s; no byte for this long means the connection is dead.
EVENTS_READ_TIMEOUT = 45.0


class Change(msgspec.Struct, gc=False):
    """One change of the feed. ``data`` (the entity's JSON) is kept undecoded: the replica decodes the rows of one
    entity together, straight into their columns. (No reference cycles are possible: not tracked by the GC.)"""

    entity: str
    uid: str
    data: msgspec.Raw


class FeedPage(msgspec.Struct):
    changes: list[Change]
    next_cursor: int
    has_more: bool


_FEED_PAGE = msgspec.json.Decoder(FeedPage)


class Presence(msgspec.Struct, frozen=True):
    """A colleague on a case, from the event stream: ``activity`` is viewing, replying or left; it lapses after
    ``expires_in`` seconds unless renewed."""

    case_uid: str
    case_key: str
    login: str
    name: str
    activity: str
    expires_in: float


_PRESENCE = msgspec.json.Decoder(Presence)


class SyncError(Exception):
    """Talking to the server failed."""


class Offline(SyncError):
    """The server is unreachable, timed out or failed (5xx); the request may be retried later."""


class AuthError(SyncError):
    """401: no valid token (log in again)."""


class Forbidden(SyncError):
    """403: the logged-in agent's role does not allow this."""


class BatchInvalid(SyncError):
    """4xx other than 401/403: the server refused the request itself (e.g. a malformed op)."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


def normalise_server_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValueError(_("the server URL must start with http:// or https://, not {url}").format(url=repr(url)))
    return url


def _detail(response: httpx.Response) -> Any:
    try:
        return orjson.loads(response.content).get("detail", response.text)
    except (orjson.JSONDecodeError, AttributeError):
        return response.text[:500]


class SyncClient:
    """``SyncClient(server_url, token)``; use as a context manager or call :meth:`close`."""

    def __init__(self, server_url: str, token: str | None = None, *,
                 timeout: httpx.Timeout | float = DEFAULT_TIMEOUT, transport: httpx.BaseTransport | None = None) -> None:
        self.server_url = normalise_server_url(server_url)
        self.token = token
        # The server words its messages (``detail``) in the console's language.
        headers = {"User-Agent": "agent-console-sync", "Accept": "application/json",
                   "Accept-Language": current_language()}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(base_url=self.server_url, headers=headers, timeout=timeout, transport=transport)

    def __enter__(self) -> "SyncClient":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- plumbing --------------------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs) -> Any:
        try:
            response = self._http.request(method, API + path, **kwargs)
        except httpx.TransportError as exc:  # connect/read errors and timeouts alike
            raise Offline(_("cannot reach {server}: {problem}").format(
                server=self.server_url, problem=f"{exc.__class__.__name__}: {exc}")) from exc
        return self._decode(response)

    def _decode(self, response: httpx.Response) -> Any:
        status = response.status_code
        if status == 401:
            raise AuthError(_("the server refused the log-in or token: {detail}").format(detail=_detail(response)))
        if status == 403:
            raise Forbidden(_("not allowed: {detail}").format(detail=_detail(response)))
        if status >= 500 or status in (408, 429):
            raise Offline(_("the server answered {status}: {detail}").format(
                status=status, detail=_detail(response)))
        if status >= 400:
            raise BatchInvalid(status, _detail(response))
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise Offline(_("the server sent something that is not JSON ({status})").format(status=status)) from exc

    # --- the API ---------------------------------------------------------------------------------------------------

    def login(self, login: str, password: str) -> dict:
        """``{"access_token", "token_type", "expires_at", "agent": {login, name, role, tier, queues}}``."""
        answer = self._request("POST", "/auth/login", json={"login": login, "password": password})
        self.token = answer["access_token"]
        self._http.headers["Authorization"] = f"Bearer {self.token}"
        return answer

    def logout(self) -> None:
        self._request("POST", "/auth/logout")

    def me(self) -> dict:
        return self._request("GET", "/auth/me")

    def changes(self, cursor: int, limit: int = 2000) -> FeedPage:
        """One page of the change feed."""
        try:
            response = self._http.get(API + "/changes", params={"cursor": cursor, "limit": limit})
        except httpx.TransportError as exc:
            raise Offline(_("cannot reach {server}: {problem}").format(
                server=self.server_url, problem=f"{exc.__class__.__name__}: {exc}")) from exc
        if response.status_code != 200:
            self._decode(response)
        try:
            return _FEED_PAGE.decode(response.content)
        except msgspec.DecodeError as exc:
            raise Offline(_("the server sent a change feed page that cannot be read: {problem}").format(
                problem=exc)) from exc

    def push(self, ops: list[dict]) -> dict:
        """``POST /ops``: ``{"results": [{op_id, status, result, current, reason, original_status}], "cursor"}``."""
        body = orjson.dumps({"ops": ops})
        return self._request("POST", "/ops", content=body, headers={"Content-Type": "application/json"})

    def case(self, key_or_uid: str) -> dict:
        """``{"case": {...}, "customer": {...}, "messages": [...]}`` as the server has it now."""
        return self._request("GET", f"/cases/{key_or_uid}")

    def selfservice_report(self, since: str, until: str, tz: str, top: int) -> dict:
        """``GET /reports/selfservice``: the help center's self-service figures over the calendar days ``since`` ..
        ``until`` (ISO dates) in ``tz`` (supervisors)."""
        return self._request("GET", "/reports/selfservice", params={"since": since, "until": until, "tz": tz,
                                                                    "top": top})

    def ingest_mail(self, raw: bytes) -> dict:
        """``POST /mail/inbound``: the server takes one raw mail in (``{"outcome", "case_key", "detail",
        "duplicate", "acknowledged"}``); a mail it refuses for good is :class:`BatchInvalid` with status 422."""
        body = orjson.dumps({"raw_base64": base64.b64encode(raw).decode("ascii")})
        return self._request("POST", "/mail/inbound", content=body, headers={"Content-Type": "application/json"})

    def attachment_content(self, uid: str) -> bytes:
        """``GET /mail/attachments/{uid}``: the content of a file that came with a mail (the feed carries only its
        name, type and size). :class:`BatchInvalid` 404 when it is not in the agent's queues, 410 when it was over
        the size limit and not kept."""
        try:
            response = self._http.get(API + f"/mail/attachments/{quote(uid, safe='')}")
        except httpx.TransportError as exc:
            raise Offline(_("cannot reach {server}: {problem}").format(
                server=self.server_url, problem=f"{exc.__class__.__name__}: {exc}")) from exc
        if response.status_code != 200:
            self._decode(response)
        return response.content

    def announce_presence(self, case: str, activity: str) -> None:
        """``POST /presence``: this agent is ``viewing`` or ``replying`` on the case (key or uid), or has ``left`` it.
        It lasts a short while on the server (``expires_in`` of the colleagues' events): say it again to keep it."""
        try:
            response = self._http.post(API + "/presence", json={"case": case, "activity": activity})
        except httpx.TransportError as exc:
            raise Offline(_("cannot reach {server}: {problem}").format(
                server=self.server_url, problem=f"{exc.__class__.__name__}: {exc}")) from exc
        if response.status_code != 204:
            self._decode(response)
            raise Offline(_("the server answered {status} to a presence announcement").format(
                status=response.status_code))

    def events(self, on_presence: Callable[[Presence], None] | None = None) -> Iterator[int]:
        """The feed's newest sequence number each time the server says it advanced (the first one at once);
        colleagues' presence on cases goes to ``on_presence`` as it arrives.

        Blocks while waiting; ends (or raises :class:`Offline`) when the connection ends."""
        timeout = httpx.Timeout(EVENTS_READ_TIMEOUT, connect=3.0)
        try:
            with self._http.stream("GET", API + "/events", timeout=timeout,
                                   headers={"Accept": "text/event-stream"}) as response:
                if response.status_code != 200:
                    response.read()
                    self._decode(response)
                    raise Offline(_("the event stream answered {status}").format(status=response.status_code))
                event = data = None
                for line in response.iter_lines():
                    if line == "":
                        if event == "change" and data:
                            try:
                                yield int(orjson.loads(data)["cursor"])
                            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                                pass
                        elif event == "presence" and data and on_presence is not None:
                            try:
                                presence = _PRESENCE.decode(data)
                            except msgspec.DecodeError:
                                presence = None
                            if presence is not None:
                                on_presence(presence)
                        event = data = None
                    elif line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data = line[5:].strip()
        except httpx.TransportError as exc:
            raise Offline(_("the event stream from {server} ended: {problem}").format(
                server=self.server_url, problem=exc.__class__.__name__)) from exc
