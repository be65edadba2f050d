"""Matches split between a case and one of its messages, put together at query time.

``case_fts`` indexes each fact once (``case_schema``): a case's subject, customer and ids in its head row, a message's
text in the message's row, and every row of a case carries the case's tag (``_c42``). "Moran parcel damaged" — the
customer's name and two words she wrote — is in no single row; it matches a case whose head holds some of the words
and one of whose messages holds the others.

For every part of the query (a word with its variants, a phone number, the ``customer:`` filter) the cases whose head
matches it are read from the head rows (``rowid < 0``, a bounded range of the index). Cases needing the same parts
from a message are looked up together in one MATCH: those parts in the body AND any of the cases' tags, which FTS5
answers by skipping through the words' lists to the few rows of those cases. A row found so is ranked by its BM25 plus
the BM25 of the head's parts (BM25 is a sum over the query's words, so this is close to the rank of one row holding
both; the tags weigh nothing).

Cases needing words that are in few rows are found by reading those rows; cases needing common words by their tags,
at most ``TAGGED_CASES`` of them (the best by their heads' rank). A part in the heads of more than ``HEAD_CANDIDATES`` cases (a word in many subjects) brings no candidates of its own:
it is only checked on the cases the other parts bring. A query all of whose parts are that common finds its cases by
the rows that hold every word.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
import json
import sqlite3

from agent_console.store.search.case_schema import CASE_TAG_PREFIX

#: Cases a part's head may match for them to be candidates of a split match.
HEAD_CANDIDATES = 400
#: Cases looked up by their tags in one MATCH (each tag costs FTS5 a dictionary look-up, ~20 µs): when the parts a
#: message must hold are in more rows than ``ROWS_PER_TAG`` per case, the best-ranked candidates by their heads.
#: Fewer rows are read instead (rowids only, ~0.5 µs a row; bm25 and the tag column would cost 2 and 3.5 µs more).
TAGGED_CASES = 150
ROWS_PER_TAG = 10
#: A part in at most this many index rows per candidate case has its head rows read whole (rank included,
#: ~2 µs a row) instead of being looked up by the candidates' tags.
HEAD_ROWS_PER_TAG = 10
#: Rows bm25 ranks in the time one tag is looked up.
RANKED_ROWS_PER_TAG = 10
_HEAD = "{subject people ids}"


@dataclass(frozen=True)
class QueryPart:
    """One part of an AND query, as an FTS5 expression; ``head_only``: it can only match a case's head row."""

    expression: str
    head_only: bool = False
    #: At most how many index rows hold it (from case_fts_vocab; 0 when unknown).
    rows: int = 0


def best_per_case(rows: list[tuple[int, int, float]], limit: int, *,
                  newest_first: bool = False) -> list[tuple[int, int, float]]:
    """The ``limit`` best (case id, rowid, rank) by rank (lower is better), one per case; ``newest_first`` orders
    the cases by their best row's rowid, newest first (as ``cases._case_rows`` does for very common words)."""
    best: dict[int, tuple[int, int, float]] = {}
    for row in rows:
        found = best.get(row[0])
        if found is None or row[2] < found[2]:
            best[row[0]] = row
    if newest_first:
        return sorted(best.values(), key=lambda row: -row[1])[:limit]
    return sorted(best.values(), key=lambda row: row[2])[:limit]


def _any_of(case_ids: list[int]) -> str:
    return "{case_tag} : (" + " OR ".join(f'"{CASE_TAG_PREFIX}{case_id}"' for case_id in case_ids) + ")"


def _heads(raw: sqlite3.Connection, part: QueryPart, case_ids: list[int] | None = None) -> dict[int, float]:
    """case id -> rank of the head rows matching ``part`` (among ``case_ids`` when given; else at most
    HEAD_CANDIDATES + 1 of them)."""
    match = f"{_HEAD} : ({part.expression})"
    if case_ids is None:
        rows = raw.execute("SELECT rowid, rank FROM case_fts WHERE case_fts MATCH ? AND rowid < 0 LIMIT ?",
                           (match, HEAD_CANDIDATES + 1))
    elif not case_ids:
        return {}
    elif part.rows and part.rows <= HEAD_ROWS_PER_TAG * len(case_ids):
        wanted = set(case_ids)
        return {-rowid: rank for rowid, rank in raw.execute(
            "SELECT rowid, rank FROM case_fts WHERE case_fts MATCH ? AND rowid < 0", (match,)) if -rowid in wanted}
    else:
        rows = raw.execute("SELECT rowid, rank FROM case_fts WHERE case_fts MATCH ? AND rowid < 0",
                           (f"{match} AND {_any_of(case_ids)}",))
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
        body = " AND ".join(f"{{body}} : ({parts[i].expression})" for i in missing)
        body_rows = min(parts[i].rows or 1_000_000 for i in missing)
        if body_rows > ROWS_PER_TAG * len(case_ids):
            # Few cases, common words: the cases' tags lead (the best by their heads when there are many).
            case_ids.sort(key=lambda case_id: sum(found.get(case_id, 0.0) for found in heads))
            found_rows = _tagged_rows(raw, body, case_ids[:TAGGED_CASES])
        else:
            found_rows = _rows_of_cases(raw, body, case_ids)
        for case_id, rowid, rank in found_rows:
            rank += sum(found[case_id] for i, found in enumerate(heads) if i not in missing)
            rows.append((case_id, rowid, rank))
    return rows


def _tagged_rows(raw: sqlite3.Connection, body: str, case_ids: list[int]) -> list[tuple[int, int, float]]:
    """(case id, rowid, rank) of the message rows of ``case_ids`` matching ``body``, found by the cases' tags."""
    if not case_ids:
        return []
    return [(int(tag[len(CASE_TAG_PREFIX):]), rowid, rank) for rowid, rank, tag in raw.execute(
        "SELECT rowid, rank, case_tag FROM case_fts WHERE case_fts MATCH ? AND rowid > 0",
        (f"{body} AND {_any_of(case_ids)}",))]


def _rows_of_cases(raw: sqlite3.Connection, body: str, case_ids: list[int]) -> list[tuple[int, int, float]]:
    """The same, found by reading the rowids of every row matching ``body`` (words in few rows) and keeping those
    of the cases' messages; only the rows kept are ranked."""
    case_of = dict(raw.execute("SELECT id, case_id FROM messages WHERE case_id IN (SELECT value FROM json_each(?))",
                               (json.dumps(case_ids),)))
    rowids = [rowid for (rowid,) in raw.execute("SELECT rowid FROM case_fts WHERE case_fts MATCH ? AND rowid > 0",
                                                (body,))]
    matching = {rowid for rowid in rowids if rowid in case_of}
    if not matching:
        return []
    kept = sorted({case_of[rowid] for rowid in matching})
    if len(kept) * RANKED_ROWS_PER_TAG > len(rowids):
        # Ranking every matching row costs less than looking up this many tags.
        return [(case_of[rowid], rowid, rank) for rowid, rank in raw.execute(
            "SELECT rowid, rank FROM case_fts WHERE case_fts MATCH ? AND rowid > 0", (body,)) if rowid in matching]
    return _tagged_rows(raw, body, kept)
