"""Who has which case open, or is typing a reply on it: ephemeral, in this server process's memory, never stored.

A console announces ``viewing`` / ``replying`` on a case (again every little while as long as it lasts) and ``left``
when it is done; an announcement lasts ``PRESENCE_TTL_S`` unless renewed, so a console that vanishes stops being
shown. Each announcement is handed to the ``/events`` streams of agents who may see the case's queue (the feed's
queue scoping), except the announcing agent's own. Several uvicorn workers each keep their own board: an announcement
reaches the streams of the worker that received it.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

#: Seconds an announcement lasts unless the console renews it.
PRESENCE_TTL_S = 30.0
ACTIVITIES = ("viewing", "replying", "left")
#: Announcements kept for streams that have not read them yet (a stream further behind skips to the newest).
BACKLOG = 1000


@dataclass(frozen=True)
class Announcement:
    version: int
    case_uid: str
    case_key: str
    queue: str
    agent_id: int
    login: str
    name: str
    activity: str
    expires_in: float

    def event(self) -> dict:
        return {"case_uid": self.case_uid, "case_key": self.case_key, "login": self.login, "name": self.name,
                "activity": self.activity, "expires_in": self.expires_in}


class PresenceBoard:
    """Announcements in the order they came, each with a version a stream reads on from."""

    def __init__(self, ttl_s: float = PRESENCE_TTL_S) -> None:
        self.ttl_s = ttl_s
        self.version = 0
        self._recent: deque[Announcement] = deque(maxlen=BACKLOG)
        self._lock = threading.Lock()

    def announce(self, *, case_uid: str, case_key: str, queue: str, agent_id: int, login: str, name: str,
                 activity: str) -> Announcement:
        if activity not in ACTIVITIES:
            raise ValueError(f"activity must be one of {', '.join(ACTIVITIES)}")
        with self._lock:
            self.version += 1
            announcement = Announcement(self.version, case_uid, case_key, queue, agent_id, login, name, activity,
                                        0.0 if activity == "left" else self.ttl_s)
            self._recent.append(announcement)
        return announcement

    def since(self, version: int, *, agent_id: int, may_see_queue) -> tuple[int, list[Announcement]]:
        """The announcements after ``version`` meant for the agent ``agent_id`` (not their own, only queues they may
        see), and the version to read on from."""
        with self._lock:
            current = self.version
            recent = [a for a in self._recent if a.version > version]
        return current, [a for a in recent if a.agent_id != agent_id and may_see_queue(a.queue)]


board = PresenceBoard()
