"""When things happen in a seeded case: the demo's mix of channels, priorities and statuses, and the moments of an
open or a done case, laid out back from "now" so that the case shows the SLA state drawn for it.

``Timeline`` needs ``self.rng`` (the seed's one ``random.Random``) and ``self.now``; the case builder
(``seed_cases.CaseBatches``) is one.
"""

from __future__ import annotations

import random
from datetime import timedelta

CHANNEL_WEIGHTS = {"email": 30, "phone": 22, "chat": 18, "web": 10, "messenger": 8, "social": 7, "onsite": 5}
PRIORITY_WEIGHTS = {"urgent": 4, "high": 16, "normal": 65, "low": 15}
#: Per channel, how many cases in 100 are open (by status); the rest are done (resolved, closed after
#: CLOSE_AFTER_DAYS). Live channels (a call, a chat, a walk-in) are mostly settled while the customer is there, so
#: few of them wait; written channels carry the backlog.
OPEN_STATUS_SHARES = {
    "phone": {"new": 0.4, "open": 4, "pending": 1.5, "escalated": 1.5},
    "chat": {"new": 1.0, "open": 3, "pending": 1, "escalated": 1},
    "onsite": {"new": 1.0, "open": 3, "pending": 1, "escalated": 1},
    "email": {"new": 5, "open": 9, "pending": 5, "escalated": 3},
    "web": {"new": 5, "open": 8, "pending": 4, "escalated": 3},
    "messenger": {"new": 3, "open": 6, "pending": 2, "escalated": 2},
    "social": {"new": 3, "open": 6, "pending": 2, "escalated": 2},
}
LIVE_CHANNELS = ("phone", "chat", "onsite")
#: SLA states of open cases' most urgent running target at seeding time: mostly ok, some at risk, a few breached.
OPEN_AT_RISK = 0.17
OPEN_BREACHED = 0.10
OPEN_BREACHED_ESCALATED = 0.22
#: Share of open (answered) cases where the customer wrote again and waits for the next update.
AWAITING_UPDATE = 0.35
#: First responses within target (the service level lands around 80 %).
FIRST_RESPONSE_MET = 0.84
#: Resolved cases settled with the first answer (one customer contact, never reopened).
FIRST_CONTACT_RESOLVED = 0.83
#: How long ago cases were resolved: SHIFT_SHARE in the current shift's hours (mean SHIFT_DAYS), RECENT_SHARE within
#: days (mean RECENT_DAYS), the rest spread over months (mean ARCHIVE_DAYS): the monitor's "today" has figures even
#: an hour after midnight, and customers have a history.
SHIFT_SHARE = 0.1
SHIFT_DAYS = 0.3
RECENT_SHARE = 0.35
RECENT_DAYS = 2.0
ARCHIVE_DAYS = 45.0
CLOSE_AFTER_DAYS = 2
#: Channels where closing a case sends the customer a written message (a call just ends).
WRITTEN_CHANNELS = ("email", "web", "messenger", "social")


def _weighted(rng: random.Random, weights: dict[str, int], n: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=n)


def _status_thresholds() -> dict[str, list[tuple[float, str]]]:
    found = {}
    for channel, shares in OPEN_STATUS_SHARES.items():
        upper, steps = 0.0, []
        for status, share in shares.items():
            upper += share / 100
            steps.append((upper, status))
        found[channel] = steps
    return found


_STATUS_STEPS = _status_thresholds()


def _status_for(channel: str, draw: float) -> str:
    """An open status by the channel's shares, or ``done`` (resolved or closed, decided by time)."""
    for upper, status in _STATUS_STEPS[channel]:
        if draw < upper:
            return status
    return "done"



