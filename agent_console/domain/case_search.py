"""One search over every case: the store's index (``store.search.cases``) with each case's queue row and its SLA
state at ``now`` (``sla.row_countdown``, the one rule) — what the console, ``case search`` and the server show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from agent_console.domain.sla import Countdown, row_countdown
from agent_console.store.search.case_query import CaseSearchResult, FilterError  # noqa: F401
from agent_console.store.search.cases import search_case_index
from agent_console.store.search.snippets import Snippet


@dataclass(frozen=True)
class CaseSearchHit:
    case_id: int
    key: str
    subject: str
    subject_spans: tuple[tuple[int, int], ...]
    status: str
    queue: str
    channel: str
    priority: str
    customer: str
    assignee: str | None
    created_at: datetime | None
    sla: Countdown
    snippet: Snippet
    #: message, note, subject, customer or key
    matched_in: str
    message_id: int | None
    score: float

    def as_dict(self) -> dict:
        return {
            "key": self.key, "subject": self.subject, "status": self.status, "queue": self.queue,
            "channel": self.channel, "priority": self.priority, "customer": self.customer,
            "assignee": self.assignee, "created_at": self.created_at.isoformat() if self.created_at else None,
            "sla_state": str(self.sla.state), "sla_remaining_s": self.sla.remaining_s, "sla_target": self.sla.target,
            "matched_in": self.matched_in, "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.spans],
            "subject_highlights": [list(span) for span in self.subject_spans], "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class CaseSearch:
    hits: list[CaseSearchHit]
    #: exact, typo, any or empty (see ``store.search.cases.CaseSearchResult``)
    mode: str
    corrections: dict[str, tuple[str, ...]]

    def as_dict(self, query: str) -> dict:
        return {"query": query, "mode": self.mode,
                "corrections": {word: list(terms) for word, terms in self.corrections.items()},
                "results": [hit.as_dict() for hit in self.hits]}


def describe_filter_error(error: FilterError) -> str:
    """The message shown for a filter that cannot be used, in the interface language."""
    from agent_console.i18n import _

    return _("{filter}: needs a date like 2026-12-01, not “{value}”").format(filter=error.name, value=error.value)


def search_cases(session: Any, query: str | None, now: datetime, *, limit: int = 20,
                 allowed_queues: Iterable[str] | None = None, prefix_last: bool = False) -> CaseSearch:
    """The best cases for ``query`` that are in ``allowed_queues`` (None: any queue), with their SLA state at
    ``now``. Raises FilterError for a filter that cannot be used (the message says which)."""
    from agent_console.store import queries

    result = search_case_index(session, query, limit=limit, allowed_queues=allowed_queues, prefix_last=prefix_last)
    rows = queries.queue_rows(session, [match.case_id for match in result.matches])
    policies = queries.all_policies(session) if rows else {}
    hits = []
    for match in result.matches:
        row = rows.get(match.case_id)
        if row is None:
            continue
        hits.append(CaseSearchHit(
            case_id=match.case_id, key=row["key"], subject=row["subject"], subject_spans=match.subject_spans,
            status=row["status"], queue=row["queue"], channel=row["channel"], priority=row["priority"],
            customer=row["customer_name"], assignee=row["assignee_login"], created_at=row["created_at"],
            sla=row_countdown(row, policies, now), snippet=match.snippet, matched_in=match.matched_in,
            message_id=match.message_id, score=match.score))
    return CaseSearch(hits, result.mode, dict(result.corrections))


def search_store(store, query: str | None, now: datetime, *, limit: int = 20, prefix_last: bool = False) -> CaseSearch:
    """:func:`search_cases` in a read session of its own (the console's search screen, in a worker thread)."""
    with store.session() as session:
        return search_cases(session, query, now, limit=limit, prefix_last=prefix_last)
