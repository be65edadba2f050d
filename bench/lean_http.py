"""A minimal HTTP/1.1 keep-alive client for the server's load generator.

The simulated floor shares the machine's 2 cores with the server it measures. httpx spends about as much CPU per
request as the server does (3.7 ms, measured), so it steals the cores whose latency is being measured; agents on a real
floor are separate machines. This client does only what the load needs: one persistent connection, one request at a
time, ``Content-Length`` bodies (what uvicorn sends for these endpoints); anything else is an error, never a guess.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode, urlsplit


class HttpError(RuntimeError):
    pass


class Response:
    __slots__ = ("status_code", "content")

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future | None = None
        self._status = 0
        self._body_length = -1
        self._head_length = 0
        self._closing = False
        self.lost: BaseException | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.lost = exc or HttpError("the server closed the connection")
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(self.lost)

    def expect(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future:
        self._waiter = loop.create_future()
        self._buffer.clear()
        self._body_length = -1
        return self._waiter

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        if self._body_length < 0:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            try:
                self._parse_head(bytes(buffer[:end]))
            except (HttpError, ValueError) as exc:
                if self._waiter is not None and not self._waiter.done():
                    self._waiter.set_exception(exc)
                self.lost = exc
                self.transport.close()
                return
            self._head_length = end + 4
        if len(buffer) >= self._head_length + self._body_length and self._waiter is not None:
            body = bytes(buffer[self._head_length:self._head_length + self._body_length])
            waiter, self._waiter = self._waiter, None
            if self._closing:  # the server said it closes the connection: the next request opens a new one
                self.lost = HttpError("the server closed the connection")
                self.transport.close()
            if not waiter.done():
                waiter.set_result(Response(self._status, body))

    def _parse_head(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise HttpError(f"not an HTTP/1.x response: {lines[0][:80]!r}")
        self._status = int(parts[1])
        length = None
        self._closing = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"connection" and value.strip().lower() == b"close":
                self._closing = True
            elif name == b"transfer-encoding":
                raise HttpError("chunked responses are not supported by the load generator")
        if length is None:
            raise HttpError("a response without Content-Length")
        self._body_length = length


class LeanClient:
    """One keep-alive connection to ``base_url`` (``http://host:port``), requests one after another."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"need http://host:port, got {base_url!r}")
        self.host, self.port = parts.hostname, parts.port
        self._host_header = f"{self.host}:{self.port}".encode()
        self._protocol: _Protocol | None = None

    async def __aenter__(self) -> "LeanClient":
        await self._connect()
        return self

    async def __aexit__(self, *_exc) -> None:
        self.close()

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        _transport, self._protocol = await loop.create_connection(_Protocol, self.host, self.port)

    def close(self) -> None:
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None

    async def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                      params: dict | None = None, content: bytes = b"") -> Response:
        if self._protocol is None or self._protocol.lost is not None:
            await self._connect()
        target = f"{path}?{urlencode(params)}" if params else path
        head = [f"{method} {target} HTTP/1.1".encode(), b"Host: " + self._host_header]
        for name, value in (headers or {}).items():
            head.append(f"{name}: {value}".encode())
        if content or method in ("POST", "PUT", "PATCH"):
            head.append(b"Content-Length: %d" % len(content))
        protocol = self._protocol
        waiter = protocol.expect(asyncio.get_running_loop())
        protocol.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + content)
        return await waiter

    async def get(self, path: str, **kwargs) -> Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs) -> Response:
        return await self.request("POST", path, **kwargs)
