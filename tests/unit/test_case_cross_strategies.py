"""A split match (a case's head holds some words, one of its messages the others; ``case_cross``) is looked up by the
cases' tags or by reading the rows of rare words, whichever costs less: both ways find the same cases, ranked the same,
over the demo data (the quality tests' store, seed 42)."""

from __future__ import annotations

import pytest

from agent_console.store.search import case_cross, search_case_index
from tests.unit.test_case_search_quality import CASE_QUERIES, demo  # noqa: F401 — the demo store fixture

#: Split matches of words in many rows and in few, in heads and in messages.
QUERIES = [query for query, _case in CASE_QUERIES] + [
    "Reached customer", "nächste wann meine", "customer agreed Solved", "Hallo wird", "ordered arrive",
    "account getting password", "Freundliche mich", "Moran refund", "Textor Bestellung",
]

#: (ROWS_PER_TAG, HEAD_ROWS_PER_TAG, RANKED_ROWS_PER_TAG): every lookup by tags; every lookup by reading rows, the
#: rows ranked by a second pass; by reading rows, the kept cases ranked by their tags.
BY_TAGS = (0, 0, 0)
BY_ROWS_RANKED = (10**9, 10**9, 10**9)
BY_ROWS_TAGGED = (10**9, 10**9, 0)


def ranking(demo, monkeypatch, strategy) -> dict[str, list[tuple[int, float]]]:
    store, _cases = demo
    rows_per_tag, head_rows_per_tag, ranked_rows_per_tag = strategy
    monkeypatch.setattr(case_cross, "TAGGED_CASES", 10**9)
    monkeypatch.setattr(case_cross, "HEAD_CANDIDATES", 20)  # so that words common in heads occur in 2,000 cases
    monkeypatch.setattr(case_cross, "ROWS_PER_TAG", rows_per_tag)
    monkeypatch.setattr(case_cross, "HEAD_ROWS_PER_TAG", head_rows_per_tag)
    monkeypatch.setattr(case_cross, "RANKED_ROWS_PER_TAG", ranked_rows_per_tag)
    with store.session() as session:
        return {query: [(match.case_id, round(match.score, 6))
                        for match in search_case_index(session, query, limit=20, snippets=False).matches]
                for query in QUERIES}


@pytest.mark.parametrize("strategy", [BY_ROWS_RANKED, BY_ROWS_TAGGED], ids=["rows-ranked", "rows-tagged"])
def test_reading_rare_rows_finds_what_the_tags_find(demo, monkeypatch, strategy):
    by_tags = ranking(demo, monkeypatch, BY_TAGS)
    assert sum(len(found) for found in by_tags.values()) > 200
    assert ranking(demo, monkeypatch, strategy) == by_tags
