"""A real SMTP server for the mail tests: aiosmtpd on 127.0.0.1 that keeps what it accepted.

``replies`` scripts the answers to DATA, one per mail (``"451 4.3.0 try later"``, ``"550 5.1.1 no such user"``);
when it runs out, every mail gets ``250``. ``port`` may be given to start a server on a port a test reserved
(the SMTP server that is down, then up)."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

from tests.helpers import require_component


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpSink:
    replies: list[str] = field(default_factory=list)
    received: list = field(default_factory=list)
    #: Each DATA, accepted or not.
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            reply = self.replies.pop(0) if self.replies else "250 2.0.0 Ok: queued"
            if reply.startswith("250"):
                mail = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
                self.received.append((envelope.mail_from, list(envelope.rcpt_tos), mail, envelope.content))
        return reply

    def messages(self) -> list:
        with self.lock:
            return [mail for _sender, _rcpts, mail, _raw in self.received]


def start_sink(sink: SmtpSink, port: int | None = None, **options):
    """Start aiosmtpd for ``sink``; returns (controller, port). The caller stops it (``controller.stop()``)."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError as exc:
        require_component("aiosmtpd", str(exc))
    port = port or free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller, port


@contextmanager
def sink_running(sink):
    """``sink`` served by aiosmtpd on a free port (``sink.port``) for the block."""
    controller, sink.port = start_sink(sink)
    try:
        yield sink
    finally:
        controller.stop()


def self_signed_tls(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a fresh self-signed certificate for 127.0.0.1, and the certificate file (the client's
    CA)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out",
                        str(cert)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        require_component("openssl", str(exc))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, cert
