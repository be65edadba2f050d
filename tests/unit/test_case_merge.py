"""Merging, linking and splitting cases in the domain (issue #21 points 2–4)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from agent_console.domain.case_merge import CaseMergeService, possible_duplicates, shown_links
from agent_console.domain.cases import CaseError, CaseService
from agent_console.domain.metrics import fcr
from agent_console.store import queries
from agent_console.store.models import (
    AuditEvent,
    Call,
    Case,
    HandlingSegment,
    OutboxOp,
    Survey,
)


@pytest.fixture
def two_cases(store, clock, agents):
    """A mail yesterday and the customer's call about it today: two cases of one customer."""
    anna = CaseService(store, clock, agents["anna"])
    mail = anna.create_case(customer="k.mueller@example.de", customer_name="Kerstin Müller",
                            customer_phone="030 1234567", channel="email", queue="Technik",
                            subject="Heizung kalt", body="Die Therme zeigt F28.")
    clock.advance(hours=2)
    anna.reply(mail.key, "Wir schauen uns das an.")
    clock.advance(hours=20)
    call = anna.create_case(customer="+49 30 1234567", channel="phone", queue="Technik",
                            subject="Anruf wegen Heizung", body="Kundin ruft wegen ihrer Mail an.")
    return mail, call


def _thread(store, key):
    with store.session() as session:
        case = queries.case_by_key(session, key)
        return [(m.body, m.created_at) for m in queries.thread(session, case.id)]


def test_merge_moves_the_thread_in_time_order_and_closes_the_source(store, clock, agents, two_cases):
    mail, call = two_cases
    with store.transaction() as session:
        call_id = session.scalars(select(Case.id).where(Case.key == call.key)).one()
        session.add(HandlingSegment(case_id=call_id, agent_id=agents["anna"].id, started_at=clock.now(),
                                    ended_at=clock.advance(minutes=4)))
        session.add(Call(call_id="c-1", direction="in", from_number="+49301234567", to_number="100",
                         first_seen_at=clock.now(), case_id=call_id))
        session.add(Survey(case_id=call_id, csat=5, created_at=clock.now()))
    CaseMergeService(store, clock, agents["anna"]).merge(call.key, mail.key)

    bodies = [body for body, _at in _thread(store, mail.key)]
    assert bodies == ["Die Therme zeigt F28.", "Wir schauen uns das an.", "Kundin ruft wegen ihrer Mail an."]
    times = [at for _body, at in _thread(store, mail.key)]
    assert times == sorted(times)
    assert _thread(store, call.key) == []
    with store.session() as session:
        source = queries.case_by_key(session, call.key)
        target = queries.case_by_key(session, mail.key)
        assert (source.status, source.is_open, source.merged_into_id) == ("closed", False, target.id)
        assert target.contact_count == 2
        for model in (HandlingSegment, Call, Survey):
            assert session.scalars(select(model.case_id)).all() == [target.id]
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "case.merge")).all()
        assert json.loads(event.detail)["target"] == mail.key
        (op,) = session.scalars(select(OutboxOp).where(OutboxOp.kind == "case.merge")).all()
        assert json.loads(op.payload) == {"source_uid": source.uid, "target_uid": target.uid,
                                          "across_customers": False}


def test_the_target_clock_follows_its_earliest_unanswered_contact(store, clock, agents, two_cases):
    mail, call = two_cases
    with store.session() as session:
        waiting_since_call = queries.case_by_key(session, call.key).first_response_due
    CaseMergeService(store, clock, agents["anna"]).merge(call.key, mail.key)
    with store.session() as session:
        target = queries.case_by_key(session, mail.key)
        # The mail was answered; the call's contact waits: the next-update target is the call's answer time.
        assert target.next_update_due == waiting_since_call
        assert target.sla_due_at == waiting_since_call


def test_fcr_counts_the_merged_contact_as_a_repeat(store, clock, agents, two_cases):
    mail, call = two_cases
    CaseMergeService(store, clock, agents["anna"]).merge(call.key, mail.key)
    start = clock.now()
    CaseService(store, clock, agents["anna"]).resolve(mail.key)
    clock.advance(days=8)
    with store.session() as session:
        (row,) = fcr(session, start, clock.now(), now=clock.now())
    assert (row.count, row.detail["resolved_first_contact"]) == (1, 0)


def test_writes_to_a_merged_case_land_on_its_target(store, clock, agents, two_cases):
    mail, call = two_cases
    CaseMergeService(store, clock, agents["anna"]).merge(call.key, mail.key)
    CaseService(store, clock, agents["anna"]).reply(call.key, "Rückruf erledigt.")
    assert _thread(store, mail.key)[-1][0] == "Rückruf erledigt."
    assert _thread(store, call.key) == []


