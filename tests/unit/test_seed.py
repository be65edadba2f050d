"""Demo data: deterministic, complete, internally consistent, and fast paths that leave the schema as it was."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from agent_console.admin import seed as seed_module
from agent_console.admin.demo_content import KB_BASE
from agent_console.admin.seed import SeedRefused, seed_demo
from agent_console.domain.sla import DEFAULT_TARGETS
from agent_console.store.db import open_store

SMALL = {"customers": 40, "cases": 300, "kb": 60}


def rows(path, sql, *args):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)


@pytest.fixture
def seeded(store, store_path, clock):
    result = seed_demo(store, clock, seed=7, **SMALL)
    return store_path, result


def test_same_seed_same_data_other_seed_other_data(tmp_path, clock):
    def fingerprint(name: str, seed: int):
        store = open_store(tmp_path / name)
        try:
            seed_demo(store, clock, seed=seed, **SMALL)
        finally:
            store.dispose()
        return rows(tmp_path / name, "SELECT c.key, c.subject, c.channel, c.status, cu.name, "
                                     "(SELECT group_concat(body, '|') FROM messages m WHERE m.case_id = c.id) "
                                     "FROM cases c JOIN customers cu ON cu.id = c.customer_id ORDER BY c.id")

    first = fingerprint("a.db", 7)
    assert first == fingerprint("b.db", 7)
    assert first != fingerprint("c.db", 8)
    assert first[0][0] == "AC-000001" and first[-1][0] == "AC-000300"


def test_counts_and_reference_data(seeded):
    path, result = seeded
    assert result.counts["cases"] == 300 and result.counts["customers"] == 40 and result.counts["kb_articles"] == 60
    assert result.first_case_key == "AC-000001" and result.last_case_key == "AC-000300"
    assert rows(path, "SELECT count(*) FROM canned_responses")[0][0] >= 20
    shortcuts = {r[0] for r in rows(path, "SELECT shortcut FROM canned_responses")}
    assert {"refund", "refund-de", "opening-hours", "opening-hours-de", "delivery-status",
            "delivery-status-de"} <= shortcuts
    assert all("{{ " in r[0] for r in rows(path, "SELECT body FROM canned_responses"))

    agents = {r[0]: r[1:] for r in rows(path, "SELECT login, role, tier, queues FROM agents")}
    assert agents["demo"] == ("agent", 1, "")
    assert agents["sup"][0] == "supervisor" and agents["admin"][0] == "admin"
    assert {a[1] for a in agents.values() if a[0] == "agent"} == {1, 2, 3}

    kb_languages = {r[0] for r in rows(path, "SELECT language FROM kb_articles")}
    assert kb_languages == {"de", "en"}
    slugs = {r[0] for r in rows(path, "SELECT slug FROM kb_articles")}
    assert {slug for slug, *_ in KB_BASE} <= slugs  # the hand-written articles come first


def test_sla_policies_come_from_the_default_targets(seeded):
    path, _ = seeded
    policies = {(c, p): (f, n, r) for c, p, f, n, r in rows(
        path, "SELECT channel, priority, first_response_s, next_update_s, resolution_s FROM sla_policies")}
    for channel, targets in DEFAULT_TARGETS.items():
        assert policies[(channel, None)] == targets
        urgent, high = policies[(channel, "urgent")], policies[(channel, "high")]
        assert urgent[0] < high[0] < targets[0] and urgent[2] < high[2] < targets[2]
    assert policies[("phone", None)][0] == 90 and policies[("chat", None)][0] == 120
    assert policies[("email", None)][0] == 4 * 3600 and policies[("web", None)][0] == 8 * 3600
    assert policies[("social", None)][0] == policies[("messenger", None)][0] == 3600


def test_cases_are_consistent(seeded, clock):
    path, _ = seeded
    now = clock.now()
    cases = rows(path, "SELECT id, status, is_open, created_at, first_response_at, resolved_at, closed_at, "
                       "first_response_due, resolution_due, sla_due_at, sla_paused_at, channel, priority, tier, "
                       "assignee_id, language FROM cases")
    assert {c[1] for c in cases} == {"new", "open", "pending", "escalated", "resolved", "closed"}
    assert {c[11] for c in cases} == set(DEFAULT_TARGETS)
    assert {c[15] for c in cases} == {"de", "en"}
    policies = {(c, p): (f, r) for c, p, f, r in rows(
        path, "SELECT channel, priority, first_response_s, resolution_s FROM sla_policies")}
    # The automatic escalation of a breached case raised its priority one step per escalation; open cases' running
    # targets follow the new priority, a first response already given keeps the due time it had.
    raised = dict(rows(path, "SELECT case_id, count(*) FROM escalations WHERE kind = 'automatic' GROUP BY case_id"))
    ladder = ["low", "normal", "high", "urgent"]
    for (cid, status, is_open, created, first, resolved, closed, fr_due, res_due, due, paused, channel, priority,
         tier, assignee, _lang) in cases:
        created = ts(created)
        assert created <= now
        assert bool(is_open) == (status in ("new", "open", "pending", "escalated")), cid
        first_s, resolution_s = policies.get((channel, priority)) or policies[(channel, None)]
        steps = raised.get(cid, 0)
        earlier = ladder[max(0, ladder.index(priority) - steps):ladder.index(priority) + 1]
        possible_fr_due = {created + timedelta(seconds=(policies.get((channel, p)) or policies[(channel, None)])[0])
                           for p in (earlier if first is not None else [priority])}
        assert ts(fr_due) in possible_fr_due, cid
        assert ts(res_due) == created + timedelta(seconds=resolution_s) or not is_open and steps, cid
        if status == "new":
            assert first is None and assignee is None and due is not None
        else:
            assert ts(first) >= created and assignee is not None or status == "open"
        if is_open:
            assert resolved is None and closed is None
            if status == "pending":
                assert paused is not None
            else:
                assert due is not None
        else:
            assert resolved is not None and due is None and ts(resolved) <= now
            assert (closed is not None) == (status == "closed")
        if status == "escalated":
            assert tier >= 2
        thread = rows(path, "SELECT direction, created_at, is_internal FROM messages WHERE case_id = ? "
                            "ORDER BY created_at, id", cid)
        assert thread[0][0] == "in" and ts(thread[0][1]) == created
        assert all(ts(m[1]) <= (ts(resolved) if resolved else now) for m in thread)


def test_escalations_follow_ups_and_surveys_fit_their_cases(seeded):
    path, _ = seeded
    escalated = {r[0] for r in rows(path, "SELECT id FROM cases WHERE status = 'escalated'")}
    with_escalation = {r[0] for r in rows(path, "SELECT case_id FROM escalations WHERE kind = 'manual'")}
    assert escalated and escalated <= with_escalation
    assert rows(path, "SELECT count(*) FROM escalations e JOIN cases c ON c.id = e.case_id "
                      "WHERE e.kind = 'manual' AND (e.to_tier != c.tier OR e.from_tier != 1)")[0][0] == 0
    # The SLA rule's own escalations (see test_breached_cases_are_recorded_as_the_sweeper_would) have no follow-up.
    assert rows(path, "SELECT count(*) FROM escalations WHERE kind NOT IN ('manual', 'automatic')")[0][0] == 0
    assert rows(path, "SELECT count(*) FROM follow_ups")[0][0] == len(with_escalation)
    # A follow-up is done once its agent checked back: after it fell due, never in the future; a resolved case's
    # follow-ups are all done.
    assert rows(path, "SELECT count(*) FROM follow_ups f JOIN cases c ON c.id = f.case_id "
                      "WHERE f.done_at IS NOT NULL AND c.is_open = 1 AND f.done_at < f.due_at")[0][0] == 0
    assert rows(path, "SELECT count(*) FROM follow_ups f JOIN cases c ON c.id = f.case_id "
                      "WHERE c.is_open = 0 AND f.done_at IS NULL")[0][0] == 0
    surveys = rows(path, "SELECT s.csat, s.nps, s.ces, c.status FROM surveys s JOIN cases c ON c.id = s.case_id")
    assert surveys
    for csat, nps, ces, status in surveys:
        assert status in ("resolved", "closed")
        assert 1 <= csat <= 5 and (nps is None or 0 <= nps <= 10) and (ces is None or 1 <= ces <= 7)


def test_a_store_with_cases_is_refused_unless_forced(seeded, store, clock):
    path, _ = seeded
    with pytest.raises(SeedRefused, match="already holds 300 cases"):
        seed_demo(store, clock, seed=7, **SMALL)
    assert rows(path, "SELECT count(*) FROM cases")[0][0] == 300

    result = seed_demo(store, clock, seed=7, customers=10, cases=20, kb=5, force=True)
    assert result.first_case_key == "AC-000301" and result.last_case_key == "AC-000320"
    assert rows(path, "SELECT count(*) FROM cases")[0][0] == 320
    assert rows(path, "SELECT count(*) FROM agents WHERE login = 'demo'")[0][0] == 1
    assert rows(path, "SELECT count(*), count(DISTINCT email) FROM customers")[0] == (50, 50)
    assert rows(path, "SELECT count(*) FROM sla_policies")[0][0] == 3 * len(DEFAULT_TARGETS)


def test_bulk_path_restores_indexes_and_search_index(store, store_path, clock, monkeypatch):
    def schema():
        return sorted(rows(store_path, "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"))

    before = schema()
    monkeypatch.setattr(seed_module, "BULK_INDEX_REBUILD_FROM", 10)
    seed_demo(store, clock, seed=3, customers=20, cases=120, kb=25)
    assert schema() == before
    assert rows(store_path, "PRAGMA integrity_check")[0][0] == "ok"
    tables = {r[0] for r in rows(store_path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "kb_fts" in tables:
        assert rows(store_path, "SELECT count(*) FROM kb_fts")[0][0] == 25
        replies = rows(store_path, "SELECT count(*) FROM messages WHERE direction = 'out' AND is_internal = 0")
        assert rows(store_path, "SELECT count(*) FROM reply_fts")[0][0] == replies[0][0]


def test_cli_seed_demo(cli, store_path):
    result = cli("seed", "demo", "--customers", "15", "--cases", "40", "--kb", "10", "--seed", "5")
    assert result.exit_code == 0, result.output
    assert "AC-000001" in result.stdout and "AC-000040" in result.stdout
    assert rows(store_path, "SELECT count(*) FROM cases")[0][0] == 40
    again = cli("seed", "demo", "--cases", "10")
    assert again.exit_code == 1 and "--force" in again.stderr
    listing = cli("agents", "list", "--json")
    assert {"demo", "sup", "admin"} <= {a["login"] for a in __import__("json").loads(listing.stdout)}


def test_cli_seed_demo_says_which_breaches_it_recorded(cli, store_path):
    result = cli("seed", "demo", "--customers", "60", "--cases", "600", "--kb", "40", "--seed", "3")
    assert result.exit_code == 0, result.output
    recorded = rows(store_path, "SELECT count(DISTINCT case_id) FROM sla_events WHERE detail = 'due time passed'")
    assert recorded[0][0] > 0
    assert f"{recorded[0][0]:,} open cases are already past an SLA target" in " ".join(result.stdout.split())
