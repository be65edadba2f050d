"""One SLA state: the queue row, the case header, ``case show``/``case list``, the monitor's counts and drill-down
all give what ``sla.case_countdown`` gives, on a grid of cases and moments (business hours, around the clock,
priorities, answered, paused)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from agent_console.domain import sla
from agent_console.domain.cases import CaseService
from agent_console.domain.clock import FrozenClock, SystemClock
from agent_console.domain.monitor import Drill, compute_snapshot, drill_case_ids, drill_down
from agent_console.store import queries
from agent_console.store.models import Case, SlaPolicy

UTC = timezone.utc
OFFICE = '{"tz": "UTC", "days": [0,1,2,3,4], "open": "08:00", "close": "18:00"}'
#: Friday 27 November 2026, 14:05 UTC.
FRIDAY_1405 = datetime(2026, 11, 27, 14, 5, tzinfo=UTC)
SATURDAY_NOON = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def office_email_policy(store) -> None:
    """E-mail in business hours (Mon-Fri 08:00-18:00, 4 h first response); urgent chat tighter; phone 24/7."""
    with store.transaction() as session:
        for policy in session.scalars(select(SlaPolicy)).all():
            session.delete(policy)
        session.add(SlaPolicy(channel="email", first_response_s=4 * 3600, next_update_s=8 * 3600,
                              resolution_s=16 * 3600, business_hours=OFFICE))
        session.add(SlaPolicy(channel="chat", priority="urgent", first_response_s=60, next_update_s=300,
                              resolution_s=3600, at_risk_fraction=0.5))
        session.add(SlaPolicy(channel="phone", first_response_s=90, resolution_s=8 * 3600))


def weekend_case(store, agents) -> Case:
    office_email_policy(store)
    service = CaseService(store, FrozenClock(FRIDAY_1405), agents["anna"])
    return service.create_case(customer="kim@example.com", channel="email", queue="Billing",
                               subject="Invoice address", body="Please change it")


def test_the_weekend_case_is_at_risk_by_the_one_rule(store, agents):
    case = weekend_case(store, agents)
    assert case.first_response_due == datetime(2026, 11, 30, 8, 5, tzinfo=UTC)  # Monday 08:05
    with store.session() as session:
        loaded = session.get(Case, case.id)
        policy = queries.policy_for(session, "email", "normal")
        countdown = sla.case_countdown(loaded, policy, SATURDAY_NOON)
    # 3 h 55 of 4 business hours used; 44 h 05 of wall-clock time left — business time decides.
    assert countdown.state == sla.SlaState.at_risk and countdown.target == "first_response"
    assert countdown.remaining_s == (44 * 60 + 5) * 60
    # On Friday at 14:05 the target had just started: ok.
    with store.session() as session:
        assert sla.case_countdown(session.get(Case, case.id), policy, FRIDAY_1405).state == sla.SlaState.ok


def grid_cases(store, agents) -> dict[str, int]:
    """Cases of every kind, created over Thursday and Friday of the weekend case's week."""
    office_email_policy(store)
    made = {}
    clock = FrozenClock(FRIDAY_1405)

    def create(name, at, channel, **kwargs):
        clock.set(at)
        service = CaseService(store, clock, agents["anna"])
        case = service.create_case(customer=f"{name}@example.com", channel=channel, queue="Billing" if
                                   channel != "chat" else "Delivery", subject=name, body="?", **kwargs)
        made[name] = case.id
        return service, case

    thursday = datetime(2026, 11, 26, 9, tzinfo=UTC)
    create("mail_fri", FRIDAY_1405, "email")
    create("mail_thu", thursday, "email")
    create("mail_evening", datetime(2026, 11, 27, 17, 30, tzinfo=UTC), "email")
    service, answered = create("mail_answered", thursday + timedelta(hours=2), "email")
    clock.set(thursday + timedelta(hours=3))
    service.reply(answered.id, "We are on it")
    clock.set(thursday + timedelta(hours=5))
    service.add_inbound(answered.id, "Any news?")  # the next-update clock runs in business time
    service, pending = create("mail_pending", thursday + timedelta(hours=1), "email")
    clock.set(thursday + timedelta(hours=2))
    service.reply(pending.id, "Which invoice?")
    service.set_status(pending.id, "pending")  # the resolution clock is paused
    create("phone_fri", FRIDAY_1405 + timedelta(minutes=30), "phone")
    service, called = create("phone_answered", FRIDAY_1405, "phone")
    clock.set(FRIDAY_1405 + timedelta(minutes=1))
    service.reply(called.id, "Hello")
    create("chat_urgent", FRIDAY_1405 + timedelta(hours=3), "chat", priority="urgent")
    create("chat_normal", FRIDAY_1405 + timedelta(hours=3), "chat")
    return made


