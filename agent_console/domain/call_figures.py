"""The phone's figures from the calls themselves (``calls``, from the telephone system's events), for the monitor and
the wallboard. Where there are no calls (no telephone system connected), the phone keeps the figures computed from its
cases (``domain.monitor``).

Definitions (per queue of the call, and for the whole floor; "today" as the monitor's):

- **callers waiting**: inbound calls ringing now (neither answered nor hung up); **longest call wait**: since the
  oldest of them first rang.
- **offered today**: inbound calls that arrived today and were answered, were abandoned, or still wait past the
  target (they can no longer be answered within it); calls forwarded unanswered and calls still waiting within the
  target count neither way.
- **answered in target**: answered within the target (the phone policy's first-response target, 90 s by default)
  after they started ringing. **Phone service level** = answered in target / offered.
- **ASA** (average speed of answer): the mean time from ringing to answer of today's answered calls.
- **abandonment rate**: abandoned / (answered + abandoned); abandoned = ended without answer (cancel, noAnswer, busy …
  — the missed calls), forwarded calls not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agent_console.store import call_queries


@dataclass
class PhoneCounts:
    callers_waiting: int = 0
    oldest_waiting: datetime | None = None
    offered: int = 0
    answered: int = 0
    answered_in_target: int = 0
    abandoned: int = 0
    answer_seconds: float = 0.0

    def add_waiting(self, count: int, since: datetime | None) -> None:
        self.callers_waiting += count
        if since is not None and (self.oldest_waiting is None or since < self.oldest_waiting):
            self.oldest_waiting = since

    @property
    def has_calls(self) -> bool:
        return bool(self.offered or self.callers_waiting or self.answered or self.abandoned)

    def longest_wait_s(self, now: datetime) -> float | None:
        return max(0.0, (now - self.oldest_waiting).total_seconds()) if self.oldest_waiting else None

    @property
    def service_level(self) -> float | None:
        return self.answered_in_target / self.offered if self.offered else None

    @property
    def asa_s(self) -> float | None:
        return self.answer_seconds / self.answered if self.answered else None

    @property
    def abandonment_rate(self) -> float | None:
        decided = self.answered + self.abandoned
        return self.abandoned / decided if decided else None


def phone_counts(conn, now: datetime, day_start: datetime, target_s: float
                 ) -> tuple[PhoneCounts, dict[str | None, PhoneCounts]]:
    """(the floor's counts, each queue's counts) of the calls: waiting now and offered today."""
    floor = PhoneCounts()
    queues: dict[str | None, PhoneCounts] = {}
    for queue, (count, since) in call_queries.waiting_by_queue(conn, now).items():
        for counts in (floor, queues.setdefault(queue, PhoneCounts())):
            counts.add_waiting(count, since)
    for queue, started, answered, ended, cause, missed in call_queries.offered_calls(conn, day_start, now):
        outcome = _outcome(started, answered, ended, cause, now, target_s)
        if outcome is None:
            continue
        for counts in (floor, queues.setdefault(queue, PhoneCounts())):
            _count(counts, outcome, started, answered, target_s)
    return floor, queues


def _outcome(started, answered, ended, cause, now: datetime, target_s: float) -> str | None:
    if answered is not None:
        return "answered"
    if ended is not None:
        return None if cause == "forwarded" else "abandoned"
    return "late" if started is not None and (now - started).total_seconds() > target_s else None


def _count(counts: PhoneCounts, outcome: str, started, answered, target_s: float) -> None:
    counts.offered += 1
    if outcome == "answered":
        wait = max(0.0, (answered - started).total_seconds()) if started is not None else 0.0
        counts.answered += 1
        counts.answer_seconds += wait
        if wait <= target_s:
            counts.answered_in_target += 1
    elif outcome == "abandoned":
        counts.abandoned += 1
