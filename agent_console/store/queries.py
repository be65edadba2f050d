"""Read queries shared by screens, CLI and services. Hot paths use Core selects, not ORM objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, func, literal, or_, select
from sqlmodel import Session

from agent_console.i18n import _
from agent_console.store.policy_lookup import policy_from  # noqa: F401  (re-exported: the one fallback rule)
from agent_console.store.models import (
    Agent,
    Case,
    CaseStatus,
    Customer,
    Escalation,
    FollowUp,
    Message,
    SlaPolicy,
)

C = Case.__table__.c
CU = Customer.__table__.c
A = Agent.__table__.c


class NotFound(LookupError):
    pass


def agent_by_login(session: Session, login: str) -> Agent:
    agent = session.scalars(select(Agent).where(Agent.login == login)).first()
    if agent is None:
        raise NotFound(_("no agent with login {login}").format(login=repr(login)))
    return agent


def case_by_key(session: Session, key: str) -> Case:
    case = session.scalars(select(Case).where(Case.key == key)).first()
    if case is None:
        raise NotFound(_("no case {key}").format(key=repr(key)))
    return case


def customer_by_contact(session: Session, contact: str) -> Customer | None:
    """Find a customer by e-mail (case-insensitive) or phone number (in E.164, as every number is stored)."""
    contact = contact.strip()
    if "@" in contact:
        return session.scalars(select(Customer).where(func.lower(Customer.email) == contact.lower())).first()
    return customer_by_phone(session, contact)


def customer_by_phone(session: Session, number: str | None) -> Customer | None:
    """The customer with this phone number in any common form (``030 1234567``, ``+49 30 …``); the oldest one when
    several share it. None for a withheld number or text that is no number."""
    from agent_console.domain.phone_numbers import NumberError, normalise_number

    try:
        e164 = normalise_number(number)
    except NumberError:
        return None
    if e164 is None:
        return None
    return session.scalars(select(Customer).where(Customer.phone == e164).order_by(Customer.id)).first()


def policy_for(session: Session, channel: str, priority: str | None) -> SlaPolicy | None:
    """The channel's policy for this priority, else the channel's default (priority NULL)."""
    rows = session.scalars(select(SlaPolicy).where(SlaPolicy.channel == channel)).all()
    return policy_from({(p.channel, p.priority): p for p in rows}, channel, priority)


def all_policies(session: Session) -> dict[tuple[str, str | None], SlaPolicy]:
    return {(p.channel, p.priority): p for p in session.scalars(select(SlaPolicy)).all()}


def thread(session: Session, case_id: int) -> list[Message]:
    return list(session.scalars(
        select(Message).where(Message.case_id == case_id).order_by(Message.created_at, Message.id)
    ).all())


def customer_cases(session: Session, customer_id: int) -> list[Case]:
    return list(session.scalars(
        select(Case).where(Case.customer_id == customer_id).order_by(Case.created_at.desc())
    ).all())


def open_follow_ups(session: Session, agent_id: int, due_before: datetime | None = None) -> list[FollowUp]:
    query = select(FollowUp).where(FollowUp.agent_id == agent_id, FollowUp.done_at.is_(None))
    if due_before is not None:
        query = query.where(FollowUp.due_at <= due_before)
    return list(session.scalars(query.order_by(FollowUp.due_at)).all())


def case_escalations(session: Session, case_id: int) -> list[dict]:
    """The case's escalations and de-escalations, oldest first, with who made them (login and name)."""
    E = Escalation.__table__.c
    by = Agent.__table__.alias("by_agent")
    rows = session.execute(
        select(E.kind, E.from_tier, E.to_tier, E.from_queue, E.to_queue, E.reason, E.created_at,
               by.c.login.label("by_login"), by.c.name.label("by_name"))
        .select_from(Escalation.__table__.outerjoin(by, by.c.id == E.created_by_id))
        .where(E.case_id == case_id).order_by(E.created_at, E.id))
    return [dict(row._mapping) for row in rows]


