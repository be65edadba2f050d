"""``case list --json`` and ``case show KEY --json`` are answered before Typer is imported (cli/fast_path.py): the
same bytes as the Typer command prints, nothing of Typer, Click, pydantic, SQLAlchemy, SQLModel or Textual loaded,
and every other form of the arguments left to Typer untouched."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from agent_console.admin.seed import seed_demo
from agent_console.cli import fast_path, main
from agent_console.domain.cases import CaseService

LIST_ARGS = [
    ["case", "list", "--json"],
    ["case", "list", "--view", "unassigned", "--json"],
    ["case", "list", "--json", "--view=all", "--limit", "500"],
    ["case", "list", "--json", "--queue", "Billing", "--limit=7"],
    ["case", "list", "--channel", "phone", "--json"],
    ["case", "list", "--json", "--view", "all", "--channel", "email", "--queue", "Technical"],
]

#: Forms the fast path must leave to Typer: help, an unknown or repeated option, a bad or missing value, the view
#: that needs the acting agent, an acting agent, no --json, a second positional argument.
LEFT_TO_TYPER = [
    ["case", "list", "--json", "--help"],
    ["case", "list", "--json", "-h"],
    ["--version", "case", "list", "--json"],
    ["case", "list", "--json", "--view", "mine"],
    ["case", "list", "--json", "--view", "everything"],
    ["case", "list", "--json", "--limit", "0"],
    ["case", "list", "--json", "--limit", "5_0"],
    ["case", "list", "--json", "--limit", "-3"],
    ["case", "list", "--json", "--queue"],
    ["case", "list", "--json", "--queue", "Billing", "--queue", "Sales"],
    ["case", "list", "--json", "--json=yes"],
    ["case", "list", "--json", "--sort", "key"],
    ["case", "list", "--json", "extra"],
    ["case", "list"],
    ["--agent", "anna", "case", "list", "--json"],
    ["case", "show", "--json"],
    ["case", "show", "AC-000001", "AC-000002", "--json"],
    ["case", "show", "AC-000001", "--json", "--help"],
    ["case", "show", "--", "AC-000001", "--json"],
    ["case", "show", "AC-999999", "--json"],
    ["case", "claim", "AC-000001", "--json"],
    ["queues", "list", "--json"],
]


@pytest.fixture
def demo_store(store, clock, agents):
    seed_demo(store, clock, cases=120, customers=60, kb=5)
    service = CaseService(store, clock, agents["anna"])
    hostile = service.create_case(customer="x@example.com", channel="chat", queue="Billing",
                                  subject="[bold]Hi[/] \x1b[31mred", body="line\n\x1b]0;title\x07end",
                                  customer_name="Ünïcode \u202e name")
    service.claim(hostile.key)
    service.reply(hostile.key, "An answer with [markup] and \t tab")
    return store


@pytest.fixture
def frozen_system_clock(monkeypatch, clock):
    # Both paths must compute SLA figures at the same instant.
    from agent_console.domain import clock as clock_module

    instant = clock.now()
    monkeypatch.setattr(clock_module.SystemClock, "now", lambda self: instant)


def fast_output(capsys, monkeypatch, store_path, args: list[str]) -> str:
    """What ``main`` prints for ``args``, failing the test should it reach Typer."""
    capsys.readouterr()
    with monkeypatch.context() as patched:
        patched.setattr("agent_console.cli.app.build_app", lambda: pytest.fail("left to Typer"))
        main(["--db", str(store_path), *args])
    return capsys.readouterr().out


@pytest.mark.parametrize("args", LIST_ARGS, ids=lambda a: " ".join(a[2:]))
def test_case_list_json_before_typer_is_what_the_command_prints(cli, demo_store, store_path, frozen_system_clock,
                                                                 capsys, monkeypatch, args):
    typer_output = cli(*args)
    assert typer_output.exit_code == 0, typer_output.output
    assert json.loads(typer_output.output), "the view should not be empty"
    assert fast_output(capsys, monkeypatch, store_path, args) == typer_output.output


def test_case_show_json_before_typer_is_what_the_command_prints(cli, demo_store, store_path, frozen_system_clock,
                                                                capsys, monkeypatch):
    keys = [row["key"] for row in json.loads(cli("case", "list", "--json", "--view", "all", "--limit", "500").output)]
    assert len(keys) > 100
    for key in keys[::9] + keys[-2:]:
        typer_output = cli("case", "show", key, "--json")
        assert typer_output.exit_code == 0, typer_output.output
        assert fast_output(capsys, monkeypatch, store_path, ["case", "show", "--json", key]) == typer_output.output, key


@pytest.mark.parametrize("args", LEFT_TO_TYPER, ids=" ".join)
def test_other_forms_are_left_to_typer(demo_store, store_path, capsys, args):
    assert fast_path.run_case_json(["--db", str(store_path), *args]) is False
    assert capsys.readouterr() == ("", "")


def test_an_unknown_key_fails_through_typer(store_path, demo_store, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(store_path), "case", "show", "AC-999999", "--json"])
    assert exit_.value.code == 1
    assert "no case 'AC-999999'" in capsys.readouterr().err


def test_a_bad_settings_file_is_reported_by_typer(store_path, demo_store, capsys, monkeypatch, tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text("agent = [\n")
    monkeypatch.setenv("AGENT_CONSOLE_CONFIG", str(settings))
    from agent_console.config import SettingsError, load_settings

    with pytest.raises(SettingsError):
        load_settings()
    assert fast_path.run_case_json(["--db", str(store_path), "case", "list", "--json"]) is False
    assert capsys.readouterr() == ("", "")


PROBE = """
import sys
from agent_console.cli import main
main(sys.argv[1:])
heavy = sorted(name for name in sys.modules if name.split(".")[0] in
               ("typer", "click", "pydantic", "pydantic_core", "sqlalchemy", "sqlmodel", "textual", "rich"))
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["list", "--json"], ["show", "{key}", "--json"]], ids=["list", "show"])
def test_the_fast_path_imports_no_heavy_library(cli, demo_store, store_path, args):
    key = json.loads(cli("case", "list", "--json", "--limit", "1").output)[0]["key"]
    done = subprocess.run([sys.executable, "-c", PROBE, "--db", str(store_path), "case",
                           *[a.format(key=key) for a in args]], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)
    assert "HEAVY:\n" in done.stderr, done.stderr
