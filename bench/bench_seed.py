"""Seeding: ``agent-console seed demo --cases 100000`` as a whole process (target < 60 s)."""

from __future__ import annotations

import time

from bench.core import BenchContext, Result, benchmark
from bench.fixtures import seeded_store


def _service_rate(ctx: BenchContext, n: int) -> float:
    """Cases per second when created one by one through CaseService (the baseline the bulk seeder must beat)."""
    from agent_console.domain.agents import upsert_agent
    from agent_console.domain.cases import CaseService
    from agent_console.domain.clock import SystemClock
    from agent_console.store.db import open_store

    store = open_store(ctx.workdir / "service-rate.db")
    clock = SystemClock()
    agent, _ = upsert_agent(store, clock, login="bench", name="Bench Agent")
    service = CaseService(store, clock, agent)
    start = time.perf_counter()
    for i in range(n):
        service.create_case(customer=f"c{i % 97}@example.com", channel="email", queue="Billing",
                            subject=f"Rechnung {i}", body="Bitte prüfen Sie meine Rechnung.")
    elapsed = time.perf_counter() - start
    store.dispose()
    return n / elapsed


@benchmark("seed", "seed demo data with 100,000 cases (whole process)")
def run(ctx: BenchContext):
    cases = ctx.size(100_000, 5_000)
    seeded_store(ctx, cases)
    seconds = ctx.cache[("seed_seconds", cases)]
    rate = _service_rate(ctx, 200 if ctx.quick else 1000)
    yield Result(f"seed: {cases:,} cases", seconds * 1000, target=60_000 if not ctx.quick else None,
                 baseline=cases / rate * 1000, baseline_label="one by one via CaseService, extrapolated",
                 note=f"{cases / seconds:,.0f} cases/s")
