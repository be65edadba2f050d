"""The IMAP connection ``mail fetch`` and ``mail run`` use: the ``imap_url`` setting, its password, log-in, and the
raw commands imaplib does not offer (MOVE with its fallback, IDLE).

Built on the standard library's imaplib. Only one thing is replaced: imaplib reads the server through a buffered
socket file, which becomes unusable after a read times out; IDLE has to wait for a line with a timeout (to notice a
stop request) and carry on, so the connection reads through ``LineReader`` instead, which keeps what it has received
when a wait times out.
"""

from __future__ import annotations

import imaplib
import os
import re
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from agent_console.i18n import _

#: Environment variable that holds the IMAP password (wins over ``imap_password_file``).
PASSWORD_VARIABLE = "AGENT_CONSOLE_IMAP_PASSWORD"
#: Seconds a command may take before the connection counts as broken.
COMMAND_TIMEOUT_S = 60.0


class ImapSettingsError(ValueError):
    """``imap_url`` or the password source is missing or wrong: nothing to retry until someone fixes it."""


class ImapLoginRefused(RuntimeError):
    """The server refused the user name or password."""


class ImapUnavailable(RuntimeError):
    """The server cannot be reached, broke the connection or answered unexpectedly: try again later."""


@dataclass(frozen=True)
class ImapLocation:
    scheme: str  # imaps (TLS from the start) or imap (STARTTLS, required)
    user: str
    host: str
    port: int
    mailbox: str

    def display(self) -> str:
        return f"{self.scheme}://{self.user}@{self.host}:{self.port}/{self.mailbox}"


def parse_imap_url(url: str, source: str = "imap_url") -> ImapLocation:
    """``imaps://user@host[:port]/MAILBOX`` or ``imap://…`` (STARTTLS); the mailbox defaults to INBOX."""
    if not url:
        raise ImapSettingsError(_("{source} is not set (e.g. imaps://support@mail.example.com/INBOX)").format(
            source=source))
    parts = urlsplit(url.strip())
    if parts.scheme not in ("imap", "imaps"):
        raise ImapSettingsError(_("{source} must start with imaps:// or imap:// (STARTTLS), got {scheme!r}").format(
            source=source, scheme=parts.scheme))
    if parts.password is not None:
        raise ImapSettingsError(_("{source} must not contain the password: put it in imap_password_file or "
                                  "{variable}").format(source=source, variable=PASSWORD_VARIABLE))
    if not parts.username:
        raise ImapSettingsError(_("{source} names no user (e.g. imaps://support@mail.example.com/INBOX)").format(
            source=source))
    if not parts.hostname:
        raise ImapSettingsError(_("{source} names no host (e.g. imaps://support@mail.example.com/INBOX)").format(
            source=source))
    try:
        port = parts.port or (993 if parts.scheme == "imaps" else 143)
    except ValueError:
        raise ImapSettingsError(_("{source} has an invalid port").format(source=source)) from None
    mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
    check_folder_name(mailbox, source)
    return ImapLocation(parts.scheme, unquote(parts.username), parts.hostname, port, mailbox)


def check_folder_name(name: str, source: str) -> str:
    if not name or not name.isascii() or any(ch in name for ch in '\r\n"\\') or not name.isprintable():
        raise ImapSettingsError(_("{source}: the folder name {name!r} must be plain ASCII text without quotes, "
                                  "backslashes or line breaks").format(source=source, name=name))
    return name


def read_password(password_file: str, environ: dict[str, str] | None = None) -> str:
    """The IMAP password: ``AGENT_CONSOLE_IMAP_PASSWORD``, else the first line of ``imap_password_file``."""
    environ = os.environ if environ is None else environ
    if environ.get(PASSWORD_VARIABLE):
        return environ[PASSWORD_VARIABLE]
    if not password_file:
        raise ImapSettingsError(_("no IMAP password: set imap_password_file or {variable}").format(
            variable=PASSWORD_VARIABLE))
    path = Path(password_file).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImapSettingsError(_("imap_password_file {path}: cannot be read ({reason})").format(
            path=path, reason=exc.__class__.__name__)) from None
    password = text.splitlines()[0] if text else ""
    if not password:
        raise ImapSettingsError(_("imap_password_file {path} is empty").format(path=path))
    return password


def quote_mailbox(name: str) -> str:
    return '"' + name + '"'


