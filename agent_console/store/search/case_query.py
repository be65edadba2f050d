"""What the case search shares between its SQLite (``cases``) and PostgreSQL (``case_pg``) halves: the query with
its filters, the filters as SQL, the matches and their snippets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from agent_console.store.search.normalise import words
from agent_console.store.search.phones import phone_query_forms, phone_runs
from agent_console.store.search.query import MAX_QUERY_CHARS, QueryTerm
from agent_console.store.search.snippets import Snippet, TokenMatcher, _spans_for, make_snippet

#: Filter names a query may use, each as ``name:value`` (a value with spaces in double quotes).
FILTERS = ("status", "queue", "channel", "customer", "before", "after")
_FILTER = re.compile(r'(?<!\S)(' + "|".join(FILTERS) + r'):("[^"]*"|\S*)', re.IGNORECASE)
#: Queries whose rarest word is in more index rows than this list the newest matches first instead of by BM25
#: (ranking 5,000 rows costs a few ms; see scripts/bench case_search).
RANK_AT_MOST = 5_000
MAX_CASE_LIMIT = 200


class FilterError(ValueError):
    """A filter with a value that cannot be used (a date that is not a date); the message names it."""

    def __init__(self, name: str, value: str) -> None:
        super().__init__(f"{name}: needs a date like 2026-12-01, not {value!r}")
        self.name = name
        self.value = value


@dataclass(frozen=True)
class CaseQuery:
    """A query split into its free words, phone numbers and filters."""

    text: str
    phones: tuple[tuple[str, ...], ...] = ()
    statuses: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    customer: str = ""
    before: date | None = None
    after: date | None = None

    @property
    def has_filters(self) -> bool:
        return bool(self.statuses or self.queues or self.channels or self.customer or self.before or self.after)


def _date(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FilterError(name, value) from None


def parse_case_query(query: str | None) -> CaseQuery:
    """Split ``query`` into filters, phone numbers and free words. Raises FilterError for a date filter that is not
    a date; an empty filter value is ignored."""
    text = (query or "")[:MAX_QUERY_CHARS]
    values: dict[str, list[str]] = {name: [] for name in FILTERS}
    for match in _FILTER.finditer(text):
        value = match.group(2).strip('"').strip()
        if value:
            values[match.group(1).lower()].append(value)
    text = _FILTER.sub(" ", text)
    phones = []
    for start, end in reversed(phone_runs(text)):
        run = text[start:end]
        # The groups as written are a phrase too: a number that is not a phone number ("R-2026-64677") still
        # matches the words it was written as.
        groups = " ".join(words(run))
        phones.insert(0, tuple(dict.fromkeys((*phone_query_forms(run), groups))))
        text = text[:start] + " " + text[end:]
    before = min((_date("before", v) for v in values["before"]), default=None)
    after = max((_date("after", v) for v in values["after"]), default=None)
    return CaseQuery(text=text, phones=tuple(phones),
                     statuses=tuple(v.lower() for v in values["status"]),
                     queues=tuple(values["queue"]), channels=tuple(v.lower() for v in values["channel"]),
                     customer=" ".join(values["customer"]), before=before, after=after)


@dataclass(frozen=True)
class CaseMatch:
    """A case found, with where its best row matched: ``message_id`` None when the case itself matched."""

    case_id: int
    score: float
    message_id: int | None
    #: The matched words in the subject (spans into the case's subject).
    subject_spans: tuple[tuple[int, int], ...]
    #: A snippet of the best message, or of the subject when no message text matched.
    snippet: Snippet
    #: Where the best row matched: "message", "note", "subject", "customer", "key".
    matched_in: str


@dataclass
class CaseSearchResult:
    matches: list[CaseMatch]
    #: exact (every word), typo (near indexed terms), any (some words), empty (no words)
    mode: str = "exact"
    corrections: dict[str, tuple[str, ...]] = field(default_factory=dict)


def filter_sql(parsed: CaseQuery, allowed_queues: Iterable[str] | None, *, marker: str = "?",
                is_open: str = "c.is_open = 1", a_date: str = "?") -> tuple[str, list[Any]]:
    """The WHERE condition on ``c`` (the cases) and its parameters; ``marker`` is the driver's parameter mark,
    ``is_open`` the open test and ``a_date`` a date parameter in the dialect's SQL."""
    where: list[str] = []
    params: list[Any] = []

    def marks(count: int) -> str:
        return ",".join([marker] * count)

    def one_of(column: str, values: Iterable[str]) -> None:
        values = list(values)
        where.append(f"{column} IN ({marks(len(values))})")
        params.extend(values)

    if parsed.statuses:
        wanted = set(parsed.statuses)
        parts = []
        if "open" in wanted:  # "open" also means every open state (new, pending, escalated …)
            parts.append(is_open)
        if wanted:
            parts.append(f"c.status IN ({marks(len(wanted))})")
            params.extend(sorted(wanted))
        where.append("(" + " OR ".join(parts) + ")")
    if parsed.queues:
        where.append(f"lower(c.queue) IN ({marks(len(parsed.queues))})")
        params.extend(q.lower() for q in parsed.queues)
    if parsed.channels:
        one_of("c.channel", parsed.channels)
    if parsed.before:
        where.append(f"c.created_at < {a_date}")
        params.append(parsed.before.isoformat())
    if parsed.after:
        where.append(f"c.created_at >= {a_date}")
        params.append(parsed.after.isoformat())
    if allowed_queues is not None:
        one_of("c.queue", allowed_queues)
    return " AND ".join(where), params


def phone_term(forms: tuple[str, ...]) -> QueryTerm:
    return QueryTerm(forms[0], forms)


def where_matched(indexed: tuple[str, str, str, str], matcher: TokenMatcher, internal: bool | None,
                   by_phone: bool) -> str:
    subject, body, people, ids = indexed
    if body and matcher.positions(body):
        return "note" if internal else "message"
    if matcher.positions(subject):
        return "subject"
    if by_phone or matcher.positions(people):
        return "customer"
    return "key"


def case_matches(ranked: list[tuple[int, int, float]], indexed: dict[int, tuple], messages: dict[int, tuple],
                 subjects: dict[int, str], terms: list[QueryTerm], by_phone: bool) -> list[CaseMatch]:
    """The matches of the ``ranked`` (case id, best rowid, rank; lower rank is better) rows, with snippets cut from
    the original text by the rows' normalised columns (``indexed``: subject, body, people, ids by rowid)."""
    matcher = TokenMatcher.of(terms)
    found = []
    for case_id, rowid, rank in ranked:
        row_indexed = indexed.get(rowid, ("", "", "", ""))
        body, internal = messages.get(rowid, ("", None))
        subject = subjects.get(case_id, "")
        subject_spans = tuple(_spans_for(subject, matcher.positions(row_indexed[0])))
        body_positions = matcher.positions(row_indexed[1])
        if body and (body_positions or not subject_spans):
            snippet = make_snippet(body, body_positions, word_count=TokenMatcher.token_count(row_indexed[1]))
        else:
            snippet = Snippet(subject, subject_spans)
        found.append(CaseMatch(case_id=case_id, score=-rank, message_id=rowid if rowid > 0 else None,
                               subject_spans=subject_spans, snippet=snippet,
                               matched_in=where_matched(row_indexed, matcher, bool(internal) if body else None,
                                                          by_phone)))
    return found
