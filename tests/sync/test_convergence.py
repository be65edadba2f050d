"""Two consoles on one server: concurrent work converges; a claim race gives one clear conflict."""

from __future__ import annotations

import pytest

from tests.sync.conftest import canonical_dump, dumps, outbox_statuses, server_dump


def test_two_consoles_converge_after_concurrent_work(team):
    converge(team)


@pytest.mark.postgres
def test_two_consoles_converge_on_a_postgresql_server(pg_floor):
    converge(pg_floor)


def converge(team):
    anna = team.console("ben")
    sue = team.console("sue")
    first = anna.cases().create_case(customer="carla@example.com", channel="email", queue="General",
                                     subject="Parcel lost", body="Where is my parcel?")
    second = sue.cases().create_case(customer="dora@example.com", channel="phone", queue="Billing",
                                     subject="Charged twice", body="I paid twice.", priority="high")
    anna.sync()
    sue.sync()
    anna.sync()
    # Both consoles now know both cases; each works on the other's case at the same time.
    anna.cases().note(anna.case(second.uid).id, "Checked the payment log.")
    sue.cases().reply(sue.case(first.uid).id, "We are looking for your parcel.")
    sue.cases().set_priority(sue.case(first.uid).id, "urgent")
    anna.cases().claim(anna.case(second.uid).id)
    for console in (anna, sue, anna, sue):
        console.sync()
    assert anna.pending() == sue.pending() == 0
    on_server = server_dump(team.server)
    assert canonical_dump(anna.store) == on_server, dumps(on_server)
    assert canonical_dump(sue.store) == on_server
    case = on_server["cases"][second.uid]
    assert case["assignee"] == "ben" and case["key"].startswith("AC-")
    assert on_server["cases"][first.uid]["priority"] == "urgent"
    threads = {uid: sorted(m["body"] for m in on_server["messages"].values() if m["case"] == uid)
               for uid in (first.uid, second.uid)}
    assert threads == {first.uid: ["We are looking for your parcel.", "Where is my parcel?"],
                       second.uid: ["Checked the payment log.", "I paid twice."]}


def test_a_claim_race_gives_one_clear_conflict_and_the_loser_sees_the_winner(team):
    ben = team.console("ben")
    sue = team.console("sue")
    case = sue.cases().create_case(customer="eve@example.com", channel="chat", queue="General",
                                   subject="Login fails", body="I cannot log in.")
    sue.sync()
    ben.sync()
    # Both claim before either has synced.
    sue.cases().claim(sue.case(case.uid).id)
    ben.cases().claim(ben.case(case.uid).id)
    won = sue.sync()
    lost = ben.sync()
    assert won.notices == []
    assert len(lost.notices) == 1
    notice = lost.notices[0]
    assert notice.status == "conflict" and notice.kind == "case.claim"
    assert "already claimed by Sue Supervisor" in notice.text()
    assert notice.case_key == ben.case(case.uid).key
    # The loser's console shows the server's state: Sue holds the case.
    assert ben.case(case.uid).assignee_id == _agent_id(ben, "sue")
    assert list(outbox_statuses(ben.store).values()).count("conflict") == 1
    from agent_console.sync.engine import notices

    assert [n.op_id for n in notices(ben.store)] == [notice.op_id]


def _agent_id(console, login):
    from sqlalchemy import select

    from agent_console.store.models import Agent

    with console.store.session() as session:
        return session.scalar(select(Agent.id).where(Agent.login == login))


def test_the_supervisors_monitor_shows_the_team_once_synced(team):
    """The monitor computes from the local store; once synced, that store holds the floor's work."""
    from datetime import timezone

    from agent_console.domain.clock import SystemClock
    from agent_console.domain.monitor import compute_snapshot

    ben = team.console("ben")
    sue = team.console("sue")
    sue.sync()
    before = compute_snapshot(sue.store, SystemClock(), tz=timezone.utc)
    for n in range(3):
        case = ben.cases().create_case(customer=f"mon{n}-{id(ben)}@example.com", channel="phone", queue="Technical",
                                       subject=f"Monitor {n}", body="Line dead.")
    ben.cases().claim(ben.case(case.uid).id)
    ben.sync()
    sue.sync()
    after = compute_snapshot(sue.store, SystemClock(), tz=timezone.utc)
    assert after.floor.open_cases == before.floor.open_cases + 3
    assert after.queue("Technical").created_today == (before.queue("Technical").created_today
                                                     if before.queue("Technical") else 0) + 3
    assert "ben" in [a.login for a in after.agents]
