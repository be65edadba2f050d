"""Business hours: the SLA clock only runs while the contact center is open."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class BusinessHours:
    tz: str = "UTC"
    #: Weekdays open, Monday = 0.
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    open: time = time(8, 0)
    close: time = time(18, 0)
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, raw: str | None) -> "BusinessHours | None":
        if not raw:
            return None
        data = json.loads(raw)
        return cls(
            tz=data.get("tz", "UTC"),
            days=tuple(data.get("days", (0, 1, 2, 3, 4))),
            open=time.fromisoformat(data.get("open", "08:00")),
            close=time.fromisoformat(data.get("close", "18:00")),
            holidays=frozenset(date.fromisoformat(d) for d in data.get("holidays", ())),
        )

    def to_json(self) -> str:
        return json.dumps({
            "tz": self.tz, "days": list(self.days), "open": self.open.strftime("%H:%M"),
            "close": self.close.strftime("%H:%M"), "holidays": sorted(d.isoformat() for d in self.holidays),
        })

    def _is_open_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def _window(self, day: date) -> tuple[datetime, datetime]:
        zone = ZoneInfo(self.tz)
        start = datetime.combine(day, self.open, tzinfo=zone).astimezone(timezone.utc)
        end = datetime.combine(day, self.close, tzinfo=zone).astimezone(timezone.utc)
        return start, end

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of open time have passed after ``start`` (wall-clock per day, so DST is right)."""
        zone = ZoneInfo(self.tz)
        remaining = timedelta(seconds=seconds)
        day = start.astimezone(zone).date()
        for _ in range(366 * 5):
            if self._is_open_day(day):
                window_start, window_end = self._window(day)
                begin = max(start, window_start)
                if begin < window_end:
                    available = window_end - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("business hours never open: check the policy's days and holidays")

    def open_seconds_between(self, start: datetime, end: datetime) -> float:
        """Open time between two moments, in seconds."""
        if end <= start:
            return 0.0
        zone = ZoneInfo(self.tz)
        total = 0.0
        day = start.astimezone(zone).date()
        last = end.astimezone(zone).date()
        while day <= last:
            if self._is_open_day(day):
                window_start, window_end = self._window(day)
                lo, hi = max(start, window_start), min(end, window_end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total
