"""``agent-console sla list | set | remove``: targets as 90s / 4h / 3d, business hours as an admin writes them,
holidays from an iCalendar file — and the due times of new cases follow them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from agent_console.domain.cases import CaseService
from agent_console.domain.clock import FrozenClock

#: Public holidays of the German state of Berlin, as a calendar export has them: yearly repeats, a two-day event
#: (Christmas) and one that moves every year (Good Friday, listed once).
BERLIN_ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//Feiertage Berlin//DE
BEGIN:VEVENT
UID:neujahr@test
DTSTART;VALUE=DATE:20260101
DTEND;VALUE=DATE:20260102
RRULE:FREQ=YEARLY
SUMMARY:Neujahr
END:VEVENT
BEGIN:VEVENT
UID:frauentag@test
DTSTART;VALUE=DATE:20260308
RRULE:FREQ=YEARLY
SUMMARY:Internationaler Frauentag
END:VEVENT
BEGIN:VEVENT
UID:karfreitag-2026@test
DTSTART;VALUE=DATE:20260403
DTEND;VALUE=DATE:20260404
SUMMARY:Karfreitag
END:VEVENT
BEGIN:VEVENT
UID:einheit@test
DTSTART;VALUE=DATE:20261003
DTEND;VALUE=DATE:20261004
RRULE:FREQ=YEARLY;UNTIL=20271231T000000Z
SUMMARY:Tag der Deutschen Einheit
END:VEVENT
BEGIN:VEVENT
UID:weihnachten@test
DTSTART;VALUE=DATE:20261225
DTEND;VALUE=DATE:20261227
RRULE:FREQ=YEARLY
SUMMARY:Weihnachten
END:VEVENT
END:VCALENDAR
"""

BERLIN_HOURS = "Mon-Fri 08:00-18:00 Europe/Berlin"


def policies(cli) -> dict[tuple[str, str | None], dict]:
    result = cli("sla", "list", "--json")
    assert result.exit_code == 0, result.output
    return {(p["channel"], p["priority"]): p for p in json.loads(result.output)}


def test_set_list_and_remove_policies(cli, store):
    empty = cli("sla", "list")
    assert "no SLA policies" in empty.output
    result = cli("sla", "set", "email", "--first-response", "90s", "--next-update", "1h30m", "--resolution", "3d",
                 "--at-risk", "75%")
    assert result.exit_code == 0, result.output
    assert "email default: first response 90s, next update 1h30m, resolution 3d, 24/7" in result.output
    urgent = cli("sla", "set", "email", "--priority", "urgent", "--first-response", "15m")
    assert urgent.exit_code == 0, urgent.output
    listed = policies(cli)
    email = listed[("email", None)]
    assert (email["first_response_s"], email["next_update_s"], email["resolution_s"], email["at_risk_fraction"],
            email["business_hours"]) == (90, 5400, 259200, 0.75, "24/7")
    # A new priority policy starts from the default set's urgent targets (docs/sla.md) and changes what was given.
    assert (listed[("email", "urgent")]["first_response_s"], listed[("email", "urgent")]["resolution_s"]) == \
        (900, 18 * 3600)

    hours = cli("sla", "set", "email", "--priority", "all", "--hours", BERLIN_HOURS)
    assert hours.exit_code == 0, hours.output
    assert {p["business_hours"] for p in policies(cli).values()} == {BERLIN_HOURS}

    assert cli("sla", "remove", "email", "--priority", "urgent").exit_code == 0
    assert set(policies(cli)) == {("email", None)}
    gone = cli("sla", "remove", "email", "--priority", "urgent")
    assert gone.exit_code == 1 and "no SLA policy for email urgent" in gone.output


