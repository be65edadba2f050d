"""Case search (issue #21 point 5) on the demo store (100,000 cases, --quick 5,000): query latency for 1–3-word
queries with snippets, what the index costs a bulk import (built once at its end) and each single write (triggers),
and tantivy — a Rust engine with German and English stemmers — as the reference on the same corpus and queries."""

from __future__ import annotations

import random
import re
import time
from datetime import datetime, timezone

from bench.core import BenchContext, Result, benchmark, summarise

_WORD = re.compile(r"[^\W\d_]{4,}")


def make_case_queries(store, n: int, seed: int = 21) -> list[str]:
    """What agents type: 1–3 words of a customer's message, a customer's surname with a word, a phone number."""
    from sqlalchemy import text

    rng = random.Random(seed)
    with store.session() as session:
        conn = session.connection()
        top = conn.execute(text("SELECT max(id) FROM messages")).scalar() or 0
        ids = rng.sample(range(1, top + 1), min(n, top))
        rows = conn.execute(text(
            "SELECT m.body, cu.name, cu.phone FROM messages m JOIN cases c ON c.id = m.case_id "
            f"JOIN customers cu ON cu.id = c.customer_id WHERE m.id IN ({','.join(map(str, ids))})")).all()
    queries = []
    for body, name, phone in rows:
        words = _WORD.findall(body)
        kind = rng.random()
        if kind < 0.1 and phone:
            queries.append(f"{phone[:3]} {phone[3:6]} {phone[6:]}")
        elif kind < 0.3 and words:
            queries.append(f"{name.split()[-1]} {rng.choice(words)}")
        elif words:
            queries.append(" ".join(rng.sample(words, min(len(words), rng.choice((1, 2, 2, 3))))))
    return queries


def _timed(fn, queries) -> tuple[list[float], int]:
    samples, found = [], 0
    for q in queries:
        t0 = time.perf_counter()
        found += bool(fn(q))
        samples.append((time.perf_counter() - t0) * 1000)
    return samples, found


def _single_writes(store, count: int) -> list[float]:
    """Milliseconds per message written in a transaction of its own (an agent's reply, a pulled change)."""
    from sqlalchemy import text

    samples = []
    with store.session() as session:
        case_ids = [row[0] for row in session.connection().execute(text("SELECT id FROM cases LIMIT :n"), {"n": count})]
    for i, case_id in enumerate(case_ids):
        t0 = time.perf_counter()
        with store.transaction() as session:
            session.connection().exec_driver_sql(
                "INSERT INTO messages (uid, case_id, direction, channel, author_name, body, is_internal, created_at) "
                "VALUES (?, ?, 'in', 'email', '', ?, 0, '2026-11-23 09:00:00.000000')",
                (f"bench-write-{time.monotonic_ns()}-{i}", case_id,
                 "Guten Tag, meine Rechnung für die Bestellung stimmt nicht, bitte prüfen Sie die Abbuchung."))
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def _tantivy_reference(store, limit: int):
    """tantivy over the same text as case_fts (subject, people and body in one document per message), German and
    English stems."""
    from sqlalchemy import text

    from bench.tantivy_ref import stemmed_index

    with store.session() as session:
        rows = session.connection().execute(text(
            "SELECT c.language, c.subject, cu.name || ' ' || coalesce(cu.email, ''), m.body FROM messages m "
            "JOIN cases c ON c.id = m.case_id JOIN customers cu ON cu.id = c.customer_id")).all()
    build_ms, search = stemmed_index(("subject", "people", "body"), (
        (language, {"subject": subject, "people": people, "body": body}) for language, subject, people, body in rows))
    return build_ms, lambda q, snippets=True: search(q, limit, snippets)


@benchmark("case_search", "Case search on the 100k-case demo store (--cases N): p50/p99, index cost on import and "
                          "per write, vs tantivy")
