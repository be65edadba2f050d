"""``case list --json`` and ``case show --json`` read through sqlite3 (store/fast_read.py) when they can: the output
is byte for byte what the ORM path prints, and the fast path leaves SQLAlchemy and the models unimported."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from agent_console.admin.seed import seed_demo
from agent_console.domain.cases import CaseService
from agent_console.store import fast_read
from agent_console.store.models import FollowUp

LIST_ARGS = [
    ["case", "list", "--json"],
    ["case", "list", "--json", "--view", "unassigned"],
    ["case", "list", "--json", "--view", "all", "--limit", "500"],
    ["case", "list", "--json", "--queue", "Billing", "--limit", "7"],
    ["case", "list", "--json", "--channel", "phone"],
    ["case", "list", "--json", "--view", "all", "--channel", "email", "--queue", "Technical"],
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
    service.resolve(service.create_case(customer="y@example.com", channel="email", queue="Billing",
                                        subject="Done", body="thanks").key)
    return store


@pytest.fixture
def frozen_system_clock(monkeypatch, clock):
    # Both paths must compute SLA figures at the same instant.
    from agent_console.domain import clock as clock_module

    instant = clock.now()
    monkeypatch.setattr(clock_module.SystemClock, "now", lambda self: instant)


def both_paths(cli, monkeypatch, args: list[str]) -> tuple[str, str]:
    fast = cli(*args)
    assert fast.exit_code == 0, fast.output
    with monkeypatch.context() as patched:
        patched.setattr(fast_read, "open_at_head", lambda path: None)
        orm = cli(*args)
    assert orm.exit_code == 0, orm.output
    return fast.output, orm.output


@pytest.mark.parametrize("args", LIST_ARGS, ids=lambda a: " ".join(a[2:]) or "default")
def test_case_list_json_is_the_same_on_both_paths(cli, demo_store, frozen_system_clock, monkeypatch, args):
    fast, orm = both_paths(cli, monkeypatch, args)
    assert json.loads(fast), "the view should not be empty"
    assert fast == orm


def test_case_show_json_is_the_same_on_both_paths(cli, demo_store, frozen_system_clock, monkeypatch):
    keys = [row["key"] for row in json.loads(cli("case", "list", "--json", "--view", "all", "--limit", "500").output)]
    assert len(keys) > 100
    for key in keys[::7] + keys[-3:]:
        fast, orm = both_paths(cli, monkeypatch, ["case", "show", key, "--json"])
        assert fast == orm, key


def test_an_unknown_key_fails_the_same_way(cli, demo_store):
    result = cli("case", "show", "AC-999999", "--json")
    assert result.exit_code == 1 and "no case 'AC-999999'" in result.output


def test_a_store_behind_the_head_is_left_to_the_orm_path(store_path, demo_store):
    import sqlite3

    con = fast_read.open_at_head(store_path)
    assert con is not None
    con.close()
    with sqlite3.connect(store_path) as writable:
        writable.execute("UPDATE alembic_version SET version_num = '0012'")
    assert fast_read.open_at_head(store_path) is None
    assert fast_read.open_at_head(store_path.with_name("missing.db")) is None


PROBE = """
import sys
from agent_console.cli import main
sys.argv = ["agent-console", "--db", sys.argv[1], "case", *sys.argv[2:]]
try:
    main()
except SystemExit:
    pass
heavy = sorted(m for m in ("sqlalchemy", "sqlmodel", "agent_console.store.models") if m in sys.modules)
print("HEAVY", ",".join(heavy), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["list", "--json"], ["show", "{key}", "--json"]], ids=["list", "show"])
def test_the_fast_path_imports_neither_sqlalchemy_nor_the_models(cli, demo_store, store_path, args):
    key = json.loads(cli("case", "list", "--json", "--limit", "1").output)[0]["key"]
    done = subprocess.run([sys.executable, "-c", PROBE, str(store_path), *[a.format(key=key) for a in args]],
                          capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)
    assert "HEAVY \n" in done.stderr, done.stderr


def test_case_show_json_has_the_escalation_history_and_follow_ups(cli, store, clock, agents, frozen_system_clock,
                                                                   monkeypatch):
    from agent_console.domain.escalation import EscalationService

    service = CaseService(store, clock, agents["anna"])
    case = service.create_case(customer="k@example.de", channel="email", queue="Technical", subject="VPN",
                               body="VPN drops")
    service.claim(case.key)
    EscalationService(store, clock, agents["anna"], follow_up_hours=8).escalate(
        case.key, to_tier=2, to_queue="Billing", reason="needs a [b]tier-2[/b] look")
    fast, orm = both_paths(cli, monkeypatch, ["case", "show", case.key, "--json"])
    assert fast == orm
    shown = json.loads(fast)
    [escalation] = shown["escalations"]
    assert escalation == {"kind": "manual", "from_tier": 1, "to_tier": 2, "from_queue": "Technical",
                          "to_queue": "Billing", "by": "anna", "at": clock.now().isoformat(),
                          "reason": "needs a [b]tier-2[/b] look"}
    [follow_up] = shown["follow_ups"]
    due = clock.now() + timedelta(hours=8)
    assert (follow_up["agent"], follow_up["due_at"], follow_up["done"]) == ("anna", due.isoformat(), False)
    assert follow_up["due_at"].endswith("+00:00")  # ISO, UTC
    shown_text = cli("case", "show", case.key)
    assert shown_text.exit_code == 0, shown_text.output
    assert "T1 Technical → T2 Billing · by anna · needs a [b]tier-2[/b] look" in shown_text.output
    assert f"follow-up due {due:%Y-%m-%d %H:%M} UTC · open · anna" in shown_text.output

    with store.session() as session:
        follow_up_id = session.scalars(select(FollowUp.id).where(FollowUp.case_id == case.id)).one()
    EscalationService(store, clock, agents["anna"]).complete_follow_up(follow_up_id, "all fine")
    fast, orm = both_paths(cli, monkeypatch, ["case", "show", case.key, "--json"])
    assert fast == orm
    [follow_up] = json.loads(fast)["follow_ups"]
    assert (follow_up["done"], follow_up["done_at"], follow_up["note"]) == (True, clock.now().isoformat(),
                                                                             "all fine")


def test_case_show_json_has_where_a_merged_case_went_and_links_from_both_sides(cli, store, clock, agents,
                                                                              frozen_system_clock, monkeypatch):
    from agent_console.domain.case_merge import CaseMergeService

    service = CaseService(store, clock, agents["anna"])
    made = [service.create_case(customer="m@example.de", channel="email", queue="Technical", subject=subject,
                                body=subject) for subject in ("Heizung", "Anruf", "Rechnung", "Mahnung")]
    mail, call, invoice, reminder = (case.key for case in made)
    merging = CaseMergeService(store, clock, agents["anna"])
    merging.link(invoice, mail, "parent")
    merging.link(reminder, invoice, "duplicate")
    merging.merge(call, mail)
    shown = {}
    for key in (mail, call, invoice, reminder):
        fast, orm = both_paths(cli, monkeypatch, ["case", "show", key, "--json"])
        assert fast == orm, key
        shown[key] = json.loads(fast)
    assert shown[call]["merged_into"] == mail and shown[mail]["merged_into"] is None
    assert [(link["kind"], link["key"], link["status"]) for link in shown[mail]["links"]] == [
        ("parent", invoice, "new")]
    assert [(link["kind"], link["key"]) for link in shown[invoice]["links"]] == [("child", mail),
                                                                                  ("duplicate", reminder)]
    assert [(link["kind"], link["key"]) for link in shown[reminder]["links"]] == [("duplicate", invoice)]
