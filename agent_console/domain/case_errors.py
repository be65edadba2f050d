"""Why the case workflow refuses a request: the errors every case rule raises (the message is meant for the agent)."""

from __future__ import annotations


class CaseError(ValueError):
    """A request the rules do not allow; the message is meant for the agent."""


class CaseConflict(CaseError):
    """Someone else got there first (e.g. the case is claimed by another agent)."""
