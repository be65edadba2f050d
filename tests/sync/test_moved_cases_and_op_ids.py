"""What the sync client does at the trust boundaries of issue #14: a case moved out of the agent's queues leaves
the agent's console, and an op whose id the server had for a different op is reported, not counted as sent."""

from __future__ import annotations

from sqlalchemy import func, select, update


def _count(console, model, **where) -> int:
    with console.store.session() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.scalar(query)


def test_a_case_moved_out_of_the_agents_queues_leaves_the_console(team):
    from agent_console.store.models import Case, Message

    anna = team.console("anna")  # an agent of Billing only
    sue = team.console("sue")
    case = sue.cases().create_case(customer="moves@example.com", channel="email", queue="Billing",
                                   subject="Moves to General", body="Please help.")
    sue.sync()
    anna.sync()
    local = anna.case(case.uid)
    assert _count(anna, Message, case_id=local.id) == 1
    sue.cases().set_queue(sue.case(case.uid).id, "General")
    sue.sync()
    report = anna.sync()
    assert case.uid in report.pulled.dropped_case_uids
    assert _count(anna, Case, uid=case.uid) == 0
    assert _count(anna, Message, case_id=local.id) == 0


def test_a_reused_op_id_is_reported_as_refused_and_the_reply_kept(team):
    from agent_console.store.models import Draft, OutboxOp

    ben = team.console("ben")
    case = ben.cases().create_case(customer="reuse@example.com", channel="email", queue="General",
                                   subject="Op ids", body="Hello?")
    ben.sync()
    ben.cases().reply(ben.case(case.uid).id, "The first answer.")
    ben.sync()
    with ben.store.session() as session:
        spent = session.scalars(select(OutboxOp.op_id).where(OutboxOp.kind == "message.add")
                                .order_by(OutboxOp.id.desc())).first()
    ben.cases().reply(ben.case(case.uid).id, "A second, different answer.")
    with ben.store.transaction() as session:  # a console that hands out an op id twice (e.g. a restored backup)
        newest = session.scalar(select(func.max(OutboxOp.id)))
        session.execute(update(OutboxOp).where(OutboxOp.id == newest).values(op_id=spent + "-tmp"))
    with ben.store.transaction() as session:
        session.execute(update(OutboxOp).where(OutboxOp.op_id == spent).values(op_id=spent + "-old"))
        session.execute(update(OutboxOp).where(OutboxOp.id == newest).values(op_id=spent))
    report = ben.sync()
    assert [(n.status, n.kind) for n in report.notices] == [("rejected", "message.add")]
    assert "different operation" in report.notices[0].reason
    with ben.store.session() as session:
        assert session.scalar(select(OutboxOp.status).where(OutboxOp.id == newest)) == "rejected"
        drafts = session.scalars(select(Draft.body).where(Draft.kind == "reply")).all()
    assert "A second, different answer." in drafts


def test_a_moved_case_with_an_unsent_draft_stays_until_the_draft_is_gone(team):
    from agent_console.store.models import Case

    anna = team.console("anna")
    sue = team.console("sue")
    case = sue.cases().create_case(customer="drafts@example.com", channel="email", queue="Billing",
                                   subject="Has a draft", body="Hello?")
    sue.sync()
    anna.sync()
    local_id = anna.case(case.uid).id
    anna.cases().save_draft(local_id, "Half-written answer")
    sue.cases().set_queue(sue.case(case.uid).id, "General")
    sue.sync()
    anna.sync()
    assert anna.case(case.uid).queue == "General"  # kept, showing where it went: the text is not lost
    anna.cases().save_draft(local_id, "")
    anna.sync()
    assert _count(anna, Case, uid=case.uid) == 0