class Timeline:
    def _first_response_delay(self, first_s: int) -> float:
        """Seconds from arrival to the first reply: within target for FIRST_RESPONSE_MET of cases."""
        rng = self.rng
        if rng.random() < FIRST_RESPONSE_MET:
            return first_s * rng.triangular(0.05, 1.0, 0.35)
        return first_s * (1.0 + min(rng.expovariate(1.6), 5.0)) + 1

    def _sla_state(self, status: str) -> str:
        draw = self.rng.random()
        breached = OPEN_BREACHED_ESCALATED if status == "escalated" else OPEN_BREACHED
        return "breached" if draw < breached else "at_risk" if draw < breached + OPEN_AT_RISK else "ok"

    def _elapsed(self, state: str, most_overdue: float) -> float:
        """How much of a running target's time has passed, for the state it should show now (> 1: overdue, by at
        most ``most_overdue`` of the target)."""
        rng = self.rng
        if state == "ok":
            return rng.uniform(0.03, 0.78)
        if state == "at_risk":
            return rng.uniform(0.81, 0.99)
        return 1.0 + rng.uniform(0.02, most_overdue)

    def _open_times(self, status: str, channel: str, targets: tuple) -> dict:
        """An open case's moments, laid out so that its most urgent running target shows a chosen SLA state now.

        The state is drawn first (mostly ok, some at risk, a few breached: a floor at work, not a backlog) and the
        arrival is placed back from now by that share of the target's time."""
        rng, now = self.rng, self.now
        first_s, next_s, resolution_s = targets
        live = channel in LIVE_CHANNELS
        state = self._sla_state(status)
        times = {"again": None, "paused": None, "nudge": None, "resolved": None, "fcr": False}
        if status == "new":
            # A caller or chat waits minutes past a target of seconds; an e-mail hours past one of hours.
            age = first_s * self._elapsed(state, 1.5 if live else 0.6) + rng.uniform(0, 5)
            created = now - timedelta(seconds=age)
            if not live and age > 900 and rng.random() < 0.15:
                times["nudge"] = created + timedelta(seconds=age * rng.uniform(0.4, 0.9))
            times.update(created=created, first=None)
            return times
        delay = self._first_response_delay(first_s)
        if status == "pending":
            worked = resolution_s * rng.uniform(0.05, 0.6)
            waiting = rng.uniform(1200, 86400) if live else rng.uniform(3600, 4 * 86400)
            created = now - timedelta(seconds=worked + waiting)
            times["paused"] = created + timedelta(seconds=worked)
            first = created + timedelta(seconds=min(delay, worked * 0.7))
        elif next_s and rng.random() < AWAITING_UPDATE:
            # The customer wrote again and waits for the next update: that clock is the urgent one.
            created = now - timedelta(seconds=resolution_s * rng.uniform(0.12, 0.75))
            first = min(created + timedelta(seconds=delay), created + (now - created) * 0.5)
            again = now - timedelta(seconds=next_s * self._elapsed(state, 0.6))
            if again <= first + timedelta(seconds=60):
                again = first + (now - first) * rng.uniform(0.3, 0.9)
            times["again"] = again
        else:
            created = now - timedelta(seconds=resolution_s * self._elapsed(state, 0.4))
            first = min(created + timedelta(seconds=delay), created + (now - created) * 0.6)
        times.update(created=created, first=first.replace(microsecond=0))
        return times

    def _done_times(self, channel: str, targets: tuple, escalated: bool) -> dict:
        """A resolved case: recent days are busier than old ones (the monitor's 'today' has figures, customers
        have a history), first responses and resolutions mostly within target, most solved on first contact."""
        rng, now = self.rng, self.now
        first_s, _next_s, resolution_s = targets
        live = channel in LIVE_CHANNELS
        draw = rng.random()
        mean_age = SHIFT_DAYS if draw < SHIFT_SHARE else RECENT_DAYS if draw < SHIFT_SHARE + RECENT_SHARE \
            else ARCHIVE_DAYS
        age = min(max(rng.expovariate(1 / (mean_age * 86400)), 300), 400 * 86400)
        resolved = now - timedelta(seconds=age)
        delay = self._first_response_delay(first_s)
        fcr = not escalated and rng.random() < FIRST_CONTACT_RESOLVED
        if fcr:
            # Solved with the first answer: during the call or chat, or shortly after the written reply.
            work = rng.uniform(240, 1500) if live else rng.uniform(120, 3 * 3600)
        else:
            work = resolution_s * rng.triangular(0.05, 1.15, 0.3)
        created = resolved - timedelta(seconds=delay + work)
        return {"created": created, "first": (created + timedelta(seconds=delay)).replace(microsecond=0),
                "resolved": resolved.replace(microsecond=0), "again": None, "paused": None, "nudge": None,
                "fcr": fcr}
