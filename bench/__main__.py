"""``scripts/bench [--quick] [--cases N] [--only NAME…] [--json FILE]``: measure, and compare with targets and baselines."""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

from bench.core import REGISTRY, BenchContext, Result

#: Modules under bench/ that register measurements, in the order they run.
MODULES = ("startup", "seed", "queue", "kb", "case_search", "monitor", "server", "sync", "mail", "mail_out", "cti", "help")


def load() -> None:
    for name in MODULES:
        importlib.import_module(f"bench.bench_{name}")


def fmt(value: float | None, unit: str = "ms") -> str:
    if value is None:
        return "—"
    if unit == "ms":
        if value >= 1000:
            return f"{value / 1000:.2f} s"
        if value >= 10:
            return f"{value:.0f} ms"
        return f"{value:.2f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "req/s":
        return f"{value:.0f} req/s"
    return f"{value:.3g} {unit}"


def print_table(results: list[Result]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Agent Console benchmarks")
    for column in ("measurement", "median", "p99", "target", "baseline", "ratio", "met"):
        table.add_column(column, justify="left" if column == "measurement" else "right")
    for r in results:
        met = {True: "[green]yes[/]", False: "[red]NO[/]", None: "—"}[r.met]
        baseline = fmt(r.baseline, r.unit) + (f" ({r.baseline_label})" if r.baseline_label else "")
        ratio = f"{r.ratio:.1f}×" if r.ratio is not None else "—"
        target = ("< " + fmt(r.target, r.unit)) if r.target is not None else "—"
        table.add_row(r.name, fmt(r.median, r.unit), fmt(r.p99, r.unit), target, baseline, ratio, met)
    Console().print(table)


def main(argv: list[str] | None = None) -> int:
    load()
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: finishes in under a minute")
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=sorted(REGISTRY), help="run only these")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--cases", type=int, metavar="N",
                        help="cases of the demo store case_search measures on (default 100,000; --quick 5,000)")
    parser.add_argument("--list", action="store_true", help="list the measurements and exit")
    args = parser.parse_args(argv)
    if args.list:
        for bench in REGISTRY.values():
            print(f"{bench.name:10} {bench.description}")
        return 0
    selected = [REGISTRY[name] for name in (args.only or REGISTRY)]
    results: list[Result] = []
    failures: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="agent-console-bench-") as tmp:
        context = BenchContext(quick=args.quick, workdir=Path(tmp), cases=args.cases)
        for bench in selected:
            print(f"· {bench.name}: {bench.description}", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            try:
                for result in bench.run(context):
                    results.append(result)
            except Exception:  # a broken benchmark is reported, the others still run
                failures.append(bench.name)
                traceback.print_exc()
            print(f"  done in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    print_table(results)
    total = time.perf_counter() - started
    print(f"total {total:.0f} s{' (quick)' if args.quick else ''}", file=sys.stderr)
    if args.json:
        payload = {
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "quick": args.quick,
            "machine": {"python": platform.python_version(), "platform": platform.platform(),
                        "cpus": __import__("os").cpu_count()},
            "total_seconds": total,
            "failed": failures,
            "results": [r.as_dict() for r in results],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
