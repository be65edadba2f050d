"""Matches split between a case and one of its messages, put together at query time.

``case_fts`` indexes each fact once (``case_schema``): a case's subject, customer and ids in its head row, a message's
text in the message's row. "Moran parcel damaged" — the customer's name and two words she wrote — is in no single row;
it matches a case whose head holds some of the words and one of whose messages holds the others.

For every part of the query (a word with its variants, a phone number, the ``customer:`` filter) the cases whose head
matches it are read from the head rows (``rowid < 0``, a bounded range of the index). Each such case needs a message
that holds the parts its head does not; cases needing the same parts are looked up together, by their messages' rowids
(FTS5 seeks each of them in the words' lists). A row found so is ranked by its BM25 plus the BM25 of the head's parts
(BM25 is a sum over the query's words, so this is close to the rank of one row holding both).

A part in the heads of more than ``HEAD_CANDIDATES`` cases (a word in many subjects) does not bring candidates of its
own: it is only checked on the cases the other parts bring. A query all of whose parts are that common finds its
cases by the rows that hold every word.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

#: Cases a part's head matches up to which they are candidates of a split match (each costs a few µs).
HEAD_CANDIDATES = 2_000
_HEAD = "{subject people ids}"


@dataclass(frozen=True)
class QueryPart:
    """One part of an AND query, as an FTS5 expression; ``head_only``: it can only match a case's head row."""

    expression: str
    head_only: bool = False


def best_per_case(rows: list[tuple[int, int, float]], limit: int) -> list[tuple[int, int, float]]:
    """The ``limit`` best (case id, rowid, rank) by rank (lower is better), one per case."""
    best: dict[int, tuple[int, int, float]] = {}
    for row in rows:
        found = best.get(row[0])
        if found is None or row[2] < found[2]:
            best[row[0]] = row
    return sorted(best.values(), key=lambda row: row[2])[:limit]


def _heads(raw: sqlite3.Connection, part: QueryPart, case_ids: list[int] | None = None) -> dict[int, float]:
    """case id -> rank of the head rows matching ``part`` (among ``case_ids`` when given; else at most
    HEAD_CANDIDATES + 1 of them)."""
    match = f"{_HEAD} : ({part.expression})"
    if case_ids is None:
        rows = raw.execute("SELECT rowid, rank FROM case_fts WHERE case_fts MATCH ? AND rowid < 0 LIMIT ?",
                           (match, HEAD_CANDIDATES + 1))
    else:
        rows = raw.execute("SELECT rowid, rank FROM case_fts WHERE case_fts MATCH ? AND rowid IN "
                           "(SELECT -value FROM json_each(?))", (match, json.dumps(case_ids)))
    return {-rowid: rank for rowid, rank in rows}


def cross_rows(raw: sqlite3.Connection, parts: list[QueryPart],
               filters: tuple[str, list[Any]]) -> list[tuple[int, int, float]]:
    """(case id, message rowid, rank) of the messages that, with their case's head, hold every part, for the cases
    that pass ``filters`` (the WHERE on ``c`` of ``cases._filter_sql``)."""
    heads: list[dict[int, float] | None] = []
    for part in parts:
        found = _heads(raw, part)
        heads.append(found if len(found) <= HEAD_CANDIDATES else None)
    candidates = sorted({case_id for found in heads if found for case_id in found})
    if not candidates:
        return []
    where, params = filters
    if where:
        candidates = [case_id for (case_id,) in raw.execute(
            f"SELECT c.id FROM cases c WHERE c.id IN (SELECT value FROM json_each(?)) AND {where}",
            [json.dumps(candidates), *params])]
    for index, found in enumerate(heads):
        if found is None:  # common in heads: checked on the candidates only
            heads[index] = _heads(raw, parts[index], candidates)
    needing: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for case_id in candidates:
        missing = tuple(i for i, found in enumerate(heads) if case_id not in found)
        # Nothing missing: the head row holds every part and is found as it is.
        if missing and not any(parts[i].head_only for i in missing):
            needing[missing].append(case_id)
    rows = []
    for missing, case_ids in needing.items():
        messages = dict(raw.execute("SELECT id, case_id FROM messages WHERE case_id IN (SELECT value FROM json_each(?))",
                                    (json.dumps(case_ids),)).fetchall())
        if not messages:
            continue
        match = " AND ".join(f"{{body}} : ({parts[i].expression})" for i in missing)
        for rowid, rank in raw.execute("SELECT rowid, rank FROM case_fts WHERE case_fts MATCH ? AND rowid IN "
                                       "(SELECT value FROM json_each(?))", (match, json.dumps(list(messages)))):
            case_id = messages[rowid]
            rank += sum(found[case_id] for i, found in enumerate(heads) if i not in missing)
            rows.append((case_id, rowid, rank))
    return rows
