"""A merge syncs as one op and converges with an edit made at the same time on another console."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.sync.conftest import canonical_dump, dumps, server_dump


def _merged_into(console, uid: str) -> str | None:
    from agent_console.store.models import Case

    with console.store.session() as session:
        case = session.scalars(select(Case).where(Case.uid == uid)).one()
        if case.merged_into_id is None:
            return None
        return session.get(Case, case.merged_into_id).uid


def _merge_ops(console) -> list[dict]:
    from agent_console.store.models import OutboxOp

    with console.store.session() as session:
        return [json.loads(op.payload) for op in session.scalars(select(OutboxOp).where(OutboxOp.kind == "case.merge"))]


def merge_racing_an_edit(team):
    from agent_console.domain.case_merge import CaseMergeService
    from agent_console.domain.clock import SystemClock

    ben, sue = team.console("ben"), team.console("sue")
    mail = ben.cases().create_case(customer="carla@example.com", channel="email", queue="General",
                                   subject="Heizung kalt", body="Die Therme zeigt F28.")
    call = ben.cases().create_case(customer="carla@example.com", channel="phone", queue="General",
                                   subject="Anruf", body="Ruft wegen der Mail an.")
    for console in (ben, sue):
        console.sync()
    # Ben merges the call into the mail; at the same time Sue answers on the call and raises the mail's priority.
    CaseMergeService(ben.store, SystemClock(), ben.agent).merge(ben.case(call.uid).key, ben.case(mail.uid).key)
    assert len(_merge_ops(ben)) == 1
    sue.cases().reply(sue.case(call.uid).id, "Wir rufen gleich zurück.")
    sue.cases().set_priority(sue.case(mail.uid).id, "high")
    for console in (ben, sue, ben, sue):
        console.sync()
    assert ben.pending() == sue.pending() == 0
    on_server = server_dump(team.server)
    assert canonical_dump(ben.store) == on_server, dumps(on_server)
    assert canonical_dump(sue.store) == on_server, dumps(on_server)
    thread = sorted(m["body"] for m in on_server["messages"].values() if m["case"] == mail.uid)
    assert thread == ["Die Therme zeigt F28.", "Ruft wegen der Mail an.", "Wir rufen gleich zurück."]
    assert on_server["cases"][call.uid]["status"] == "closed"
    assert on_server["cases"][mail.uid]["priority"] == "high"
    assert _merged_into(ben, call.uid) == _merged_into(sue, call.uid) == mail.uid


def test_a_merge_racing_an_edit_converges_on_both_consoles(team):
    merge_racing_an_edit(team)


@pytest.mark.postgres
def test_a_merge_racing_an_edit_converges_on_a_postgresql_server(pg_floor):
    merge_racing_an_edit(pg_floor)


def test_a_link_reaches_the_other_console(team):
    from agent_console.domain.case_merge import CaseMergeService, shown_links
    from agent_console.domain.clock import SystemClock
    from agent_console.store import queries

    ben, sue = team.console("ben"), team.console("sue")
    a = ben.cases().create_case(customer="dora@example.com", channel="email", queue="General", subject="A", body="a")
    b = ben.cases().create_case(customer="dora@example.com", channel="chat", queue="General", subject="B", body="b")
    CaseMergeService(ben.store, SystemClock(), ben.agent).link(ben.case(a.uid).key, ben.case(b.uid).key, "parent")
    ben.sync()
    sue.sync()
    with sue.store.session() as session:
        links = shown_links(session, queries.case_by_key(session, sue.case(b.uid).key))
    assert [(link.kind, link.uid) for link in links] == [("parent", a.uid)]
    CaseMergeService(sue.store, SystemClock(), sue.agent).unlink(sue.case(a.uid).key, sue.case(b.uid).key)
    sue.sync()
    ben.sync()
    with ben.store.session() as session:
        assert shown_links(session, queries.case_by_key(session, ben.case(a.uid).key)) == []


def test_a_console_syncing_for_the_first_time_knows_where_a_merged_case_went(team):
    from agent_console.domain.case_merge import CaseMergeService
    from agent_console.domain.clock import SystemClock

    ben = team.console("ben")
    mail = ben.cases().create_case(customer="erik@example.com", channel="email", queue="General",
                                   subject="Kalt", body="Heizung aus.")
    call = ben.cases().create_case(customer="erik@example.com", channel="phone", queue="General",
                                   subject="Anruf", body="Wegen der Heizung.")
    CaseMergeService(ben.store, SystemClock(), ben.agent).merge(ben.case(call.uid).key, ben.case(mail.uid).key)
    ben.sync()
    newcomer = team.console("sue")  # both cases reach it in one page of its first pull
    newcomer.sync()
    assert _merged_into(newcomer, call.uid) == mail.uid


def test_a_merge_on_another_console_folds_this_consoles_drafts_and_moves_the_sla_history(team):
    from agent_console.domain.case_merge import CaseMergeService
    from agent_console.domain.clock import SystemClock
    from agent_console.store.models import Draft, SlaEvent

    ben, sue = team.console("ben"), team.console("sue")
    mail = ben.cases().create_case(customer="fritz@example.com", channel="email", queue="General",
                                   subject="Rechnung", body="Rechnung doppelt.")
    call = ben.cases().create_case(customer="fritz@example.com", channel="phone", queue="General",
                                   subject="Anruf", body="Wegen der Rechnung.")
    for console in (ben, sue):
        console.sync()
    now = SystemClock().now()
    with sue.store.transaction() as session:
        session.add_all([Draft(case_id=sue.case(mail.uid).id, agent_id=sue.agent.id, kind="reply",
                               body="Hallo Fritz,", updated_at=now),
                         Draft(case_id=sue.case(call.uid).id, agent_id=sue.agent.id, kind="reply",
                               body="die Gutschrift kommt.", updated_at=now),
                         Draft(case_id=sue.case(call.uid).id, agent_id=sue.agent.id, kind="note",
                               body="Kunde verärgert", updated_at=now)])
    call_key = ben.case(call.uid).key
    CaseMergeService(ben.store, SystemClock(), ben.agent).merge(call_key, ben.case(mail.uid).key)
    ben.sync()
    sue.sync()
    with sue.store.session() as session:
        drafts = {d.kind: (d.case_id, d.body) for d in session.scalars(select(Draft))}
        source_events = session.scalars(select(SlaEvent.id).where(SlaEvent.case_id == sue.case(call.uid).id)).all()
        target_events = session.scalars(select(SlaEvent.id).where(SlaEvent.case_id == sue.case(mail.uid).id)).all()
    target_id = sue.case(mail.uid).id
    assert drafts == {"reply": (target_id, f"Hallo Fritz,\n\n— from {call_key} —\ndie Gutschrift kommt."),
                      "note": (target_id, "Kunde verärgert")}
    assert source_events == [] and len(target_events) >= 2
    assert canonical_dump(sue.store) == server_dump(team.server)