class LineReader:
    """What imaplib reads the server through (``readline``, ``read``, ``close``), kept over a socket timeout."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buffer = bytearray()

    def _receive(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise imaplib.IMAP4.abort(_("the IMAP server closed the connection"))
        self.buffer += chunk

    def readline(self, limit: int = -1) -> bytes:
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0 or (0 < limit <= len(self.buffer)):
                size = end + 1 if end >= 0 else limit
                if 0 < limit < size:
                    size = limit
                line = bytes(self.buffer[:size])
                del self.buffer[:size]
                return line
            self._receive()

    def read(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._receive()
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def line_within(self, timeout: float) -> bytes | None:
        """A whole line if one arrives within ``timeout`` seconds, else None (what did arrive stays buffered)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                self._receive()
            except (socket.timeout, TimeoutError):
                return None
            except ssl.SSLWantReadError:
                return None
            finally:
                self.sock.settimeout(COMMAND_TIMEOUT_S)
        return self.readline()

    def close(self) -> None:
        self.buffer.clear()


class ImapSession:
    """One logged-in connection with the mailbox selected."""

    def __init__(self, client: imaplib.IMAP4, location: ImapLocation):
        self.client = client
        self.location = location

    @property
    def capabilities(self) -> set[str]:
        return {c.upper() for c in self.client.capabilities}

    def refresh_capabilities(self) -> None:
        status, data = self.client.capability()
        if status == "OK" and data and data[-1]:
            self.client.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())

    def command(self, name: str, *args: str) -> list:
        """An IMAP command that must succeed; NO/BAD become ``ImapUnavailable`` naming the command."""
        status, data = getattr(self.client, name.lower())(*args)
        if status != "OK":
            raise ImapUnavailable(_("the IMAP server refused {command}: {answer}").format(
                command=name.upper(), answer=_answer_text(data)))
        return data

    def uid(self, command: str, *args: str) -> list:
        status, data = self.client.uid(command, *args)
        if status != "OK":
            raise ImapUnavailable(_("the IMAP server refused {command}: {answer}").format(
                command="UID " + command, answer=_answer_text(data)))
        return data

    def ensure_folder(self, name: str) -> None:
        status, data = self.client.list('""', quote_mailbox(name))
        if status == "OK" and any(item for item in data if item):
            return
        status, data = self.client.create(quote_mailbox(name))
        if status != "OK" and "ALREADYEXISTS" not in _answer_text(data).upper():
            raise ImapUnavailable(_("cannot create the IMAP folder {name!r}: {answer}").format(
                name=name, answer=_answer_text(data)))

    def select(self) -> int:
        data = self.command("select", quote_mailbox(self.location.mailbox))
        return int(data[0] or 0)

    def message_uids(self) -> list[bytes]:
        """The UIDs of the messages in the mailbox, oldest first; a message a cut-short move flagged \\Deleted
        (already copied to its folder) is left for the expunge."""
        data = self.uid("SEARCH", None, "UNDELETED")
        return sorted(data[0].split(), key=int) if data and data[0] else []

    def fetch_raw(self, uid: bytes) -> bytes | None:
        """The whole message, as it came (BODY.PEEK: the \\Seen flag stays as it was); None if it is gone."""
        data = self.uid("FETCH", uid, "(BODY.PEEK[])")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                return item[1]
        return None

    def move(self, uid: bytes, folder: str) -> None:
        """MOVE where the server has it, else COPY + \\Deleted + (UID) EXPUNGE."""
        if "MOVE" in self.capabilities:
            self.uid("MOVE", uid, quote_mailbox(folder))
            return
        self.uid("COPY", uid, quote_mailbox(folder))
        self.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        if "UIDPLUS" in self.capabilities:
            self.uid("EXPUNGE", uid)
        else:
            self.command("expunge")

    def idle_supported(self) -> bool:
        return "IDLE" in self.capabilities

    def idle(self, wait_s: float, should_stop, step_s: float = 0.5) -> bool:
        """IDLE (RFC 2177) until the server reports a change, ``wait_s`` passes or ``should_stop()`` is true;
        True when the mailbox changed. Sent raw: imaplib on Python 3.11 has no IDLE."""
        client = self.client
        reader: LineReader = client.file
        tag = client._new_tag()
        client.send(tag + b" IDLE\r\n")
        first = reader.readline()
        if not first.startswith(b"+"):
            raise ImapUnavailable(_("the IMAP server refused {command}: {answer}").format(
                command="IDLE", answer=first.decode("ascii", "replace").strip()))
        changed = False
        deadline = time.monotonic() + wait_s
        while not changed and time.monotonic() < deadline and not should_stop():
            line = reader.line_within(min(step_s, max(0.0, deadline - time.monotonic())))
            if line is None:
                continue
            if re.match(rb"\* \d+ (EXISTS|RECENT)\b", line, re.IGNORECASE):
                changed = True
            elif line.upper().startswith(b"* BYE"):
                raise imaplib.IMAP4.abort(_("the IMAP server ended the connection"))
        client.send(b"DONE\r\n")
        while True:
            line = reader.readline()
            if line.startswith(tag):
                client.tagged_commands.pop(tag, None)  # answered here, not through imaplib
                if not line[len(tag):].strip().upper().startswith(b"OK"):
                    raise ImapUnavailable(_("the IMAP server refused {command}: {answer}").format(
                        command="IDLE", answer=line.decode("ascii", "replace").strip()))
                return changed
            if re.match(rb"\* \d+ (EXISTS|RECENT)\b", line, re.IGNORECASE):
                changed = True

    def close(self) -> None:
        try:
            self.client.logout()
        except (OSError, imaplib.IMAP4.error, ValueError):
            try:
                self.client.shutdown()
            except OSError:
                pass


