"""The help center's self-service figures over a period: what customers solved themselves, how many visits that
spared a contact, and what they searched for in vain.

* **Self-service resolutions**: "yes" answers to "Did this solve your problem?".
* **Deflection**: visits that answered "yes" and sent no contact form, against those visits plus the contact forms
  sent — the share of help-center visits that ended without a case.
* **Searches without results**: the help center's searches (normalised queries, no personal data) that found no
  public article, most frequent first: what the knowledge base is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from agent_console.domain.text import clean_text
from agent_console.store import help_records

TOP_SEARCHES = 10
MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class MissedSearch:
    query: str
    searches: int
    visits: int


@dataclass(frozen=True)
class SelfServiceFigures:
    start: datetime
    end: datetime
    resolutions: int
    not_solved: int
    solved_visits: int
    contact_forms: int
    searches: int
    searches_without_results: int
    top_missed: list[MissedSearch] = field(default_factory=list)

    @property
    def deflection(self) -> float | None:
        """Share of the visits that ended in "yes" among those and the contact forms; None without either."""
        total = self.solved_visits + self.contact_forms
        return self.solved_visits / total if total else None

    def as_json(self) -> dict:
        return {"since": self.start.isoformat(), "until": self.end.isoformat(), "resolutions": self.resolutions,
                "not_solved": self.not_solved, "solved_visits": self.solved_visits,
                "contact_forms": self.contact_forms, "deflection": self.deflection, "searches": self.searches,
                "searches_without_results": self.searches_without_results,
                "top_searches_without_results": [{"query": m.query, "searches": m.searches, "visits": m.visits}
                                                 for m in self.top_missed]}


def normalise_query(query: str) -> str:
    """A search as it is counted: cleaned, lower case, spaces folded, at most ``MAX_QUERY_CHARS``."""
    return re.sub(r"\s+", " ", clean_text(query or "")).strip().lower()[:MAX_QUERY_CHARS]


def record_search(session, now: datetime, query: str, hits: int, *, language: str, visit: str | None) -> None:
    normalised = normalise_query(query)
    if normalised:
        help_records.record_search(session, now, normalised, hits, language, visit or "")


def record_searches(session, searches: list[tuple[datetime, str, int, str, str | None]]) -> int:
    """Several searches (time, query, hits, language, visit) in the session at once, as :func:`record_search` does
    each; the number recorded (an empty query is not)."""
    rows = [(at, normalised, hits, language, visit or "") for at, query, hits, language, visit in searches
            if (normalised := normalise_query(query))]
    if rows:
        help_records.record_searches(session, rows)
    return len(rows)


def figures(session, start: datetime, end: datetime, *, top: int = TOP_SEARCHES) -> SelfServiceFigures:
    """The figures of ``start`` ≤ time < ``end`` (UTC)."""
    yes, no = help_records.answer_counts(session, start, end)
    searches, empty = help_records.search_counts(session, start, end)
    missed = [MissedSearch(query, count, visits)
              for query, count, visits in help_records.top_searches_without_results(session, start, end, top)]
    return SelfServiceFigures(start=start, end=end, resolutions=yes, not_solved=no,
                              solved_visits=help_records.solved_visits_without_contact(session, start, end),
                              contact_forms=help_records.contacts_between(session, start, end), searches=searches,
                              searches_without_results=empty, top_missed=missed)
