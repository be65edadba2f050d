"""Delivering a composed mail to the SMTP server ``smtp_url`` names, and telling a temporary failure (retry later)
from a permanent one (the server refused the mail for good).

``smtp://host[:port]`` (25) upgrades with STARTTLS when the server offers it (``?starttls=required``: refuse to send
without it); ``smtps://host[:port]`` (465) speaks TLS from the start. A user in the URL logs in with the password from
``AGENT_CONSOLE_SMTP_PASSWORD``, else the first line of ``smtp_password_file``."""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

PASSWORD_VARIABLE = "AGENT_CONSOLE_SMTP_PASSWORD"
DEFAULT_TIMEOUT_S = 30.0


class SmtpConfigError(ValueError):
    """The SMTP settings cannot work (no URL, no password for the user): nothing is attempted."""


class SmtpFailure(Exception):
    """An attempt that did not deliver; ``reply`` is the server's answer (or the connection error)."""

    permanent = False

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


class TemporaryFailure(SmtpFailure):
    pass


class PermanentFailure(SmtpFailure):
    permanent = True


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    starttls_required: bool
    user: str | None
    password: str | None


def smtp_target(url: str, *, password_file: str = "", environ: dict[str, str] | None = None) -> SmtpTarget:
    environ = os.environ if environ is None else environ
    if not url:
        raise SmtpConfigError("smtp_url is not set (e.g. smtp://mail.example.com or smtps://user@mail.example.com)")
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SmtpConfigError(f"smtp_url must be smtp://[user@]host[:port] or smtps://…, got {url!r}")
    options = parse_qs(parts.query)
    user = unquote(parts.username) if parts.username else None
    password = None
    if user:
        # As for IMAP: the environment wins over the file.
        password = environ.get(PASSWORD_VARIABLE)
        if not password and password_file:
            try:
                password = Path(password_file).expanduser().read_text(encoding="utf-8").splitlines()[0]
            except (OSError, UnicodeDecodeError, IndexError) as exc:
                raise SmtpConfigError(f"smtp_password_file {password_file}: cannot read a password "
                                      f"({getattr(exc, 'strerror', None) or 'empty file'})") from None
        if not password:
            raise SmtpConfigError(f"smtp_url names the user {user!r} but there is no password: set "
                                  f"smtp_password_file or {PASSWORD_VARIABLE}")
    implicit = parts.scheme == "smtps"
    return SmtpTarget(host=parts.hostname, port=parts.port or (465 if implicit else 25), implicit_tls=implicit,
                      starttls_required=options.get("starttls", [""])[0].lower() == "required",
                      user=user, password=password)


def _reply_text(code: int | None, text: bytes | str | None) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join((text or "").split())
    return f"{code} {text}".strip() if code else text


def _failure(code: int | None, text) -> SmtpFailure:
    reply = _reply_text(code, text)
    return PermanentFailure(reply) if code is not None and 500 <= code < 600 else TemporaryFailure(reply)


def deliver(target: SmtpTarget, message: EmailMessage, *, tls_context: ssl.SSLContext | None = None,
            timeout: float = DEFAULT_TIMEOUT_S) -> str:
    """Send ``message`` to its ``To``; returns the server's reply to the data. Raises :class:`TemporaryFailure` or
    :class:`PermanentFailure`."""
    context = tls_context or ssl.create_default_context()
    client = None
    try:
        if target.implicit_tls:
            client = smtplib.SMTP_SSL(target.host, target.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=timeout)
        client.ehlo()
        if not target.implicit_tls:
            if client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            elif target.starttls_required:
                raise TemporaryFailure(f"{target.host} does not offer STARTTLS (smtp_url asks for "
                                       "starttls=required)")
        if target.user:
            client.login(target.user, target.password or "")
        sender = message["From"].addresses[0].addr_spec
        recipient = message["To"].addresses[0].addr_spec
        client.sendmail(sender, [recipient], message.as_bytes(policy=message.policy))
    except smtplib.SMTPRecipientsRefused as refused:
        code, text = next(iter(refused.recipients.values()))
        raise _failure(code, text) from None
    except smtplib.SMTPAuthenticationError as exc:
        # The settings are wrong for every mail alike: keep the mail and retry once they are fixed.
        raise TemporaryFailure(_reply_text(exc.smtp_code, exc.smtp_error)) from None
    except smtplib.SMTPResponseException as exc:
        raise _failure(exc.smtp_code, exc.smtp_error) from None
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise TemporaryFailure(f"{target.host}:{target.port}: {detail}") from None
    finally:
        if client is not None:
            _close_quietly(client)
    return "250 accepted"


def _close_quietly(client: smtplib.SMTP) -> None:
    """QUIT, ignoring a server that hangs up first: once the data was accepted the mail is delivered."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
