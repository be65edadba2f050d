"""The queue screen with 100,000 cases: open, cursor move, filter keystroke, RSS — against Textual's DataTable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.core import BenchContext, Result, benchmark
from bench.fixtures import seeded_store

PROBE = str(Path(__file__).with_name("queue_probe.py"))


def _probe(path: Path, *extra: str) -> dict:
    done = subprocess.run([sys.executable, PROBE, str(path), *extra], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"queue probe failed: {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@benchmark("queue", "queue screen over 100,000 cases (headless Pilot) vs Textual's DataTable with the same rows")
def run(ctx: BenchContext):
    cases = ctx.size(100_000, 5_000)
    path = seeded_store(ctx, cases)
    runs = [_probe(path) for _ in range(1 if ctx.quick else 3)]
    ours = sorted(runs, key=lambda r: r["open_ms"])[len(runs) // 2]
    base = _probe(path, "--baseline")
    label = f"DataTable, {base['rows']:,} rows"
    yield Result(f"queue: open ({ours['rows']:,} open cases of {cases:,})", ours["open_ms"], target=300,
                 baseline=base["open_ms"], baseline_label=label,
                 note=f"app start to rows painted {ours['start_to_rows_ms']:.0f} ms")
    yield Result("queue: cursor move, key to drawn frame", ours["cursor_ms"], p99=ours["cursor_p99_ms"], target=10,
                 baseline=base["cursor_ms"], baseline_label=label, note="Textual draws at most 60 frames/s (16.7 ms)")
    yield Result("queue: cursor move, key handled", ours["cursor_handled_ms"], target=10,
                 baseline=base["cursor_handled_ms"], baseline_label=label)
    yield Result("queue: filter keystroke, key to drawn frame", ours["filter_ms"], p99=ours["filter_max_ms"],
                 target=50, note=f"'rechnung' leaves {ours['filtered_rows']:,} rows; handled in "
                                 f"{ours['filter_handled_ms']:.1f} ms")
    yield Result("queue: console RSS", ours["rss_mb"], unit="MB", target=120, baseline=base["rss_mb"],
                 baseline_label=label)