def test_bad_values_are_named(cli, store, tmp_path):
    cases = {
        ("--first-response", "90"): "--first-response: '90' is not a duration; use e.g. 90s, 15m, 4h, 3d",
        ("--resolution", "3 weeks"): "--resolution: '3 weeks' is not a duration",
        ("--at-risk", "120%"): "--at-risk: '120%' must lie between 0 and 100 %",
        ("--hours", "Mon-Fry 08:00-18:00"): "unknown weekday 'Fry'",
        ("--hours", "Mon-Fri 8-18"): "open must be HH:MM, not '8'",
        ("--hours", "Mon-Fri 08:00-18:00 Mars/Olympus"): "unknown time zone 'Mars/Olympus'",
        ("--hours", "Mon-Fri 18:00-08:00 UTC"): "closing time 08:00 is not after opening time 18:00",
        ("--resolution", "30m"): "the resolution target (30m) is shorter than the first response (4h)",
    }
    for (option, value), message in cases.items():
        result = cli("sla", "set", "email", option, value)
        assert result.exit_code == 1, (option, value)
        assert message in result.output, (option, value, result.output)
    assert "unknown channel 'fax'" in cli("sla", "set", "fax", "--first-response", "1h").output
    assert "unknown priority 'asap'" in cli("sla", "set", "email", "--priority", "asap").output

    ics = tmp_path / "berlin.ics"
    ics.write_text(BERLIN_ICS, encoding="utf-8")
    around_the_clock = cli("sla", "set", "chat", "--holidays", str(ics))
    assert around_the_clock.exit_code == 1 and "holidays only count under business hours" in around_the_clock.output
    not_ical = tmp_path / "holidays.ics"
    not_ical.write_text("2026-12-25\n", encoding="utf-8")
    broken = cli("sla", "set", "email", "--hours", BERLIN_HOURS, "--holidays", str(not_ical))
    assert broken.exit_code == 1 and f"{not_ical}: " in broken.output
    missing = cli("sla", "set", "email", "--hours", BERLIN_HOURS, "--holidays", str(tmp_path / "none.ics"))
    assert missing.exit_code == 1 and "cannot read the holidays file" in missing.output
    assert policies(cli) == {}  # nothing was written by any of these


def test_a_case_created_the_day_before_a_holiday_is_due_after_it(cli, store, tmp_path, agents):
    ics = tmp_path / "berlin.ics"
    ics.write_text(BERLIN_ICS, encoding="utf-8")
    result = cli("sla", "set", "email", "--first-response", "4h", "--hours", BERLIN_HOURS, "--holidays", str(ics),
                 "--holiday-years", "2026-2027")
    assert result.exit_code == 0, result.output
    holidays = set(policies(cli)[("email", None)]["holidays"])
    assert {"2026-01-01", "2027-01-01", "2026-03-08", "2027-03-08", "2026-04-03", "2026-10-03", "2027-10-03",
            "2026-12-25", "2026-12-26", "2027-12-25", "2027-12-26"} == holidays

    # Thursday 24 December 2026, 17:00 in Berlin: one hour today, Friday the 25th is a holiday, then the weekend;
    # the remaining three hours run on Monday the 28th from 08:00: due at 11:00 Berlin = 10:00 UTC.
    clock = FrozenClock(datetime(2026, 12, 24, 16, 0, tzinfo=timezone.utc))
    case = CaseService(store, clock, agents["anna"]).create_case(
        customer="carla@example.com", channel="email", queue="Billing", subject="Invoice", body="Twice")
    assert case.first_response_due == datetime(2026, 12, 28, 10, 0, tzinfo=timezone.utc)

    cli("sla", "set", "email", "--no-holidays")
    without = CaseService(store, clock, agents["anna"]).create_case(
        customer="dora@example.com", channel="email", queue="Billing", subject="Invoice", body="Twice")
    assert without.first_response_due == datetime(2026, 12, 25, 10, 0, tzinfo=timezone.utc)


def test_db_init_installs_the_default_policies_for_every_priority(cli, store_path, clock, agents):
    result = cli("db", "init")
    assert result.exit_code == 0 and "21 default SLA policies" in result.output
    listed = policies(cli)
    assert len(listed) == 21
    assert listed[("email", "urgent")]["first_response_s"] == 2 * 3600
    assert listed[("phone", None)]["first_response_s"] == 90
    from agent_console.store.db import open_store

    store = open_store(store_path)
    try:
        case = CaseService(store, clock, agents["anna"]).create_case(
            customer="carla@example.com", channel="email", queue="Billing", subject="Down", body="Everything",
            priority="urgent")
    finally:
        store.dispose()
    assert case.first_response_due == clock.now() + timedelta(hours=2)
    again = cli("db", "init")
    assert "default SLA policies" not in again.output  # an existing store keeps its own policies
