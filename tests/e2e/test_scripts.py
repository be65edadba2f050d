"""The two-command set-up: ``scripts/run`` creates and seeds an empty store, then passes its arguments through."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(sys.executable).with_name("agent-console")


def env_for(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENT_CONSOLE_")}
    env.update(AGENT_CONSOLE_CONFIG=str(tmp_path / "config.toml"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), TZ="UTC")
    return env


def test_version_and_help_from_the_installed_binary(tmp_path):
    version = subprocess.run([str(BINARY), "--version"], capture_output=True, text=True, env=env_for(tmp_path),
                             timeout=60)
    assert version.returncode == 0
    assert version.stdout.startswith("agent-console ")
    helptext = subprocess.run([str(BINARY), "--help"], capture_output=True, text=True, env=env_for(tmp_path),
                              timeout=60)
    assert helptext.returncode == 0, helptext.stderr
    for command in ("db", "agents", "seed", "import", "export"):
        assert command in helptext.stdout
    for args in (["import", "--help"], ["export", "--help"], ["seed", "demo", "--help"]):
        result = subprocess.run([str(BINARY), *args], capture_output=True, text=True, env=env_for(tmp_path),
                                timeout=60)
        assert result.returncode == 0, (args, result.stderr)
        assert "--format" in result.stdout or "--cases" in result.stdout


def test_scripts_run_creates_and_seeds_the_store_then_passes_arguments(tmp_path):
    db = tmp_path / "floor.db"
    result = subprocess.run([str(ROOT / "scripts" / "run"), "--db", str(db), "agents", "list", "--json"],
                            capture_output=True, text=True, env=env_for(tmp_path), timeout=300)
    assert result.returncode == 0, result.stderr
    assert "seeding demo data" in result.stderr
    logins = {a["login"]: a for a in json.loads(result.stdout)}
    assert logins["demo"]["tier"] == 1 and logins["demo"]["queues"] == []
    assert logins["sup"]["role"] == "supervisor" and logins["admin"]["role"] == "admin"

    status = subprocess.run([str(BINARY), "--db", str(db), "db", "status", "--json"], capture_output=True, text=True,
                            env=env_for(tmp_path), timeout=60)
    counts = json.loads(status.stdout)["counts"]
    assert counts["cases"] == 2000 and counts["customers"] == 300

    # A second run finds cases and does not seed again.
    again = subprocess.run([str(ROOT / "scripts" / "run"), "--db", str(db), "agents", "list"], capture_output=True,
                           text=True, env=env_for(tmp_path), timeout=300)
    assert again.returncode == 0, again.stderr
    assert "seeding" not in again.stderr and "demo" in again.stdout
