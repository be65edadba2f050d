"""Rules for the suite itself: a missing component skips only outside CI, through one helper."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import require_component

TESTS = Path(__file__).resolve().parents[1]
SKIPPING = re.compile(r"pytest\.skip\(|\.skipif\(|importorskip\(|pytest\.mark\.skip\b")


def test_no_test_skips_except_through_require_component():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.name == "helpers.py" or path == Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SKIPPING.search(line):
                offenders.append(f"{path.relative_to(TESTS)}:{number}: {line.strip()}")
    assert offenders == [], "use tests.helpers.require_component instead:\n" + "\n".join(offenders)


def test_a_missing_component_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="tmux is not available"):
        require_component("tmux", "not installed")


def test_a_missing_component_skips_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="tmux is not available"):
        require_component("tmux", "not installed")
