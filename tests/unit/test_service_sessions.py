"""Domain services run in a session their caller opened (the server's op batch, a route, a sync round): every call
joins that transaction, and what the caller rolls back is gone — the same rules as with a transaction of their own."""

from sqlalchemy import func, select

from agent_console.domain.agents import upsert_agent
from agent_console.domain.cases import CaseService
from agent_console.domain.escalation import EscalationService
from agent_console.domain.handling import correct_time
from agent_console.store import queries
from agent_console.store.models import Agent, Case, Escalation, HandlingCorrection, Message


def _new_case(store, clock, agent) -> str:
    return CaseService(store, clock, agent).create_case(
        customer="kunde@example.de", channel="email", queue="Billing", subject="Rechnung", body="Hallo").key


def test_a_service_in_the_callers_session_writes_only_when_the_caller_commits(store, agents, clock):
    key = _new_case(store, clock, agents["anna"])
    with store.session() as session:
        service = CaseService.in_session(session, clock, session.get(Agent, agents["anna"].id))
        service.claim(key)
        service.reply(key, "Wir prüfen das.")
        # Seen inside the caller's transaction …
        assert queries.case_by_key(session, key).assignee_id == agents["anna"].id
        session.rollback()
    # … and gone with it.
    with store.session() as session:
        case = queries.case_by_key(session, key)
        assert case.assignee_id is None
        assert session.scalar(select(func.count()).select_from(Message).where(Message.case_id == case.id)) == 1

    with store.session() as session:
        CaseService.in_session(session, clock, session.get(Agent, agents["anna"].id)).claim(key)
        session.commit()
    with store.session() as session:
        assert queries.case_by_key(session, key).assignee_id == agents["anna"].id


def test_escalation_correction_and_accounts_join_the_callers_session(store, agents, clock):
    key = _new_case(store, clock, agents["anna"])
    CaseService(store, clock, agents["anna"]).claim(key)
    with store.session() as session:
        case = queries.case_by_key(session, key)
        EscalationService.in_session(session, clock, session.get(Agent, agents["anna"].id)).escalate(
            key, to_tier=2, reason="needs billing specialist")
        correct_time(None, clock, case.id, 60, "phone call not tracked", session.get(Agent, agents["sue"].id),
                     session=session)
        upsert_agent(None, clock, login="neu", name="Neu Agent", session=session)
        assert session.scalar(select(func.count()).select_from(Escalation)) == 1
        session.rollback()
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Escalation)) == 0
        assert session.scalar(select(func.count()).select_from(HandlingCorrection)) == 0
        assert session.scalars(select(Agent).where(Agent.login == "neu")).first() is None
        assert queries.case_by_key(session, key).tier == 1
