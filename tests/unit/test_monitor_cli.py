"""``agent-console monitor``: only supervisors and admins; bad monitor settings are refused before the screen opens."""

from __future__ import annotations

import os
from pathlib import Path


def test_an_agent_is_refused(cli, agents):
    result = cli("monitor", "--agent", "anna")
    assert result.exit_code == 1
    assert "the monitor is for supervisors and admins; anna is an agent" in result.output


def test_the_global_agent_option_counts_too(cli, agents):
    result = cli("--agent", "ben", "monitor", "--wallboard")
    assert result.exit_code == 1 and "ben is an agent" in result.output


def test_an_unknown_login_is_refused(cli, agents):
    result = cli("monitor", "--agent", "nobody")
    assert result.exit_code == 1 and "no agent with login 'nobody'" in result.output


def test_bad_thresholds_are_refused_with_the_setting_named(cli, agents):
    Path(os.environ["AGENT_CONSOLE_CONFIG"]).write_text(
        '[monitor_thresholds.Billing]\nwaiting = [9, 3]\n', encoding="utf-8")
    result = cli("monitor", "--agent", "sue")
    assert result.exit_code == 1
    assert "monitor_thresholds.Billing.waiting: critical (3) is below warning (9)" in result.output


def test_an_unknown_time_zone_is_refused(cli, agents, monkeypatch):
    monkeypatch.setenv("AGENT_CONSOLE_TIMEZONE", "Mars/Olympus")
    result = cli("monitor", "--agent", "sue")
    assert result.exit_code == 1 and "unknown time zone 'Mars/Olympus'" in result.output


def test_an_interval_out_of_range_is_refused(cli, agents):
    result = cli("monitor", "--agent", "sue", "--interval", "0")
    assert result.exit_code != 0 and "--interval" in result.output
