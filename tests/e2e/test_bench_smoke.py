"""scripts/bench runs and writes valid JSON (the numbers themselves are never asserted: speed is not tested here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The in-process measurements; server and sync start servers and PostgreSQL and have their own suites.
SMOKE = ("startup", "seed", "queue", "kb", "monitor")


@pytest.mark.slow
def test_quick_bench_runs_and_writes_valid_json(tmp_path):
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENT_CONSOLE_")}
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", *SMOKE, "--json", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["quick"] is True and data["failed"] == []
    names = [r["name"] for r in data["results"]]
    for bench in SMOKE:
        assert any(name.startswith(bench + ":") for name in names), f"no result from {bench}: {names}"
    for result in data["results"]:
        assert isinstance(result["median"], (int, float)) and result["median"] >= 0, result
        assert result["met"] in (True, False, None)
        if result["target"] is not None:
            assert isinstance(result["met"], bool)
    assert "Agent Console benchmarks" in done.stdout


def test_every_measurement_is_registered():
    done = subprocess.run([sys.executable, "-m", "bench", "--list"], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    listed = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
    assert listed == {"startup", "seed", "queue", "kb", "case_search", "monitor", "server", "sync", "mail", "mail-out",
                      "cti", "help"}
