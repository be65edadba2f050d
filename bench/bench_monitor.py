"""Live monitor: one full refresh of every figure on a store with 1,000,000 cases and 500 agents (target < 50 ms).

The store is bulk-loaded with plain Core inserts (the demo seeder is too slow for a million cases): a year of cases,
the recent ones mostly open, a few percent of old ones stuck open; handling segments and surveys for the last 30
days; follow-ups; 500 agents in every state. Indexes are dropped during the load and rebuilt after it, as an import
would do; no ANALYZE is run, so the planner sees what a real store gives it. Before each measured refresh another
connection commits a change, as on a live floor: the monitor's kept connection then starts from an emptied page cache.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.core import BenchContext, Result, benchmark, summarise

NOW = datetime(2026, 11, 23, 14, 30, tzinfo=timezone.utc)
CHANNELS = (("email", 40), ("phone", 25), ("chat", 20), ("web", 8), ("social", 4), ("messenger", 2), ("onsite", 1))
STATES = (("available", 30), ("handling", 40), ("wrap_up", 10), ("break", 8), ("offline", 12))


class _Stamp:
    """Fast 'YYYY-MM-DD HH:MM:SS.000000' strings (the stored form of UTCDateTime on SQLite) for epoch seconds."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def __call__(self, epoch: int | None) -> str | None:
        if epoch is None:
            return None
        day, rest = divmod(epoch, 86400)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = datetime.fromtimestamp(day * 86400, timezone.utc).strftime("%Y-%m-%d")
        h, rest = divmod(rest, 3600)
        m, s = divmod(rest, 60)
        return f"{prefix} {h:02d}:{m:02d}:{s:02d}.000000"


def _weighted(rng: random.Random, table) -> list[str]:
    names = [n for n, _ in table]
    weights = [w for _, w in table]
    return rng.choices(names, weights, k=10_000)


def _raw_connection(path: Path):
    """A plain sqlite3 connection in autocommit mode that can write cases and messages: the search index's triggers
    on them call the functions registered here."""
    import sqlite3

    from agent_console.store.search.functions import register_functions

    con = sqlite3.connect(path, isolation_level=None)
    register_functions(con)
    return con