def run(ctx: BenchContext):
    from agent_console.admin.seed import seed_demo
    from agent_console.domain.clock import FrozenClock
    from agent_console.store import search
    from agent_console.store.db import open_store

    n = ctx.cases or ctx.size(100_000, 5_000)
    store = open_store(ctx.workdir / "cases.db")
    t0 = time.perf_counter()
    seed_demo(store, FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)), customers=max(300, n * 3 // 20),
              cases=n, kb=0)
    seed_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    with store.transaction() as session:
        cursor = session.connection().connection.driver_connection.cursor()
        rows = search.fill_case_index(cursor)
    build_ms = (time.perf_counter() - t0) * 1000
    yield Result(f"case_search: import {n:,} demo cases (index built once at the end)", seed_ms,
                 baseline=seed_ms - build_ms, baseline_label="the same import without the case index",
                 note=f"the index ({rows:,} rows) costs {build_ms / 1000:.1f} s, "
                      f"{100 * build_ms / max(1.0, seed_ms - build_ms):.0f} % of the import without it")

    queries = make_case_queries(store, 60 if ctx.quick else 200)
    with store.session() as session:
        for q in queries[:5]:  # a running console's page cache
            search.search_case_index(session, q, limit=20)
        samples, found = _timed(lambda q: search.search_case_index(session, q, limit=20).matches, queries)
        bare, _ = _timed(lambda q: search.search_case_index(session, q, limit=20, snippets=False).matches, queries)
    p50, p99 = summarise(samples)
    bare_p50, bare_p99 = summarise(bare)

    reference = None
    try:
        tantivy_build_ms, tantivy_search = _tantivy_reference(store, 20)
        for q in queries[:5]:
            tantivy_search(q)
        reference, tantivy_found = _timed(tantivy_search, queries)
        reference_bare, _ = _timed(lambda q: tantivy_search(q, snippets=False), queries)
    except ImportError:
        pass
    if reference is not None:
        ref_p50, ref_p99 = summarise(reference)
        yield Result("case_search: query p50 (20 cases, snippets)", p50, target=10, baseline=ref_p50,
                     baseline_label="tantivy p50, snippets", samples=len(samples),
                     note=f"{found}/{len(queries)} queries found cases (tantivy {tantivy_found}); tantivy built its "
                          f"index in {tantivy_build_ms / 1000:.1f} s (outside the store's transactions)")
        yield Result("case_search: query p99", p50, p99=p99, target=50, target_on="p99", baseline=ref_p99,
                     baseline_label="tantivy p99, snippets", samples=len(samples))
        ref_bare_p50, ref_bare_p99 = summarise(reference_bare)
        yield Result("case_search: query p50 without snippets (ranking alone)", bare_p50, baseline=ref_bare_p50,
                     baseline_label="tantivy p50, no snippets", samples=len(bare))
        yield Result("case_search: query p99 without snippets", bare_p50, p99=bare_p99, baseline=ref_bare_p99,
                     baseline_label="tantivy p99, no snippets", samples=len(bare))
    else:
        yield Result("case_search: query p50 (20 cases, snippets)", p50, target=10, samples=len(samples),
                     note="tantivy not installed: no reference")
        yield Result("case_search: query p99", p50, p99=p99, target=50, target_on="p99", samples=len(samples))
        yield Result("case_search: query p50 without snippets (ranking alone)", bare_p50, p99=bare_p99,
                     samples=len(bare))

    count = 60 if ctx.quick else 300
    with_index = _single_writes(store, count)
    with store.transaction() as session:
        for statement in search.CASE_DROP_STATEMENTS:
            if statement.startswith("DROP TRIGGER"):
                session.connection().exec_driver_sql(statement)
    without_index = _single_writes(store, count)
    write_p50, _ = summarise(with_index)
    bare_p50, _ = summarise(without_index)
    yield Result("case_search: one message written (own transaction)", write_p50, baseline=bare_p50,
                 baseline_label="without the case index's triggers", samples=count)
    store.dispose()
