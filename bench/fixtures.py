"""Data the measurements share, built once per run in the run's temporary directory."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.core import BenchContext

AGENT_CONSOLE = str(Path(sys.executable).parent / "agent-console")
SEED = 7


def seeded_store(ctx: BenchContext, cases: int) -> Path:
    """A store seeded by ``agent-console seed demo`` with this many cases (built once, then reused)."""
    key = ("seeded", cases)
    if key not in ctx.cache:
        path = ctx.workdir / f"seeded-{cases}.db"
        start = time.perf_counter()
        done = subprocess.run(
            [AGENT_CONSOLE, "--db", str(path), "seed", "demo", "--cases", str(cases), "--seed", str(SEED)],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"seeding failed: {done.stderr.strip()[-500:]}")
        ctx.cache[key] = path
        ctx.cache[("seed_seconds", cases)] = time.perf_counter() - start
    return ctx.cache[key]
