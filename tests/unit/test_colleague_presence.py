"""Colleagues on a case from the event stream: replying before viewing, gone when they leave or their word lapses."""

from datetime import datetime, timedelta, timezone

from agent_console.domain.presence import ColleaguePresence
from agent_console.widgets.presence_line import presence_text

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def test_who_is_on_the_case_and_what_the_header_says():
    presence = ColleaguePresence()
    presence.apply("c1", "ben", "Ben", "viewing", 30, NOW)
    presence.apply("c1", "lena", "Lena", "replying", 30, NOW)
    presence.apply("c2", "max", "Max", "viewing", 30, NOW)
    assert presence_text(presence.on_case("c1", NOW)) == "Lena is replying · Ben has this case open"
    assert presence_text(presence.on_case("c3", NOW)) == ""


def test_leaving_or_lapsing_ends_it():
    presence = ColleaguePresence()
    presence.apply("c1", "lena", "Lena", "replying", 30, NOW)
    presence.apply("c1", "ben", "Ben", "viewing", 30, NOW)
    presence.apply("c1", "ben", "Ben", "left", 0, NOW)
    assert [c.login for c in presence.on_case("c1", NOW)] == ["lena"]
    assert presence.on_case("c1", NOW + timedelta(seconds=31)) == []
    presence.apply("c1", "lena", "Lena", "viewing", 30, NOW + timedelta(seconds=20))  # renewed, now only viewing
    assert presence_text(presence.on_case("c1", NOW + timedelta(seconds=45))) == "Lena has this case open"