def build_store(path: Path, *, cases: int, agents: int, seed: int = 11) -> dict:
    """Create the store at ``path``; returns counts of what it holds."""
    from agent_console.domain.sla import DEFAULT_TARGETS
    from agent_console.store.db import open_store
    from agent_console.store.models import QUEUES

    store = open_store(path)
    store.dispose()
    rng = random.Random(seed)
    stamp = _Stamp()
    now = int(NOW.timestamp())
    channel_pick = _weighted(rng, CHANNELS)
    state_pick = _weighted(rng, STATES)
    con = _raw_connection(path)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = OFF")
    index_sql = [(name, sql) for name, sql in con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('cases', 'handling_segments', 'surveys', 'customers', 'follow_ups')")]
    con.execute("BEGIN")
    for name, _sql in index_sql:
        con.execute(f'DROP INDEX "{name}"')

    for channel, (first_s, next_s, resolution_s) in DEFAULT_TARGETS.items():
        con.execute("INSERT INTO sla_policies (uid, channel, priority, first_response_s, next_update_s, resolution_s, "
                    "at_risk_fraction, business_hours, service_level_goal, auto_escalate, version) "
                    "VALUES (?, ?, NULL, ?, ?, ?, 0.8, '', ?, 1, 1)",
                    (f"policy-{channel}", channel, first_s, next_s, resolution_s,
                     0.8 if channel in ("phone", "chat") else 0.9))

    agent_rows = []
    for i in range(1, agents + 1):
        role = "supervisor" if i % 50 == 0 else "agent"
        state = state_pick[i % len(state_pick)]
        agent_rows.append((i, f"agent-{i}", f"agent{i:03d}", f"Agent {i:03d}", role, 1 + i % 3,
                           QUEUES[i % len(QUEUES)] if i % 4 else "", "", state,
                           stamp(now - rng.randint(0, 3 * 3600)), 1, stamp(now - 400 * 86400), 1))
    con.executemany("INSERT INTO agents (id, uid, login, name, role, tier, queues, skills, state, state_since, active, "
                    "created_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", agent_rows)

    customers = max(1000, cases // 10)
    con.executemany("INSERT INTO customers (id, uid, name, email, phone, language, vip, created_at, version) "
                    "VALUES (?,?,?,?,NULL,'en',0,?,1)",
                    ((i, f"cust-{i}", f"Customer {i}", f"c{i}@example.com", stamp(now - 500 * 86400))
                     for i in range(1, customers + 1)))

    year = 365 * 86400
    case_rows = []
    segments = []
    surveys = []
    open_assigned: list[tuple[int, int]] = []
    open_count = 0
    for i in range(1, cases + 1):
        # Spread over a year, denser towards now (today's volume is a realistic few thousand).
        age = int(year * (rng.random() ** 1.15))
        created = now - age
        channel = channel_pick[i % len(channel_pick)]
        first_s, next_s, resolution_s = DEFAULT_TARGETS[channel]
        queue = QUEUES[rng.randrange(len(QUEUES))]
        priority = "normal" if rng.random() < 0.7 else rng.choice(("urgent", "high", "low"))
        is_open = rng.random() < (0.85 if age < 3 * 86400 else 0.03)
        assignee = rng.randint(1, agents) if (not is_open or rng.random() < 0.6) else None
        answered = (not is_open) or rng.random() < 0.7
        first_at = min(now, created + int(first_s * rng.uniform(0.1, 1.4))) if answered else None
        first_due = created + first_s
        resolution_due = created + resolution_s
        resolved = None
        status = "resolved"
        escalation = 0
        next_due = None
        if is_open:
            open_count += 1
            status = rng.choice(("new", "open", "open", "pending", "escalated")) if assignee else "new"
            if assignee is None:
                status = "new" if first_at is None else rng.choice(("open", "pending"))
            escalation = 1 if status == "escalated" else 0
            if first_at is not None and rng.random() < 0.2:
                next_due = now + rng.randint(-3600, next_s)
            running = [d for d in (first_due if first_at is None else None, next_due,
                                   resolution_due if status != "pending" else None) if d is not None]
            sla_due = min(running) if running else None
            if assignee is not None:
                open_assigned.append((i, assignee))
        else:
            resolved = min(now, max(first_at or created, created + int(resolution_s * rng.uniform(0.05, 1.2))))
            sla_due = None
        case_rows.append((
            i, f"case-{i}", f"AC-{i:07d}", f"Subject {i}", 1 + i % customers, channel, queue, priority, status,
            1 if is_open else 0, 1 + (escalation and 1), assignee, "en", "", 1 if rng.random() < 0.75 else 2,
            stamp(created), stamp(created), stamp(first_at), stamp(created), stamp(resolved), 0,
            stamp(first_due), stamp(next_due), stamp(resolution_due), stamp(sla_due),
            stamp(now - 600) if status == "pending" else None, 0.0, 0, escalation, 1,
        ))
        if resolved is not None and age < 30 * 86400:
            handle = rng.randint(60, 900)
            start = max(created, resolved - handle - 30)
            segments.append((f"seg-{i}-h", i, assignee, "handle", stamp(start), stamp(start + handle),
                             stamp(start + handle), "resolved"))
            segments.append((f"seg-{i}-w", i, assignee, "wrap_up", stamp(resolved), stamp(resolved + 45),
                             stamp(resolved + 45), "wrap_up_code"))
            if rng.random() < 0.25:
                surveys.append((f"survey-{i}", i, rng.choice((1, 2, 3, 4, 4, 5, 5, 5)),
                                stamp(min(now, resolved + rng.randint(600, 6 * 3600)))))
        if len(case_rows) >= 50_000:
            _insert_cases(con, case_rows)
            case_rows.clear()
    _insert_cases(con, case_rows)

    # The agents who are handling right now have a running segment on one of their open cases.
    by_agent = {}
    for case_id, agent_id in open_assigned:
        by_agent.setdefault(agent_id, case_id)
    for agent_id, _uid, _login, _name, _role, _tier, _queues, _skills, state, *_rest in agent_rows:
        if state in ("handling", "wrap_up") and agent_id in by_agent:
            segments.append((f"seg-run-{agent_id}", by_agent[agent_id], agent_id,
                             "handle" if state == "handling" else "wrap_up", stamp(now - rng.randint(10, 900)),
                             None, stamp(now - 5), None))
    con.executemany("INSERT INTO handling_segments (uid, case_id, agent_id, kind, started_at, ended_at, heartbeat_at, "
                    "end_reason) VALUES (?,?,?,?,?,?,?,?)", segments)
    con.executemany("INSERT INTO surveys (uid, case_id, csat, created_at) VALUES (?,?,?,?)", surveys)
    follow_ups = [(f"fu-{n}", case_id, agent_id, stamp(now + rng.randint(-2 * 86400, 3 * 86400)), None, "check back",
                   stamp(now - 86400)) for n, (case_id, agent_id) in enumerate(open_assigned[:3000])]
    con.executemany("INSERT INTO follow_ups (uid, case_id, agent_id, due_at, done_at, note, created_at) "
                    "VALUES (?,?,?,?,?,?,?)", follow_ups)
    for _name, sql in index_sql:
        con.execute(sql)
    con.execute("COMMIT")
    con.close()
    return {"cases": cases, "open": open_count, "agents": agents, "segments": len(segments),
            "surveys": len(surveys), "follow_ups": len(follow_ups)}


def _insert_cases(con, rows) -> None:
    con.executemany(
        "INSERT INTO cases (id, uid, key, subject, customer_id, channel, queue, priority, status, is_open, tier, "
        "assignee_id, language, tags, contact_count, created_at, updated_at, first_response_at, last_inbound_at, "
        "resolved_at, reopened_count, first_response_due, next_update_due, resolution_due, sla_due_at, "
        "sla_paused_at, sla_paused_seconds, sla_breached, escalation_level, version) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)


def monitor_store(ctx: BenchContext) -> tuple[Path, dict]:
    cases = ctx.size(1_000_000, 20_000)
    agents = ctx.size(500, 50)
    key = ("monitor_store", cases, agents)
    if key not in ctx.cache:
        path = ctx.workdir / f"monitor-{cases}.db"
        start = time.perf_counter()
        counts = build_store(path, cases=cases, agents=agents)
        counts["build_s"] = time.perf_counter() - start
        ctx.cache[key] = (path, counts)
    return ctx.cache[key]


@benchmark("monitor", "live monitor: one full refresh of every figure (1M cases, 500 agents)")
def run(ctx: BenchContext):
    import sqlite3
    from zoneinfo import ZoneInfo

    from agent_console.domain.clock import FrozenClock
    from agent_console.domain.monitor import Thresholds, backfill_points, compute_snapshot
    from agent_console.store.db import open_store

    path, counts = monitor_store(ctx)
    print(f"  store: {counts['cases']:,} cases ({counts['open']:,} open), {counts['agents']} agents, "
          f"{counts['segments']:,} segments, {counts['surveys']:,} surveys; built in {counts['build_s']:.1f} s")
    store = open_store(path)
    clock = FrozenClock(NOW)
    zone = ZoneInfo("Europe/Berlin")
    thresholds = Thresholds()
    for _ in range(2):  # warm the page cache and SQLAlchemy's statement cache, as a running monitor has them
        compute_snapshot(store, clock, tz=zone, thresholds=thresholds)
    # On a live floor the store changes between two refreshes (2 s apart), and any commit by another connection makes
    # SQLite drop the reader's page cache: commit one agent-state change from another connection before each refresh.
    writer = _raw_connection(path)
    samples = []
    cpu_samples = []
    repeat = 20
    load_before = os.getloadavg()[0]
    for n in range(repeat):
        writer.execute("UPDATE agents SET state_since = ?, version = version + 1 WHERE id = ?",
                       (f"{NOW:%Y-%m-%d %H:%M:%S}.000000", 1 + n % counts["agents"]))
        clock.advance(2)
        start, cpu_start = time.perf_counter(), time.process_time()
        snapshot = compute_snapshot(store, clock, tz=zone, thresholds=thresholds)
        samples.append((time.perf_counter() - start) * 1000)
        cpu_samples.append((time.process_time() - cpu_start) * 1000)
    writer.close()
    median, p99 = summarise(samples)
    load = f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    print(f"  {load} while measuring (other processes share the cores: wall time includes waiting for them)",
          file=sys.stderr)

    con = sqlite3.connect(path)
    baseline_samples = []
    for _ in range(3):
        start = time.perf_counter()
        con.execute("SELECT queue, status, count(*) FROM cases NOT INDEXED GROUP BY queue, status").fetchall()
        baseline_samples.append((time.perf_counter() - start) * 1000)
    con.close()
    baseline = summarise(baseline_samples)[0]
    yield Result(f"monitor: full refresh ({counts['cases']:,} cases, {counts['open']:,} open, "
                 f"{counts['agents']} agents)", median, p99=p99, target=50, baseline=baseline,
                 baseline_label="count by queue×status over all rows, no index", samples=repeat,
                 note=f"{load}; floor waiting {snapshot.floor.waiting}")
    cpu_median, cpu_p99 = summarise(cpu_samples)
    # CPU time of the refresh (the process's user + system time): what it costs when the machine is not shared.
    yield Result("monitor: full refresh, CPU time of the process", cpu_median, p99=cpu_p99, target=50,
                 samples=repeat, note=load)

    start = time.perf_counter()
    backfill_points(store, clock, tz=zone)
    yield Result("monitor: trend backfill at start (8 h)", (time.perf_counter() - start) * 1000)
    store.dispose()