@pytest.mark.parametrize("case", ["itself", "merged target", "merged source"])
def test_merge_refusals(store, clock, agents, two_cases, case):
    mail, call = two_cases
    merging = CaseMergeService(store, clock, agents["anna"])
    third = CaseService(store, clock, agents["anna"]).create_case(
        customer="k.mueller@example.de", channel="chat", queue="Technik", subject="Chat", body="Hallo?")
    if case == "itself":
        source, target, message = mail.key, mail.key, "itself"
    else:
        merging.merge(call.key, mail.key)
        source, target = (third.key, call.key) if case == "merged target" else (call.key, third.key)
        message = "merge into that one" if case == "merged target" else "merged already"
    with pytest.raises(CaseError, match=message):
        merging.merge(source, target)


def test_merge_across_customers_needs_saying_so(store, clock, agents, two_cases):
    mail, _call = two_cases
    other = CaseService(store, clock, agents["anna"]).create_case(
        customer="someone@example.com", channel="chat", queue="Technik", subject="Heizung", body="kalt")
    merging = CaseMergeService(store, clock, agents["anna"])
    with pytest.raises(CaseError, match="different customers"):
        merging.merge(other.key, mail.key)
    assert _thread(store, other.key) != []
    merging.merge(other.key, mail.key, across_customers=True)
    assert _thread(store, other.key) == []


def test_links_show_in_both_cases_and_unlink(store, clock, agents, two_cases):
    mail, call = two_cases
    merging = CaseMergeService(store, clock, agents["anna"])
    merging.link(mail.key, call.key, "parent")
    with store.session() as session:
        assert [(link.kind, link.key) for link in shown_links(session, queries.case_by_key(session, mail.key))] == \
            [("child", call.key)]
        assert [(link.kind, link.key) for link in shown_links(session, queries.case_by_key(session, call.key))] == \
            [("parent", mail.key)]
    with pytest.raises(CaseError, match="unknown link kind"):
        merging.link(mail.key, call.key, "cousin")
    assert merging.unlink(call.key, mail.key) is True
    assert merging.unlink(call.key, mail.key) is False


def test_a_merge_carries_links_along_without_linking_a_case_to_itself(store, clock, agents, two_cases):
    mail, call = two_cases
    merging = CaseMergeService(store, clock, agents["anna"])
    third = CaseService(store, clock, agents["anna"]).create_case(
        customer="k.mueller@example.de", channel="chat", queue="Technik", subject="Chat", body="Hallo?")
    merging.link(call.key, mail.key, "duplicate")
    merging.link(call.key, third.key, "related")
    merging.merge(call.key, mail.key)
    with store.session() as session:
        target = queries.case_by_key(session, mail.key)
        assert [(link.kind, link.key) for link in shown_links(session, target)] == [("related", third.key)]


def test_split_starts_a_new_case_for_the_same_customer(store, clock, agents, two_cases):
    mail, _call = two_cases
    service = CaseService(store, clock, agents["anna"])
    service.add_inbound(mail.key, "Und noch etwas anderes: meine Rechnung.")
    new_case = CaseMergeService(store, clock, agents["anna"]).split(mail.key, [3])
    assert [body for body, _at in _thread(store, new_case.key)] == ["Und noch etwas anderes: meine Rechnung."]
    assert len(_thread(store, mail.key)) == 2
    with store.session() as session:
        assert queries.case_by_key(session, new_case.key).customer_id == \
            queries.case_by_key(session, mail.key).customer_id
    with pytest.raises(CaseError, match="no message 9"):
        CaseMergeService(store, clock, agents["anna"]).split(mail.key, [9])
    with pytest.raises(CaseError, match="at least one message"):
        CaseMergeService(store, clock, agents["anna"]).split(mail.key, [1, 2])


def test_possible_duplicates_by_any_address_or_number(store, clock, agents, two_cases):
    mail, call = two_cases
    with store.session() as session:
        found = possible_duplicates(session, queries.case_by_key(session, call.key), clock.now())
        assert [c.key for c in found] == [mail.key]
    clock.advance(days=8)
    with store.session() as session:
        assert possible_duplicates(session, queries.case_by_key(session, call.key), clock.now()) == []


