"""Start-up: ``agent-console --version`` as a whole process, and time to the first painted queue screen."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bench.core import BenchContext, Result, benchmark, summarise

VENV_BIN = Path(sys.executable).parent


def _process_ms(cmd: list[str], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


@benchmark("startup", "agent-console --version, --help, case list/show --json as whole processes; first painted "
                      "queue screen")
def run(ctx: BenchContext):
    repeat = 5 if ctx.quick else 15
    baseline = summarise(_process_ms([sys.executable, "-c", "pass"], repeat))[0]
    version = _process_ms([str(VENV_BIN / "agent-console"), "--version"], repeat)
    median, p99 = summarise(version)
    yield Result("startup: --version", median, p99=p99, target=150, baseline=baseline,
                 baseline_label="python -c pass", samples=repeat)
    help_ = _process_ms([str(VENV_BIN / "agent-console"), "--help"], repeat)
    median, p99 = summarise(help_)
    typer = summarise(_process_ms([sys.executable, "-c", "import typer"], repeat))[0]
    yield Result("startup: --help", median, p99=p99, baseline=typer, baseline_label="import typer", samples=repeat)
    yield from _case_json(ctx, repeat)
    first_paint = _first_paint(ctx, repeat=3 if ctx.quick else 5)
    if first_paint is not None:
        yield first_paint


def _first_paint(ctx: BenchContext, repeat: int) -> Result | None:
    """Whole process: start the console headless on a seeded store and stop as soon as the queue has painted rows."""
    from bench.fixtures import seeded_store

    try:
        store_path = seeded_store(ctx, cases=ctx.size(100_000, 5_000))
    except RuntimeError as exc:
        print(f"  skipped first paint: {exc}", file=sys.stderr)
        return None
    script = Path(__file__).with_name("first_paint.py")
    samples = []
    for _ in range(repeat):
        spawned = time.time()
        out = subprocess.run([sys.executable, str(script), str(store_path)], check=True, capture_output=True,
                             text=True)
        painted = out.stdout.split()
        if len(painted) != 3 or painted[0] != "painted" or not painted[1].isdigit() or int(painted[1]) == 0:
            raise RuntimeError(f"first-paint probe did not paint: {out.stdout} {out.stderr}")
        samples.append((float(painted[2]) - spawned) * 1000)
    median, p99 = summarise(samples)
    return Result(f"startup: process start to first painted queue ({ctx.size(100_000, 5_000):,} cases)", median,
                  p99=p99, target=1000,
                  baseline=549, baseline_label="import textual+sqlmodel+typer (notes)", samples=repeat)


#: ``agent-console seed demo`` without --cases: the store a new user tries the CLI on.
DEMO_CASES = 2000


def _case_json(ctx: BenchContext, repeat: int):
    """``case list --json`` and ``case show KEY --json`` on the demo store, whole processes (issue #16: < 250 ms)."""
    from bench.fixtures import seeded_store

    try:
        store_path = seeded_store(ctx, cases=DEMO_CASES)
    except RuntimeError as exc:
        print(f"  skipped case list/show: {exc}", file=sys.stderr)
        return
    cli = [str(VENV_BIN / "agent-console"), "--db", str(store_path), "case"]
    listed = subprocess.run([*cli, "list", "--json", "--limit", "1"], check=True, capture_output=True, text=True)
    key = json.loads(listed.stdout)[0]["key"]
    version = summarise(_process_ms([str(VENV_BIN / "agent-console"), "--version"], repeat))[0]
    for name, args in (("case list --json", ["list", "--json"]), ("case show KEY --json", ["show", key, "--json"])):
        median, p99 = summarise(_process_ms([*cli, *args], repeat))
        yield Result(f"startup: {name} (demo store, {DEMO_CASES:,} cases)", median, p99=p99, target=250,
                     baseline=version, baseline_label="--version", samples=repeat)