def case_follow_ups(session: Session, case_id: int) -> list[dict]:
    """The case's follow-ups (open and done), soonest due first, with whose they are (login and name)."""
    F = FollowUp.__table__.c
    rows = session.execute(
        select(F.due_at, F.done_at, F.note, A.login.label("agent_login"), A.name.label("agent_name"))
        .select_from(FollowUp.__table__.join(Agent.__table__, A.id == F.agent_id))
        .where(F.case_id == case_id).order_by(F.due_at, F.id))
    return [dict(row._mapping) for row in rows]


# --- the queue ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueView:
    """Which cases the queue shows: a view name plus optional queue/channel and a free-text filter."""

    view: str = "open"  # mine | unassigned | open | all | queue | channel | tier
    agent_id: int | None = None
    queue: str | None = None
    channel: str | None = None
    tier: int | None = None
    text: str = ""
    sort: str = "sla"  # a column name of QUEUE_SORTS
    descending: bool = False


QUEUE_SORTS = {
    "sla": C.sla_due_at,
    "key": C.id,
    "priority": C.priority,
    "channel": C.channel,
    "queue": C.queue,
    "customer": CU.name,
    "subject": C.subject,
    "status": C.status,
    "tier": C.tier,
    "assignee": A.login,
    "age": C.created_at,
}


def _view_conditions(view: QueueView) -> list:
    conditions = []
    if view.view != "all":
        conditions.append(C.is_open == True)  # noqa: E712  (must match the partial indexes' WHERE is_open = 1)
    if view.view == "mine":
        conditions.append(C.assignee_id == view.agent_id)
    elif view.view == "unassigned":
        conditions.append(C.assignee_id.is_(None))
    if view.queue:
        conditions.append(C.queue == view.queue)
    if view.channel:
        conditions.append(C.channel == view.channel)
    if view.tier is not None:
        conditions.append(C.tier == view.tier)
    text = view.text.strip()
    if text:
        like = f"%{_escape_like(text)}%"
        conditions.append(or_(C.subject.ilike(like, escape="\\"), C.key.ilike(like, escape="\\"),
                              CU.name.ilike(like, escape="\\")))
    return conditions


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def queue_case_ids(session: Session, view: QueueView, limit: int | None = None) -> list[int]:
    """The ordered ids of every case in the view (or the first ``limit``): cheap (ints only), so the table can page
    rows in lazily."""
    if view.sort == "sla" and not view.text.strip() and view.view != "all":
        return _open_ids_by_sla(session, view, limit)
    sort_column = QUEUE_SORTS.get(view.sort, C.sla_due_at)
    order = [sort_column.desc() if view.descending else sort_column]
    if view.sort == "sla":
        # Cases with no running target (nulls) go last; ties by age.
        order = [C.sla_due_at.is_(None), sort_column.desc() if view.descending else sort_column, C.created_at]
    elif view.sort == "priority":
        from sqlalchemy import case as sql_case
        rank = sql_case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=C.priority, else_=4)
        order = [rank.desc() if view.descending else rank, C.sla_due_at]
    order.append(C.id)
    query = select(C.id).select_from(Case.__table__)
    needs_customer = bool(view.text.strip()) or view.sort == "customer"
    if needs_customer:
        query = query.join(Customer.__table__, CU.id == C.customer_id)
    if view.sort == "assignee":
        query = query.outerjoin(Agent.__table__, A.id == C.assignee_id)
    conditions = _view_conditions(view)
    if conditions:
        query = query.where(and_(*conditions))
    query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    return list(session.connection().execute(query).scalars())


def _open_ids_by_sla(session: Session, view: QueueView, limit: int | None = None) -> list[int]:
    """The default queue order, read straight off the partial ``sla_due_at`` index (no sort of every open case):
    running targets by due time (ties by id), then the cases with no running target, oldest first."""
    conditions = _view_conditions(view)
    due = (select(C.id).where(and_(*conditions), C.sla_due_at.is_not(None))
           .order_by(C.sla_due_at.desc() if view.descending else C.sla_due_at, C.id))
    undue = select(C.id).where(and_(*conditions), C.sla_due_at.is_(None)).order_by(C.created_at, C.id)
    connection = session.connection()
    if limit is not None:
        due, undue = due.limit(limit), undue.limit(limit)
    ids = [row[0] for row in connection.execute(due)]
    if limit is None or len(ids) < limit:
        ids.extend(row[0] for row in connection.execute(undue))
    return ids if limit is None else ids[:limit]