@pytest.mark.parametrize("threaded_by", ["in-reply-to", "key in subject"])
def test_a_customer_mail_reply_to_the_merged_case_lands_on_its_target(store, clock, agents, threaded_by):
    from agent_console.domain.mail_intake import IntakeOptions, ingest

    options = IntakeOptions(mail_from="Support <support@shop.example>", queue="General")
    first = (b"From: Kerstin <k.mueller@example.de>\r\nSubject: Heizung kalt\r\nMessage-ID: <m1@example.de>\r\n\r\n"
             b"Die Therme zeigt F28.")
    second = (b"From: Kerstin <k.mueller@example.de>\r\nSubject: Noch einmal die Heizung\r\n"
              b"Message-ID: <m2@example.de>\r\n\r\nImmer noch kalt.")
    target = ingest(store, clock, first, options).case_key
    source = ingest(store, clock, second, options).case_key
    CaseMergeService(store, clock, agents["anna"]).merge(source, target)
    if threaded_by == "in-reply-to":
        reply = (b"From: Kerstin <k.mueller@example.de>\r\nSubject: Re: Noch einmal\r\nMessage-ID: <m3@example.de>\r\n"
                 b"In-Reply-To: <m2@example.de>\r\n\r\nDanke!")
    else:
        reply = (f"From: Kerstin <k.mueller@example.de>\r\nSubject: Re: [{source}] Noch einmal\r\n"
                 f"Message-ID: <m3@example.de>\r\n\r\nDanke!").encode()
    assert ingest(store, clock, reply, options).case_key == target
    assert _thread(store, target)[-1][0] == "Danke!"


def test_a_merge_moves_sla_history_and_keeps_both_surveys_counted(store, clock, agents, two_cases):
    from datetime import timedelta

    from agent_console.domain.metrics import csat
    from agent_console.store.models import SlaEvent

    mail, call = two_cases
    with store.transaction() as session:
        ids = dict(session.execute(select(Case.key, Case.id).where(Case.key.in_([mail.key, call.key]))).all())
        session.add(Survey(case_id=ids[mail.key], csat=2, created_at=clock.now()))
        session.add(Survey(case_id=ids[call.key], csat=5, created_at=clock.now()))
        session.add(SlaEvent(case_id=ids[call.key], target="first_response", event="breached", at=clock.now()))
        before = {key: len(session.scalars(select(SlaEvent.id).where(SlaEvent.case_id == ids[key])).all())
                  for key in ids}
    CaseMergeService(store, clock, agents["anna"]).merge(call.key, mail.key)
    with store.session() as session:
        target_events = session.scalars(select(SlaEvent).where(SlaEvent.case_id == ids[mail.key])).all()
        assert len(target_events) >= before[mail.key] + before[call.key]
        assert any(e.event == "breached" for e in target_events)
        assert session.scalars(select(SlaEvent.id).where(SlaEvent.case_id == ids[call.key])).all() == []
        # One survey per case: the target keeps its own answer, the source's stays where the reports count it.
        surveys = dict(session.execute(select(Survey.case_id, Survey.csat)).all())
        assert surveys == {ids[mail.key]: 2, ids[call.key]: 5}
        (row,) = csat(session, clock.now() - timedelta(days=1), clock.now() + timedelta(days=1))
        assert (row.count, row.detail["satisfied"]) == (2, 1)


def test_a_merge_appends_the_source_draft_to_the_target_draft_of_the_same_agent(store, clock, agents, two_cases):
    from agent_console.store.models import Draft

    mail, call = two_cases
    anna, ben = agents["anna"].id, agents["ben"].id
    with store.transaction() as session:
        ids = dict(session.execute(select(Case.key, Case.id).where(Case.key.in_([mail.key, call.key]))).all())
        session.add_all([
            Draft(case_id=ids[mail.key], agent_id=anna, kind="reply", body="Guten Tag,", updated_at=clock.now()),
            Draft(case_id=ids[call.key], agent_id=anna, kind="reply", body="die Therme läuft.",
                  updated_at=clock.now()),
            Draft(case_id=ids[call.key], agent_id=anna, kind="note", body="Rückruf vereinbart",
                  updated_at=clock.now()),
            Draft(case_id=ids[call.key], agent_id=ben, kind="reply", body="Bens Antwort", updated_at=clock.now()),
        ])
    CaseMergeService(store, clock, agents["anna"]).merge(call.key, mail.key)
    with store.session() as session:
        drafts = {(d.agent_id, d.kind): d.body for d in session.scalars(select(Draft))}
        assert session.scalars(select(Draft.case_id).distinct()).all() == [ids[mail.key]]
    assert drafts[(anna, "reply")] == f"Guten Tag,\n\n— from {call.key} —\ndie Therme läuft."
    assert drafts[(anna, "note")] == "Rückruf vereinbart"
    assert drafts[(ben, "reply")] == "Bens Antwort"
