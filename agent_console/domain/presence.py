"""Colleagues on cases, as the console knows them from the team server's event stream: who has which case open or is
typing a reply on it, each until their announcement lapses. Plain values and an injected "now"; nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

@dataclass(frozen=True)
class ColleagueOnCase:
    login: str
    name: str
    activity: str  # viewing or replying
    until: datetime


class ColleaguePresence:
    """The latest announcement of each colleague per case; ``left`` and lapsed ones drop out."""

    def __init__(self) -> None:
        self._by_case: dict[str, dict[str, ColleagueOnCase]] = {}

    def apply(self, case_uid: str, login: str, name: str, activity: str, expires_in: float, now: datetime) -> None:
        on_case = self._by_case.setdefault(case_uid, {})
        if activity == "left" or expires_in <= 0:
            on_case.pop(login, None)
        else:
            on_case[login] = ColleagueOnCase(login, name, activity, now + timedelta(seconds=expires_in))
        if not on_case:
            del self._by_case[case_uid]

    def on_case(self, case_uid: str, now: datetime) -> list[ColleagueOnCase]:
        """Colleagues on the case now: those replying first, then by name."""
        current = [c for c in self._by_case.get(case_uid, {}).values() if c.until > now]
        return sorted(current, key=lambda c: (c.activity != "replying", c.name))
