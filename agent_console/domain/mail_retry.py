"""When a mail the SMTP server turned away for now is tried again: 30 s, 1 min, 2 min, … doubling up to an hour,
and given up (failed, with the server's last reply) after :data:`MAX_ATTEMPTS`, about two days of trying."""

from __future__ import annotations

from datetime import timedelta

FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(hours=1)
MAX_ATTEMPTS = 56


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt (1 for the first)."""
    doublings = min(max(attempts, 1) - 1, 20)
    return min(FIRST_DELAY * (2 ** doublings), LONGEST_DELAY)


def gives_up(attempts: int) -> bool:
    return attempts >= MAX_ATTEMPTS
