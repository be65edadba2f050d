"""Business hours: the SLA clock stops outside them, across weekends, holidays and DST changes (Europe/Berlin)."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest
from hypothesis import given, settings, strategies as st

from agent_console.domain.business_hours import BusinessHours, BusinessHoursError

UTC = timezone.utc
HOUR = 3600
BERLIN_WEEKDAYS = BusinessHours(tz="Europe/Berlin", days=(0, 1, 2, 3, 4), open=time(8), close=time(18))
BERLIN_EVERY_DAY = BusinessHours(tz="Europe/Berlin", days=tuple(range(7)), open=time(8), close=time(18))
BERLIN_AROUND_THE_CLOCK = BusinessHours.parse(
    '{"tz": "Europe/Berlin", "days": [0,1,2,3,4,5,6], "open": "00:00", "close": "24:00"}')


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_clock_stops_over_a_winter_weekend():
    # Friday 27 Nov 2026 17:00 in Berlin (CET, UTC+1) = 16:00 UTC; 2 h of open time: 1 h on Friday, 1 h on Monday.
    due = BERLIN_WEEKDAYS.add(utc(2026, 11, 27, 16), 2 * HOUR)
    assert due == utc(2026, 11, 30, 8)  # Monday 09:00 CET
    assert BERLIN_WEEKDAYS.open_seconds_between(utc(2026, 11, 27, 16), due) == 2 * HOUR


def test_a_weekend_with_the_spring_dst_change_is_not_counted():
    # Clocks go forward on Sunday 29 March 2026. Friday 17:00 CET = 16:00 UTC; Monday opens at 08:00 CEST = 06:00
    # UTC, so one hour on Monday is due at 07:00 UTC (a fixed-offset computation would say 08:00 UTC).
    due = BERLIN_WEEKDAYS.add(utc(2026, 3, 27, 16), 2 * HOUR)
    assert due == utc(2026, 3, 30, 7)
    assert BERLIN_WEEKDAYS.open_seconds_between(utc(2026, 3, 27, 16), utc(2026, 3, 30, 7)) == 2 * HOUR


def test_opening_hours_follow_the_wall_clock_on_the_dst_sundays():
    # Sunday 29 March: 08:00–18:00 CEST = 06:00–16:00 UTC (the day before: 07:00–17:00 UTC).
    assert BERLIN_EVERY_DAY.window(date(2026, 3, 28)) == (utc(2026, 3, 28, 7), utc(2026, 3, 28, 17))
    assert BERLIN_EVERY_DAY.window(date(2026, 3, 29)) == (utc(2026, 3, 29, 6), utc(2026, 3, 29, 16))
    assert BERLIN_EVERY_DAY.add(utc(2026, 3, 28, 16), 2 * HOUR) == utc(2026, 3, 29, 7)
    # Sunday 25 October: back to CET; 08:00 is 07:00 UTC again.
    assert BERLIN_EVERY_DAY.window(date(2026, 10, 25)) == (utc(2026, 10, 25, 7), utc(2026, 10, 25, 17))
    assert BERLIN_EVERY_DAY.add(utc(2026, 10, 24, 15), 2 * HOUR) == utc(2026, 10, 25, 8)


def test_around_the_clock_hours_count_the_23_and_25_hour_days():
    spring_day = BERLIN_AROUND_THE_CLOCK.window(date(2026, 3, 29))
    autumn_day = BERLIN_AROUND_THE_CLOCK.window(date(2026, 10, 25))
    assert (spring_day[1] - spring_day[0]).total_seconds() == 23 * HOUR
    assert (autumn_day[1] - autumn_day[0]).total_seconds() == 25 * HOUR
    assert BERLIN_AROUND_THE_CLOCK.open_seconds_between(*autumn_day) == 25 * HOUR
    # 24:00 continues into the next day's 00:00 without a gap.
    assert BERLIN_AROUND_THE_CLOCK.add(utc(2026, 10, 24, 21), 3 * HOUR) == utc(2026, 10, 25, 0)


def test_holidays_are_closed():
    hours = BusinessHours.parse('{"tz": "Europe/Berlin", "days": [0,1,2,3,4], "open": "08:00", "close": "18:00",'
                                ' "holidays": ["2026-12-24", "2026-12-25"]}')
    # Wednesday 23 Dec 17:00 CET + 2 h: 1 h on Wednesday, then Thursday and Friday are holidays, so Monday 09:00.
    assert hours.add(utc(2026, 12, 23, 16), 2 * HOUR) == utc(2026, 12, 28, 8)


def test_start_outside_hours_begins_at_the_next_opening_and_a_target_may_end_at_closing_time():
    assert BERLIN_WEEKDAYS.add(utc(2026, 11, 28, 12), 0) == utc(2026, 11, 30, 7)  # Saturday -> Monday 08:00 CET
    assert BERLIN_WEEKDAYS.add(utc(2026, 11, 23, 7), 10 * HOUR) == utc(2026, 11, 23, 17)
    assert BERLIN_WEEKDAYS.is_open_at(utc(2026, 11, 23, 16, 59))
    assert not BERLIN_WEEKDAYS.is_open_at(utc(2026, 11, 23, 17))


@pytest.mark.parametrize("raw, message", [
    ('{"tz": "Europe/Nowhere"}', "unknown time zone"),
    ('{"open": "18:00", "close": "08:00"}', "not after opening time"),
    ('{"open": "8 o\'clock"}', "open must be HH:MM"),
    ('{"days": [1, 9]}', "weekday numbers"),
    ('{"days": []}', "no open weekday"),
    ('{"holidays": ["24.12.2026"]}', "not a YYYY-MM-DD date"),
    ("{not json", "not valid JSON"),
])
def test_bad_definitions_are_refused_with_the_field_named(raw, message):
    with pytest.raises(BusinessHoursError, match=message):
        BusinessHours.parse(raw)


def test_empty_means_around_the_clock_and_json_round_trips():
    assert BusinessHours.parse("") is None
    assert BusinessHours.parse(BERLIN_AROUND_THE_CLOCK.to_json()) == BERLIN_AROUND_THE_CLOCK
    assert BusinessHours.parse(BERLIN_WEEKDAYS.to_json()) == BERLIN_WEEKDAYS


@settings(max_examples=150, deadline=None)
@given(start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)),
       seconds=st.integers(min_value=0, max_value=30 * 10 * HOUR))
def test_open_time_until_the_due_time_is_the_target(start, seconds):
    due = BERLIN_WEEKDAYS.add(start, seconds)
    assert abs(BERLIN_WEEKDAYS.open_seconds_between(start, due) - seconds) < 1e-6
    assert due >= start


# --- as an admin writes them: "Mon-Fri 08:00-18:00 Europe/Berlin" and an iCalendar file of holidays ---------------


def test_business_hours_spec_reads_and_writes_back():
    from agent_console.domain.business_hours import describe, parse_spec

    hours = parse_spec("Mon-Fri 08:00-18:00 Europe/Berlin")
    assert (hours.tz, hours.days, hours.open, hours.close) == ("Europe/Berlin", (0, 1, 2, 3, 4), time(8), time(18))
    assert describe(hours) == "Mon-Fri 08:00-18:00 Europe/Berlin"
    weekend_shift = parse_spec("mon,wed,Sat-Sun 10:00-24:00")
    assert weekend_shift.days == (0, 2, 5, 6) and weekend_shift.close is None and weekend_shift.tz == "UTC"
    assert describe(weekend_shift) == "Mon,Wed,Sat-Sun 10:00-24:00 UTC"
    assert parse_spec("Fri-Mon 09:00-17:00 UTC").days == (0, 4, 5, 6)
    assert parse_spec("24/7") is None and describe(None) == "24/7"
    with pytest.raises(BusinessHoursError, match="expected DAYS HH:MM-HH:MM"):
        parse_spec("weekdays")


def _calendar(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\nUID:{i}@test\r\n{e}END:VEVENT\r\n" for i, e in enumerate(events))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{body}END:VCALENDAR\r\n".encode()


def test_holidays_from_an_icalendar_file():
    from agent_console.domain.business_hours import holidays_from_ical

    data = _calendar(
        "DTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Xmas\r\n",
        "DTSTART;VALUE=DATE:20260501\r\nSUMMARY:Labour day (no DTEND: one day)\r\n",
        "DTSTART:20260615T090000Z\r\nDTEND:20260615T120000Z\r\nSUMMARY:Staff meeting (timed)\r\n",
        "DTSTART;VALUE=DATE:20251231\r\nDTEND;VALUE=DATE:20260102\r\nSUMMARY:Across the new year\r\n",
    )
    days = holidays_from_ical(data, "holidays.ics", 2026, 2027)
    assert days == {date(2026, 12, 25), date(2026, 12, 26), date(2027, 12, 25), date(2027, 12, 26),
                    date(2026, 5, 1), date(2026, 6, 15), date(2026, 1, 1)}
    with pytest.raises(BusinessHoursError, match="holidays.ics: no events"):
        holidays_from_ical(_calendar(), "holidays.ics", 2026, 2026)
    with pytest.raises(BusinessHoursError, match="holidays.ics: not an iCalendar file"):
        holidays_from_ical(b"25.12.2026 Weihnachten\n", "holidays.ics", 2026, 2026)
    with pytest.raises(BusinessHoursError, match="event 1 .* has no DTSTART"):
        holidays_from_ical(_calendar("SUMMARY:Nothing\r\n"), "holidays.ics", 2026, 2026)