def _answer_text(data) -> str:
    parts = []
    for item in data or ():
        if isinstance(item, bytes):
            parts.append(item.decode("utf-8", "replace"))
        elif isinstance(item, tuple):
            parts.append(" ".join(p.decode("utf-8", "replace") for p in item if isinstance(p, bytes)))
    return " ".join(parts).strip() or "no reason given"


def open_session(location: ImapLocation, password: str, ssl_context: ssl.SSLContext | None = None) -> ImapSession:
    """Connect (TLS from the start, or STARTTLS on imap://), log in, select the mailbox.

    Raises ``ImapLoginRefused`` for a wrong user or password and ``ImapUnavailable`` for everything worth a retry."""
    context = ssl_context or ssl.create_default_context()
    where = f"{location.host}:{location.port}"
    try:
        if location.scheme == "imaps":
            client = imaplib.IMAP4_SSL(location.host, location.port, ssl_context=context, timeout=COMMAND_TIMEOUT_S)
        else:
            client = imaplib.IMAP4(location.host, location.port, timeout=COMMAND_TIMEOUT_S)
    except ssl.SSLCertVerificationError as exc:
        raise ImapUnavailable(_untrusted(where, exc)) from None
    except (OSError, imaplib.IMAP4.error) as exc:
        raise ImapUnavailable(_("cannot connect to the IMAP server {server}: {reason}").format(
            server=where, reason=_reason(exc))) from None
    try:
        if location.scheme == "imap":
            if "STARTTLS" not in {c.upper() for c in client.capabilities}:
                raise ImapUnavailable(_("the IMAP server {server} offers no STARTTLS; use imaps:// or a server "
                                        "with TLS (the password is never sent unencrypted)").format(server=where))
            client.starttls(context)
        client.file = LineReader(client.sock)
        try:
            client.login(location.user, password)
        except imaplib.IMAP4.abort:
            raise
        except imaplib.IMAP4.error as exc:
            raise ImapLoginRefused(_("the IMAP server {server} refused the log-in of {user!r}: {reason}").format(
                server=where, user=location.user, reason=_reason(exc))) from None
        session = ImapSession(client, location)
        session.refresh_capabilities()
        return session
    except ssl.SSLCertVerificationError as exc:
        _drop(client)
        raise ImapUnavailable(_untrusted(where, exc)) from None
    except (OSError, imaplib.IMAP4.error) as exc:
        _drop(client)
        raise ImapUnavailable(broke_off(where, exc)) from None
    except BaseException:
        _drop(client)
        raise


def _untrusted(where: str, exc: ssl.SSLCertVerificationError) -> str:
    return _("the IMAP server {server} has a certificate that is not trusted: {reason}").format(
        server=where, reason=exc.verify_message or exc.reason)


def broke_off(where: str, exc: BaseException) -> str:
    return _("the IMAP connection to {server} broke off: {reason}").format(server=where, reason=_reason(exc))


def _drop(client: imaplib.IMAP4) -> None:
    try:
        client.shutdown()
    except OSError:
        pass


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return text or exc.__class__.__name__
