"""Business hours: the SLA clock only runs while the contact center is open.

Opening and closing times are wall-clock times in the policy's zone, so a day's window follows daylight saving time:
in Europe/Berlin 08:00–18:00 is 07:00–17:00 UTC in winter and 06:00–16:00 UTC in summer, and the SLA clock stays
stopped over the night in which the clocks change. ``close`` may be ``"24:00"`` (open until midnight).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from agent_console.domain.zones import UnknownTimeZone, zone_named
from agent_console.i18n import _

#: Longest stretch searched for the next open moment: a policy closed for longer than this is refused.
_MAX_SEARCH_DAYS = 366 * 5


class BusinessHoursError(ValueError):
    """A business-hours definition that cannot be used; the message names the field."""


def _zone(name: str) -> ZoneInfo:
    try:
        return zone_named(name)
    except UnknownTimeZone as exc:
        raise BusinessHoursError(_("business hours: {problem}").format(problem=exc)) from None


def _parse_time(value: str, name: str) -> time | None:
    """``HH:MM``; ``24:00`` (only meaningful for closing) is returned as None = midnight at the end of the day."""
    if value in ("24:00", "24:00:00"):
        return None
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise BusinessHoursError(_("business hours: {name} must be HH:MM, not {value}").format(
            name=name, value=repr(value))) from None


@dataclass(frozen=True)
class BusinessHours:
    tz: str = "UTC"
    #: Weekdays open, Monday = 0.
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    open: time = time(8, 0)
    #: None means midnight at the end of the day ("24:00").
    close: time | None = time(18, 0)
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        _zone(self.tz)
        if not self.days:
            raise BusinessHoursError(_("business hours: no open weekday given"))
        if any(not isinstance(d, int) or not 0 <= d <= 6 for d in self.days):
            raise BusinessHoursError(_("business hours: days must be weekday numbers 0 (Monday) to 6, not {days}").format(
                
                days=list(self.days)))
        if self.close is not None and self.close <= self.open:
            raise BusinessHoursError(_("business hours: closing time {close} is not after opening time {open}").format(
                
                close=f"{self.close:%H:%M}", open=f"{self.open:%H:%M}"))

    @classmethod
    def parse(cls, raw: str | None) -> "BusinessHours | None":
        """From the policy's JSON; empty means around the clock (None)."""
        if not raw or not raw.strip():
            return None
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise BusinessHoursError(_("business hours: not valid JSON: {problem}").format(problem=exc)) from None
        if not isinstance(data, dict):
            raise BusinessHoursError(_("business hours: expected a JSON object"))
        holidays = []
        for value in data.get("holidays", ()):
            try:
                holidays.append(date.fromisoformat(value))
            except (TypeError, ValueError):
                raise BusinessHoursError(_("business hours: holiday {value} is not a YYYY-MM-DD date").format(
                    value=repr(value))) from None
        return cls(
            tz=data.get("tz", "UTC"),
            days=tuple(data.get("days", (0, 1, 2, 3, 4))),
            open=_parse_time(data.get("open", "08:00"), "open") or time(0, 0),
            close=_parse_time(data.get("close", "18:00"), "close"),
            holidays=frozenset(holidays),
        )

    def to_json(self) -> str:
        return json.dumps({
            "tz": self.tz, "days": list(self.days), "open": self.open.strftime("%H:%M"),
            "close": self.close.strftime("%H:%M") if self.close is not None else "24:00",
            "holidays": sorted(d.isoformat() for d in self.holidays),
        })

    def is_open_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The day's opening and closing moments in UTC (wall-clock times in the zone, so DST shifts them)."""
        zone = _zone(self.tz)
        start = datetime.combine(day, self.open, tzinfo=zone).astimezone(timezone.utc)
        if self.close is None:
            end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone).astimezone(timezone.utc)
        else:
            end = datetime.combine(day, self.close, tzinfo=zone).astimezone(timezone.utc)
        return start, end

    def is_open_at(self, moment: datetime) -> bool:
        day = moment.astimezone(_zone(self.tz)).date()
        if not self.is_open_day(day):
            return False
        start, end = self.window(day)
        return start <= moment < end

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of open time have passed after ``start``.

        Started outside the hours, the clock begins at the next opening; a target that runs out exactly at closing
        time is due at closing time (not at the next opening).
        """
        if start.tzinfo is None:
            raise ValueError(_("business hours need an aware datetime"))
        remaining = timedelta(seconds=max(0.0, seconds))
        day = start.astimezone(_zone(self.tz)).date()
        for _day in range(_MAX_SEARCH_DAYS):
            if self.is_open_day(day):
                window_start, window_end = self.window(day)
                begin = max(start, window_start)
                if begin < window_end:
                    available = window_end - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
        raise BusinessHoursError(_("business hours never open: check the policy's days and holidays"))

    def open_seconds_between(self, start: datetime, end: datetime) -> float:
        """Open time between two moments, in seconds (0 when ``end`` is not after ``start``)."""
        if end <= start:
            return 0.0
        zone = _zone(self.tz)
        total = 0.0
        # One day earlier: a window that opened the previous local day cannot reach into this one, but a start
        # just after local midnight belongs to a day whose window is checked anyway; the extra day is cheap.
        day = start.astimezone(zone).date() - timedelta(days=1)
        last = end.astimezone(zone).date()
        while day <= last:
            if self.is_open_day(day):
                window_start, window_end = self.window(day)
                lo, hi = max(start, window_start), min(end, window_end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total

    # Kept for callers of the first version.
    _is_open_day = is_open_day
    _window = window


# --- written by an admin: "Mon-Fri 08:00-18:00 Europe/Berlin" and holidays from an iCalendar file -----------------

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Words that mean "no business hours": the clock runs around the clock.
AROUND_THE_CLOCK = ("24/7", "always", "none")


def _day_number(word: str, spec: str) -> int:
    key = word.strip()[:3].capitalize()
    if key not in DAY_NAMES:
        raise BusinessHoursError(_("business hours {spec}: unknown weekday {word}; use Mon, Tue, Wed, Thu, Fri, "
                                   "Sat, Sun").format(spec=repr(spec), word=repr(word)))
    return DAY_NAMES.index(key)


def parse_spec(spec: str) -> BusinessHours | None:
    """``"Mon-Fri 08:00-18:00 Europe/Berlin"`` (days as ranges or lists, ``Mon,Wed,Fri``; close may be ``24:00``; the
    zone defaults to UTC). ``"24/7"`` means around the clock (None)."""
    text = spec.strip()
    if text.lower() in AROUND_THE_CLOCK:
        return None
    parts = text.split()
    if len(parts) not in (2, 3) or "-" not in parts[1]:
        raise BusinessHoursError(_("business hours {spec}: expected DAYS HH:MM-HH:MM [ZONE], e.g. "
                                   "'Mon-Fri 08:00-18:00 Europe/Berlin', or '24/7'").format(spec=repr(spec)))
    days: set[int] = set()
    for item in parts[0].split(","):
        if "-" in item:
            first, last = (_day_number(word, spec) for word in item.split("-", 1))
            days.update(range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)])
        else:
            days.add(_day_number(item, spec))
    opening, closing = parts[1].split("-", 1)
    return BusinessHours(tz=parts[2] if len(parts) == 3 else "UTC", days=tuple(sorted(days)),
                         open=_parse_time(opening, "open") or time(0, 0), close=_parse_time(closing, "close"),
                         holidays=frozenset())


def _day_ranges(days: tuple[int, ...]) -> str:
    groups: list[list[int]] = []
    for day in sorted(days):
        if groups and day == groups[-1][-1] + 1:
            groups[-1].append(day)
        else:
            groups.append([day])
    return ",".join(DAY_NAMES[g[0]] if len(g) == 1 else f"{DAY_NAMES[g[0]]}-{DAY_NAMES[g[-1]]}" for g in groups)


def describe(hours: BusinessHours | None) -> str:
    """The spec :func:`parse_spec` reads back: ``Mon-Fri 08:00-18:00 Europe/Berlin`` (``24/7`` for None)."""
    if hours is None:
        return "24/7"
    close = hours.close.strftime("%H:%M") if hours.close is not None else "24:00"
    return f"{_day_ranges(hours.days)} {hours.open:%H:%M}-{close} {hours.tz}"


def holidays_from_ical(data: bytes, source: str, first_year: int, last_year: int) -> frozenset[date]:
    """The days of an iCalendar file's events (VEVENT) from ``first_year`` to ``last_year``: all-day events (a
    multi-day one covers DTSTART up to, not including, DTEND), the day of a timed event, and yearly repeats (RRULE,
    e.g. FREQ=YEARLY) expanded over those years. Errors name the file."""
    import icalendar
    from dateutil.rrule import rrulestr

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        raise BusinessHoursError(_("{source}: not an iCalendar file: {problem}").format(source=source,
                                                                                        problem=exc)) from None
    lo, hi = date(first_year, 1, 1), date(last_year, 12, 31)
    found: set[date] = set()
    events = list(calendar.walk("VEVENT"))
    if not events:
        raise BusinessHoursError(_("{source}: no events (VEVENT) in the calendar").format(source=source))
    for number, event in enumerate(events, start=1):
        start_prop = event.get("DTSTART")
        if start_prop is None:
            raise BusinessHoursError(_("{source}: event {number} ({summary}) has no DTSTART").format(
                source=source, number=number, summary=event.get("SUMMARY", _("no summary"))))
        start = start_prop.dt
        start_day = start.date() if isinstance(start, datetime) else start
        end_prop = event.get("DTEND")
        end = end_prop.dt if end_prop is not None else None
        end_day = (end.date() if isinstance(end, datetime) else end) if end is not None else None
        length = max(1, (end_day - start_day).days) if end_day is not None and end_day > start_day else 1
        if isinstance(start, datetime) and end is not None and isinstance(end, datetime):
            length = max(1, (end_day - start_day).days + (1 if end.time() != time(0, 0) else 0))
        starts = [start_day]
        rule = event.get("RRULE")
        if rule is not None:
            try:
                recurrence = rrulestr(rule.to_ical().decode(), dtstart=datetime.combine(start_day, time(0, 0)),
                                      ignoretz=True)
            except (ValueError, TypeError) as exc:
                raise BusinessHoursError(_("{source}: event {number} has a repeat rule (RRULE) that cannot be read: "
                                           "{problem}").format(source=source, number=number, problem=exc)) from None
            starts = [moment.date() for moment in recurrence.between(
                datetime.combine(lo - timedelta(days=length), time(0, 0)), datetime.combine(hi, time(0, 0)),
                inc=True)]
        for first in starts:
            for offset in range(length):
                day = first + timedelta(days=offset)
                if lo <= day <= hi:
                    found.add(day)
    return frozenset(found)
