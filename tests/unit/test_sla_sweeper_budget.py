"""A budgeted sweep records at most its budget of cases per run and the next runs continue where it stopped."""

from datetime import timedelta

from sqlalchemy import func, select

from agent_console.domain.cases import CaseService
from agent_console.domain.sla_monitor import SlaSweeper
from agent_console.store.models import SlaEvent


def test_budgeted_sweeps_work_off_a_backlog_without_recording_twice(store, agents, clock):
    system = CaseService(store, clock, None)
    for i in range(7):
        system.create_case(customer=f"c{i}@example.com", channel="phone", queue="Technical", subject=f"call {i}",
                           body="?", created_at=clock.now() - timedelta(minutes=10))
    sweeper = SlaSweeper(store, clock)

    first = sweeper.run_once(max_cases=3)
    assert len({b.case_id for b in first.breaches}) == 3 and first.remaining
    second = sweeper.run_once(max_cases=3)
    assert len({b.case_id for b in second.breaches}) == 3 and second.remaining
    third = sweeper.run_once(max_cases=3)
    assert len({b.case_id for b in third.breaches}) == 1 and not third.remaining
    assert sweeper.run_once(max_cases=3).breaches == []

    breached_cases = {b.case_id for run in (first, second, third) for b in run.breaches}
    assert len(breached_cases) == 7
    with store.session() as session:
        events = session.scalar(select(func.count()).select_from(SlaEvent).where(SlaEvent.event == "breached"))
    assert events == sum(len(run.breaches) for run in (first, second, third))