#: From Friday afternoon over the weekend into Monday: ok, at risk, breached and paused all occur.
MOMENTS = [FRIDAY_1405 + timedelta(minutes=m) for m in (0, 31, 100, 180, 181, 180 + 45, 235)] + [
    SATURDAY_NOON, datetime(2026, 11, 30, 7, 59, tzinfo=UTC), datetime(2026, 11, 30, 8, 5, tzinfo=UTC),
    datetime(2026, 11, 30, 8, 6, tzinfo=UTC), datetime(2026, 11, 30, 12, tzinfo=UTC)]


def the_function(store, now) -> dict[int, sla.Countdown]:
    with store.session() as session:
        cases = session.scalars(select(Case)).all()
        return {c.id: sla.case_countdown(c, queries.policy_for(session, c.channel, c.priority), now) for c in cases}


def test_every_surface_agrees_with_the_one_function_on_a_grid(store, agents, cli, monkeypatch):
    made = grid_cases(store, agents)
    seen = set()
    for now in MOMENTS:
        truth = the_function(store, now)
        seen.update(c.state for c in truth.values())
        with store.session() as session:
            ids = sorted(truth)
            # The queue row (and `case list`): sla.row_countdown over queue_rows and the store's policies.
            rows = queries.queue_rows(session, ids)
            policies = queries.all_policies(session)
            for case_id in ids:
                assert sla.row_countdown(rows[case_id], policies, now) == truth[case_id], (now, case_id)
                # The case header lists running_targets; its first is the case's state.
                case = session.get(Case, case_id)
                targets = sla.running_targets(case, queries.policy_for(session, case.channel, case.priority), now)
                if targets:
                    assert targets[0].state == truth[case_id].state, (now, case_id)
        # The monitor's counts (SQL thresholds from sla.at_risk_horizon) and its drill-down lists.
        snapshot = compute_snapshot(store, FrozenClock(now), tz=UTC)
        for state, figure in ((sla.SlaState.at_risk, "at_risk"), (sla.SlaState.breached, "breached")):
            expected = {i for i, c in truth.items() if c.state == state}
            assert getattr(snapshot.floor, figure) == len(expected), (now, figure)
            for queue in ("Billing", "Delivery"):
                in_queue = {i for i in expected if rows[i]["queue"] == queue}
                group = snapshot.queue(queue)
                assert (group.__getattribute__(figure) if group else 0) == len(in_queue), (now, queue, figure)
            assert set(drill_case_ids(store, now, Drill(figure))) == expected, (now, figure)
            _total, listed = drill_down(store, now, Drill(figure))
            assert {row["id"]: row["sla"] for row in listed} == {i: truth[i] for i in expected}, (now, figure)
        # The CLI: case list --json and case show --json, as processes would print them at `now`.
        monkeypatch.setattr(SystemClock, "now", lambda self, now=now: now)
        listed = json.loads(cli("case", "list", "--view", "all", "--limit", "100", "--json").stdout)
        by_key = {item["key"]: item for item in listed}
        with store.session() as session:
            keys = {c.id: c.key for c in session.scalars(select(Case)).all()}
        assert set(by_key) == set(keys.values())
        for case_id, countdown in truth.items():
            item = by_key[keys[case_id]]
            assert (item["sla_state"], item["sla_remaining_s"], item["sla_target"]) == (
                str(countdown.state), countdown.remaining_s, countdown.target), (now, keys[case_id])
        for name in ("mail_fri", "mail_answered", "chat_urgent"):
            shown = json.loads(cli("case", "show", keys[made[name]], "--json").stdout)["sla"]
            assert shown["state"] == str(truth[made[name]].state), (now, name)
    assert {sla.SlaState.ok, sla.SlaState.at_risk, sla.SlaState.breached, sla.SlaState.paused} <= seen
