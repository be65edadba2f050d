"""SLA due times with policies and business hours, pauses, the running-target list, and the breach sweeper."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from agent_console.domain import sla
from agent_console.domain.cases import CaseService
from agent_console.domain.escalation import flagged_case_ids
from agent_console.domain.sla_monitor import SlaSweeper
from agent_console.store import queries
from agent_console.store.models import AuditEvent, Case, Escalation, OutboxOp, SlaEvent, SlaPolicy
from agent_console.widgets.labels import format_targets

UTC = timezone.utc
BERLIN_OFFICE = '{"tz": "Europe/Berlin", "days": [0,1,2,3,4], "open": "08:00", "close": "18:00"}'


def add_policy(store, **fields) -> None:
    with store.transaction() as session:
        session.add(SlaPolicy(**fields))


def load(store, case_id) -> Case:
    with store.session() as session:
        return session.get(Case, case_id)


def events(store, case_id) -> list[tuple[str, str]]:
    with store.session() as session:
        return [(e.target, e.event) for e in session.scalars(
            select(SlaEvent).where(SlaEvent.case_id == case_id).order_by(SlaEvent.id))]


def phone_case(store, clock, agent, **kwargs) -> Case:
    return CaseService(store, clock, agent).create_case(customer="+49 30 555", channel="phone", queue="Billing",
                                                        subject="Anruf", body="(call)", **kwargs)


def test_due_times_follow_business_hours_and_pending_pauses_in_business_time(store, agents, clock):
    add_policy(store, channel="email", priority=None, first_response_s=4 * 3600, next_update_s=None,
               resolution_s=8 * 3600, business_hours=BERLIN_OFFICE)
    # Friday 27 Nov 2026, 16:00 in Berlin (15:00 UTC).
    clock.set(datetime(2026, 11, 27, 15, tzinfo=UTC))
    svc = CaseService(store, clock, agents["anna"])
    case = svc.create_case(customer="k@example.de", channel="email", queue="Billing", subject="Frage", body="?")
    # First response: 2 h on Friday + 2 h on Monday from 08:00 CET -> Monday 10:00 CET = 09:00 UTC.
    assert case.first_response_due == datetime(2026, 11, 30, 9, tzinfo=UTC)
    # Resolution: 2 h Friday + 6 h Monday -> Monday 14:00 CET = 13:00 UTC.
    assert case.resolution_due == datetime(2026, 11, 30, 13, tzinfo=UTC)

    svc.reply(case.id, "Wir melden uns.")
    clock.set(datetime(2026, 11, 27, 16, tzinfo=UTC))  # Friday 17:00 CET: waiting for the customer
    svc.set_status(case.id, "pending")
    assert load(store, case.id).sla_due_at is None  # the resolution clock is paused
    clock.set(datetime(2026, 11, 30, 8, tzinfo=UTC))  # Monday 09:00 CET: the customer answered
    svc.set_status(case.id, "open")

    resumed = load(store, case.id)
    # Paused for 1 h of Friday's and 1 h of Monday's open time (the weekend is not open time): 2 h later.
    assert resumed.sla_paused_seconds == 2 * 3600
    assert resumed.resolution_due == datetime(2026, 11, 30, 15, tzinfo=UTC)
    assert ("resolution", "paused") in events(store, case.id) and ("resolution", "resumed") in events(store, case.id)


def test_due_times_are_recomputed_on_priority_and_channel_change(store, agents, clock):
    add_policy(store, channel="phone", priority="urgent", first_response_s=30, next_update_s=None,
               resolution_s=3600)
    svc = CaseService(store, clock, agents["anna"])
    case = phone_case(store, clock, agents["anna"])
    assert case.first_response_due == clock.now() + timedelta(seconds=90)
    svc.set_priority(case.id, "urgent")
    urgent = load(store, case.id)
    assert urgent.first_response_due == clock.now() + timedelta(seconds=30)
    assert urgent.resolution_due == clock.now() + timedelta(hours=1)
    svc.set_channel(case.id, "email")  # no email policy: the built-in email targets (4 h / 3 d)
    email = load(store, case.id)
    assert email.first_response_due == clock.now() + timedelta(hours=4)
    assert email.resolution_due == clock.now() + timedelta(days=3)


def test_running_targets_for_the_case_header(store, agents, clock):
    case = phone_case(store, clock, agents["anna"])
    clock.advance(75)  # 15 s of 90 s left: past 80 % of the target -> at risk
    line = format_targets(sla.running_targets(load(store, case.id), None, clock.now()))
    assert line == "first response 0:15 ▲ at risk · resolution 7h58m ●"

    CaseService(store, clock, agents["anna"]).reply(case.id, "Guten Tag")
    clock.advance(8 * 3600)
    statuses = sla.running_targets(load(store, case.id), None, clock.now())
    assert [(s.target, s.state) for s in statuses] == [("resolution", "breached")]
    assert format_targets(statuses) == "resolution -1:15 ✖ breached"


def test_a_paused_target_is_listed_last_without_a_countdown(store, agents, clock):
    svc = CaseService(store, clock, agents["anna"])
    case = phone_case(store, clock, agents["anna"])
    svc.set_status(case.id, "pending")
    statuses = sla.running_targets(load(store, case.id), None, clock.now())
    assert format_targets(statuses) == "first response 1:30 ● · resolution ‖ paused"


def test_breach_exactly_at_the_due_time_is_not_a_breach_one_second_later_is(store, agents, clock):
    case = phone_case(store, clock, agents["anna"])
    sweeper = SlaSweeper(store, clock)
    clock.advance(90)  # now == first_response_due
    assert sweeper.run_once().breaches == []
    assert not load(store, case.id).sla_breached
    clock.advance(seconds=0, microseconds=1)
    result = sweeper.run_once()
    assert [(b.case_key, b.target) for b in result.breaches] == [(case.key, "first_response")]
    assert load(store, case.id).sla_breached


def test_a_phone_case_unanswered_for_90_seconds_breaches_and_escalates_once(store, agents, clock):
    add_policy(store, channel="phone", priority="high", first_response_s=60, next_update_s=None,
               resolution_s=4 * 3600)
    case = phone_case(store, clock, agents["anna"])
    CaseService(store, clock, agents["anna"]).claim(case.id)
    sweeper = SlaSweeper(store, clock)
    clock.advance(91)
    result = sweeper.run_once()
    assert [(b.target, b.escalated) for b in result.breaches] == [("first_response", True)]

    escalated = load(store, case.id)
    assert escalated.priority == "high"  # one step up from normal
    assert escalated.sla_breached and escalated.escalation_level == 1
    assert escalated.assignee_id == agents["anna"].id  # the automatic rule flags; it does not take the case away
    # The high-priority policy moved the first-response due time (created + 60 s), which is also past.
    assert escalated.first_response_due == escalated.created_at + timedelta(seconds=60)

    clock.advance(30)
    second = sweeper.run_once()
    # The new due time is a new breach, recorded once, but the case is not escalated a second time.
    assert [(b.target, b.escalated) for b in second.breaches] == [("first_response", False)]
    assert sweeper.run_once().breaches == []
    assert load(store, case.id).priority == "high"

    with store.session() as session:
        rows = session.scalars(select(Escalation).where(Escalation.case_id == case.id)).all()
        assert [(r.kind, r.reason.startswith("SLA first_response breached")) for r in rows] == [("automatic", True)]
        assert flagged_case_ids(session) == [case.id]
        breaches = session.scalars(select(SlaEvent).where(SlaEvent.event == "breached")).all()
        assert [b.due_at - case.created_at for b in breaches] == [timedelta(seconds=90), timedelta(seconds=60)]
        actions = [a.action for a in session.scalars(select(AuditEvent).where(AuditEvent.entity_id == case.id))]
        assert "case.auto_escalate" in actions and actions.count("case.sla_breach") == 2
        priority_ops = session.scalars(select(OutboxOp).where(OutboxOp.kind == "case.update")).all()
        assert ['"priority": "high"' in op.payload for op in priority_ops] == [True]


def test_no_automatic_escalation_when_the_policy_says_so(store, agents, clock):
    add_policy(store, channel="phone", priority=None, first_response_s=90, next_update_s=None,
               resolution_s=8 * 3600, auto_escalate=False)
    case = phone_case(store, clock, agents["anna"])
    clock.advance(120)
    result = SlaSweeper(store, clock).run_once()
    assert [(b.target, b.escalated) for b in result.breaches] == [("first_response", False)]
    assert load(store, case.id).priority == "normal"


def test_a_next_update_breach_is_recorded_but_not_escalated(store, agents, clock):
    svc = CaseService(store, clock, agents["anna"])
    case = svc.create_case(customer="c@example.com", channel="chat", queue="Delivery", subject="Paket", body="?")
    svc.reply(case.id, "Moment bitte")
    clock.advance(60)
    svc.add_inbound(case.id, "Und?")  # the next-update clock starts: 15 min for chat
    clock.advance(15 * 60 + 1)
    result = SlaSweeper(store, clock).run_once()
    assert [(b.target, b.escalated) for b in result.breaches] == [("next_update", False)]
    assert events(store, case.id)[-1] == ("next_update", "breached")


def test_resolved_and_answered_cases_are_not_swept(store, agents, clock):
    svc = CaseService(store, clock, agents["anna"])
    answered = phone_case(store, clock, agents["anna"])
    svc.reply(answered.id, "Hallo")
    resolved = svc.create_case(customer="x@example.com", channel="phone", queue="Billing", subject="s", body="b")
    svc.resolve(resolved.id)
    clock.advance(3600)
    assert SlaSweeper(store, clock).run_once().breaches == []


@pytest.mark.parametrize("seconds, text", [(0, "0:00"), (65, "1:05"), (3 * 3600 + 12 * 60, "3h12m"),
                                           (2 * 86400 + 4 * 3600, "2d04h"), (-75, "-1:15")])
def test_format_remaining(seconds, text):
    assert sla.format_remaining(seconds) == text


def test_policy_lookup_prefers_the_priority_specific_policy(store):
    add_policy(store, channel="chat", priority=None, first_response_s=120, resolution_s=3600)
    add_policy(store, channel="chat", priority="urgent", first_response_s=30, resolution_s=1800)
    with store.session() as session:
        assert queries.policy_for(session, "chat", "urgent").first_response_s == 30
        assert queries.policy_for(session, "chat", "low").first_response_s == 120


def test_next_update_due_follows_a_priority_change(store, agents, clock):
    add_policy(store, channel="chat", priority="urgent", first_response_s=60, next_update_s=5 * 60,
               resolution_s=3600)
    svc = CaseService(store, clock, agents["anna"])
    case = svc.create_case(customer="n@example.com", channel="chat", queue="Delivery", subject="Paket", body="?")
    svc.reply(case.id, "Moment")
    clock.advance(60)
    svc.add_inbound(case.id, "Und?")
    waiting_since = clock.now()
    assert load(store, case.id).next_update_due == waiting_since + timedelta(minutes=15)  # built-in chat target
    clock.advance(30)
    svc.set_priority(case.id, "urgent")
    assert load(store, case.id).next_update_due == waiting_since + timedelta(minutes=5)


def test_the_running_targets_read_in_german(store, agents, clock):
    from agent_console import i18n

    case = phone_case(store, clock, agents["anna"])
    clock.advance(75)
    statuses = sla.running_targets(load(store, case.id), None, clock.now())
    i18n.set_language("de")
    try:
        assert format_targets(statuses) == "Erstreaktion 0:15 ▲ gefährdet · Lösung 7h58 ●"
    finally:
        i18n.set_language("en")
