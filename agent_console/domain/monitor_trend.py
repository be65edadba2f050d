"""The monitor's trend: floor-wide waiting and service level over the last hours, for the sparklines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Iterable

from agent_console.domain.clock import Clock
from agent_console.domain.monitor_figures import MonitorSnapshot
from agent_console.domain.zones import day_start_utc
from agent_console.store import monitor as reads


@dataclass
class TrendHistory:
    """Floor-wide waiting and service level over the last hours, in fixed buckets, for the sparklines.

    Each refresh records its snapshot into the current bucket (the latest value wins); at start ``backfill`` fills the
    past hours from the data (see ``backfill_points``), so the trend is not empty on a freshly opened monitor.
    """

    span_s: int = 8 * 3600
    bucket_s: int = 300
    waiting: dict[int, float] = field(default_factory=dict)
    service_level: dict[int, float] = field(default_factory=dict)

    def _bucket(self, at: datetime) -> int:
        return int(at.timestamp()) // self.bucket_s

    def record(self, snapshot: MonitorSnapshot) -> None:
        bucket = self._bucket(snapshot.taken_at)
        self.waiting[bucket] = float(snapshot.floor.waiting)
        if snapshot.floor.service_level is not None:
            self.service_level[bucket] = snapshot.floor.service_level * 100
        self._trim(bucket)

    def add_points(self, points: Iterable[tuple[datetime, float, float | None]]) -> None:
        """Hourly points ``(hour start, waiting, service level 0..1)``: each fills its hour's buckets not yet set."""
        per_hour = 3600 // self.bucket_s
        for at, waiting, level in points:
            first = self._bucket(at)
            for bucket in range(first, first + per_hour):
                self.waiting.setdefault(bucket, float(waiting))
                if level is not None:
                    self.service_level.setdefault(bucket, level * 100)

    def _trim(self, current: int) -> None:
        oldest = current - self.span_s // self.bucket_s
        for series in (self.waiting, self.service_level):
            for bucket in [b for b in series if b < oldest]:
                del series[bucket]

    def series(self, name: str, now: datetime) -> list[float]:
        """The values of the buckets up to now, oldest first; gaps carry the previous value forward."""
        data = self.waiting if name == "waiting" else self.service_level
        current = self._bucket(now)
        values: list[float] = []
        last: float | None = None
        for bucket in range(current - self.span_s // self.bucket_s + 1, current + 1):
            if bucket in data:
                last = data[bucket]
            if last is not None:
                values.append(last)
        return values


def backfill_points(source, clock: Clock, *, tz: tzinfo, hours: int = 8,
                    lookback_s: int = 24 * 3600) -> list[tuple[datetime, float, float | None]]:
    """Waiting and service level at the top of each of the last ``hours`` hours, reconstructed from the cases.

    The store does not keep who was unassigned when, so waiting in the past is approximated by the contacts not yet
    answered or resolved at that moment, among cases created up to ``lookback_s`` before it. Service level at hour
    ``t`` is the day-so-far figure of ``t``'s day, with the same definition as the live one.
    """
    now = clock.now()
    current_hour = now.replace(minute=0, second=0, microsecond=0)
    moments = [current_hour - timedelta(hours=h) for h in range(hours, 0, -1)]
    since = min(min(day_start_utc(m, tz) for m in moments), moments[0] - timedelta(seconds=lookback_s))

    counts = reads.backfill_counts(source, moments, [day_start_utc(m, tz) for m in moments],
                                   [m - timedelta(seconds=lookback_s) for m in moments], since, now)
    return [(moment, float(waiting), within / counted if counted else None)
            for moment, (waiting, within, counted) in zip(moments, counts)]
