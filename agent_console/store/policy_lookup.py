"""Which SLA policy a case runs under, from the policies already read: no SQL and no ORM here, so the fast read path
(``store/fast_read.py``) and the domain's SLA rule use it without loading SQLAlchemy."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class SlaTarget(StrEnum):
    """The clocks an SLA policy sets on a case."""

    first_response = "first_response"
    next_update = "next_update"
    resolution = "resolution"


def policy_from(policies: Mapping, channel: str, priority: str | None):
    """The policy of a (channel, priority) from a ``{(channel, priority): policy}`` map: the priority's own policy,
    else the channel's default (priority None), else None (the built-in targets). The one fallback rule; every
    reader of policies (queue rows, case header, CLI, monitor, importer, seeder) goes through it."""
    return policies.get((channel, priority)) or policies.get((channel, None))