def queue_search_texts(session: Session, ids: list[int] | None = None, *, include_closed: bool = False
                       ) -> dict[int, str]:
    """Lower-cased "key, subject, customer name" per case (fields separated by a newline, which a filter never
    contains, so a match never spans two): lets the queue filter as the agent types without a LIKE scan per keystroke.
    All open cases, or the given ids."""
    # One joined column per row: the database concatenates, Python only lower-cases (Unicode-aware).
    joined = (C.key + literal("\n") + func.coalesce(C.subject, "") + literal("\n") + func.coalesce(CU.name, ""))
    query = select(C.id, joined).select_from(Case.__table__).join(Customer.__table__, CU.id == C.customer_id)
    if ids is not None:
        query = query.where(C.id.in_(ids))
    elif not include_closed:
        query = query.where(C.is_open == True)  # noqa: E712
    return {case_id: text.lower() for case_id, text in session.connection().execute(query)}


QUEUE_COLUMNS = (
    C.id, C.key, C.priority, C.channel, C.queue, C.subject, C.status, C.tier, C.created_at, C.sla_due_at,
    C.first_response_due, C.first_response_at, C.next_update_due, C.resolution_due, C.sla_paused_at, C.is_open,
    C.assignee_id, C.language, CU.name.label("customer_name"), A.login.label("assignee_login"),
)


def queue_rows(session: Session, ids: list[int]) -> dict[int, dict]:
    """The queue table's columns for the given case ids, keyed by id."""
    return queue_rows_on(session.connection(), ids)


def queue_rows_on(connection: Connection, ids: list[int]) -> dict[int, dict]:
    """``queue_rows`` over a connection the caller keeps open (the queue table pages rows in while it draws:
    opening a connection per page would cost more than the query)."""
    if not ids:
        return {}
    query = (
        select(*QUEUE_COLUMNS)
        .select_from(Case.__table__)
        .join(Customer.__table__, CU.id == C.customer_id)
        .outerjoin(Agent.__table__, A.id == C.assignee_id)
        .where(C.id.in_(ids))
    )
    return {row.id: dict(row._mapping) for row in connection.execute(query)}


def next_case_id(session: Session, agent: Agent) -> int | None:
    """The most urgent open case the agent may work: unassigned (or theirs), in their queues, at or below their tier."""
    query = select(C.id).where(
        C.is_open == True,  # noqa: E712
        or_(C.assignee_id.is_(None), C.assignee_id == agent.id),
        C.tier <= agent.tier,
        C.status != CaseStatus.pending,
    )
    queues = agent.queue_list()
    if queues:
        query = query.where(C.queue.in_(queues))
    query = query.order_by(C.sla_due_at.is_(None), C.sla_due_at, C.created_at).limit(1)
    return session.connection().execute(query).scalar()


def defined_queues(session: Session) -> list[str]:
    """The names of the store's queue records, sorted; empty when the store defines no queues."""
    from agent_console.store.models import Queue

    return sorted(session.connection().execute(select(Queue.__table__.c.name)).scalars())


def queue_exists(session: Session, name: str) -> bool:
    """May a case or an agent name this queue? Yes when it is a queue record, or when the store defines no queues at
    all (a store from before queues were records, or a console's replica, which does not receive them)."""
    from agent_console.store.models import Queue

    q = Queue.__table__.c
    connection = session.connection()
    if connection.execute(select(q.id).where(q.name == name).limit(1)).first() is not None:
        return True
    return connection.execute(select(q.id).limit(1)).first() is None


def queue_names(session: Session) -> list[str]:
    """What the queue pickers offer: the store's queues; a store without queue records offers every queue that has
    open cases, plus the standard queues."""
    from agent_console.store.models import QUEUES

    defined = defined_queues(session)
    if defined:
        return defined
    found = session.connection().execute(select(C.queue).where(C.is_open == True).distinct()).scalars()  # noqa: E712
    return sorted(set(found) | set(QUEUES))
