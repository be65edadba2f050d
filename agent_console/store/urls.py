"""Database URLs as they may be shown: the password replaced by ``***``. Standard library only (the CLI's start-up
path and ``config`` use it)."""

from __future__ import annotations

MASK = "***"


def _userinfo_span(url: str) -> tuple[int, int] | None:
    """Start and end of ``user:password`` in ``scheme://user:password@host/…``, or None without a password.

    The last ``@`` before any ``?`` ends it, so an unencoded ``@`` or ``/`` inside the password stays hidden too."""
    start = url.find("://")
    if start < 0:
        return None
    start += 3
    end = url.find("?", start)
    at = url.rfind("@", start, end if end >= 0 else len(url))
    if at < 0 or ":" not in url[start:at]:
        return None
    return start, at


def url_password(url: str) -> str | None:
    span = _userinfo_span(url)
    if span is None:
        return None
    return url[span[0]:span[1]].split(":", 1)[1] or None


def display_url(url: object) -> str:
    """``url`` (a string or a SQLAlchemy URL) with its password shown as ``***``: use it wherever a URL is printed,
    logged or put into an error message."""
    text = url.render_as_string(hide_password=True) if hasattr(url, "render_as_string") else str(url)
    span = _userinfo_span(text)
    if span is None:
        return text
    user = text[span[0]:span[1]].split(":", 1)[0]
    return f"{text[:span[0]]}{user}:{MASK}{text[span[1]:]}"


def hide_password(message: str, url: object) -> str:
    """``message`` (e.g. a driver's error) with the URL masked and any other occurrence of its password replaced."""
    raw = url.render_as_string(hide_password=False) if hasattr(url, "render_as_string") else str(url)
    message = message.replace(raw, display_url(raw))
    password = url_password(raw)
    if password:
        from urllib.parse import unquote

        for form in {password, unquote(password)}:
            if len(form) >= 3:
                message = message.replace(form, MASK)
    return message
