"""The statements of the server's batched write path for replies, notes and claims (:mod:`server.fastops`).

A handful of Core statements, built once (a batch runs a dozen of them; building them each time cost as much as
running them), over plain row values: the rules that decide the values are the domain's, applied by the caller.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import bindparam, delete, insert, select, tuple_, update

from agent_console.store.models import Agent, AppliedOp, AuditEvent, Case, Customer, Draft, Message, SlaEvent

_APPLIED, _AGENTS, _CASES = AppliedOp.__table__, Agent.__table__, Case.__table__
_MESSAGES, _SLA_EVENTS, _DRAFTS, _AUDIT = Message.__table__, SlaEvent.__table__, Draft.__table__, AuditEvent.__table__
_CUSTOMERS, _ASSIGNEES = Customer.__table__, Agent.__table__.alias("assignees")
#: The case row's columns, as :func:`cases_with_references` gives them.
CASE_COLUMNS = [c.name for c in _CASES.columns]

_ACTORS = select(_AGENTS.c.id, _AGENTS.c.login, _AGENTS.c.name, _AGENTS.c.tier).where(
    _AGENTS.c.id.in_(bindparam("ids", expanding=True)))
_TAKEN = select(_MESSAGES.c.uid).where(_MESSAGES.c.uid.in_(bindparam("uids", expanding=True)))
_CASES_WITH_REFERENCES = (
    select(_CASES, _CUSTOMERS.c.uid.label("customer_uid"), _ASSIGNEES.c.login.label("assignee_login"),
           _ASSIGNEES.c.name.label("assignee_name"))
    .join(_CUSTOMERS, _CUSTOMERS.c.id == _CASES.c.customer_id)
    .outerjoin(_ASSIGNEES, _ASSIGNEES.c.id == _CASES.c.assignee_id)
    .where(_CASES.c.uid.in_(bindparam("uids", expanding=True)))
)
_INSERT_MESSAGES = insert(_MESSAGES).returning(_MESSAGES.c.id, sort_by_parameter_order=True)
# RETURNING makes SQLAlchemy send all rows in one INSERT statement ("insertmanyvalues"); a plain executemany costs
# PostgreSQL a pipeline of three round trips per statement.
_INSERT_SLA_EVENTS = insert(_SLA_EVENTS).returning(_SLA_EVENTS.c.id)
_INSERT_AUDIT = insert(_AUDIT).returning(_AUDIT.c.id)
_INSERT_APPLIED = insert(_APPLIED).returning(_APPLIED.c.op_id)
_DELETE_DRAFTS = delete(_DRAFTS).where(tuple_(_DRAFTS.c.agent_id, _DRAFTS.c.case_id, _DRAFTS.c.kind).in_(
    bindparam("keys", expanding=True)))


@lru_cache(maxsize=64)
def _case_update(columns: frozenset[str]):
    return update(_CASES).where(_CASES.c.id == bindparam("case_id")).values(
        {name: bindparam(name) for name in columns})


def actors(conn, agent_ids: list[int]):
    """(id, login, name, tier) rows of the acting agents."""
    return conn.execute(_ACTORS, {"ids": agent_ids})


def taken_message_uids(conn, uids: list[str]) -> set[str]:
    """Those of ``uids`` some message has already."""
    return set(conn.scalars(_TAKEN, {"uids": uids}))


def cases_with_references(conn, uids: list[str]):
    """The case rows with these uids, each with its customer's uid and its assignee's login and name."""
    return conn.execute(_CASES_WITH_REFERENCES, {"uids": uids})


def case_uids(conn, ids: list[int]) -> list[str]:
    """The uids of the cases with these ids."""
    return list(conn.execute(select(_CASES.c.uid).where(_CASES.c.id.in_(ids))).scalars())


def insert_messages(conn, messages: list[dict]) -> list[int]:
    """Inserts the messages; returns their ids in the order given."""
    return conn.execute(_INSERT_MESSAGES, messages).scalars().all()


def insert_sla_events(conn, events: list[dict]) -> None:
    conn.execute(_INSERT_SLA_EVENTS, events)


def delete_drafts(conn, keys: list[tuple[int, int, str]]) -> None:
    """Deletes the drafts of these ``(agent id, case id, kind)``."""
    conn.execute(_DELETE_DRAFTS, {"keys": keys})


def update_case(conn, case_id: int, changes: dict) -> None:
    """Writes the changed columns of one case."""
    conn.execute(_case_update(frozenset(changes)), {**changes, "case_id": case_id})


def insert_audit_events(conn, events: list[dict]) -> None:
    conn.execute(_INSERT_AUDIT, events)


def insert_applied_ops(conn, rows: list[dict]) -> None:
    conn.execute(_INSERT_APPLIED, rows)
