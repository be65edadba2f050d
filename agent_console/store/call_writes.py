"""The statements of the server's batched path for call events (:mod:`agent_console.server.cti_writer`).

Plain Core statements, built once, over a call's row values: the rules that decide the values are the domain's
(:func:`agent_console.domain.calls.apply_event`), applied by the caller to a :class:`CallRow`.
"""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import bindparam, insert, or_, select, update

from agent_console.store.models import Agent, AuditEvent, Call, Case, Customer

_CALLS, _AGENTS, _CASES, _CUSTOMERS = Call.__table__, Agent.__table__, Case.__table__, Customer.__table__
CA = _CALLS.c
#: The columns an event may change (everything but the row's identity).
_WRITTEN = [column.name for column in _CALLS.columns if column.name not in ("id", "uid", "call_id")]

_CALL_BY_CALL_ID = select(_CALLS).where(CA.call_id == bindparam("call_id"))
_AGENTS_NAMED = select(_AGENTS.c.id, _AGENTS.c.login, _AGENTS.c.extension).where(or_(
    _AGENTS.c.login.in_(bindparam("names", expanding=True)),
    _AGENTS.c.extension.in_(bindparam("names", expanding=True))))
_AGENT_WITH_EXTENSION = (select(_AGENTS.c.id, _AGENTS.c.login).where(_AGENTS.c.extension == bindparam("extension"))
                         .limit(1))
_CUSTOMER_WITH_PHONE = (select(_CUSTOMERS.c.id).where(_CUSTOMERS.c.phone == bindparam("phone"))
                        .order_by(_CUSTOMERS.c.id).limit(1))
_CASE_FOR_CUSTOMER = (select(_CASES.c.id).where(_CASES.c.customer_id == bindparam("customer_id"))
                      .order_by(_CASES.c.is_open.desc(), _CASES.c.created_at.desc(), _CASES.c.id.desc()).limit(1))
_TO_CALL_BACK = select(_CALLS).where(CA.missed.is_(True), CA.called_back_at.is_(None), CA.number == bindparam("number"))
_INSERT_CALL = insert(_CALLS).returning(CA.id)
_UPDATE_CALL = update(_CALLS).where(CA.id == bindparam("row_id")).values(
    {name: bindparam(name) for name in _WRITTEN})
_INSERT_AUDIT = insert(AuditEvent.__table__)
_CASE_KEY = select(_CASES.c.key).where(_CASES.c.id == bindparam("case_id"))
_CUSTOMER_UID = select(_CUSTOMERS.c.uid).where(_CUSTOMERS.c.id == bindparam("customer_id"))


class CallRow(SimpleNamespace):
    """A call's column values, with the attributes of :class:`Call` (what the domain's rules change)."""

    def values(self) -> dict:
        return {column.name: getattr(self, column.name) for column in _CALLS.columns}


def call_by_call_id(conn, call_id: str) -> CallRow | None:
    row = conn.execute(_CALL_BY_CALL_ID, {"call_id": call_id}).mappings().first()
    return CallRow(**row) if row is not None else None


def new_call_row(values: dict) -> CallRow:
    """A call not yet stored: its columns' defaults, then ``values``."""
    defaults = {column.name: None for column in _CALLS.columns}
    defaults.update(direction="in", from_number="", to_number="", withheld=False, ringing="", missed=False)
    return CallRow(**{**defaults, **values})


def save_call(conn, call: CallRow) -> None:
    """Inserts a new call (``call.id`` None; it gets its id) or writes the changed columns of a stored one."""
    if call.id is None:
        values = call.values()
        del values["id"]
        call.id = conn.execute(_INSERT_CALL, values).scalar_one()
    else:
        conn.execute(_UPDATE_CALL, {"row_id": call.id, **{name: getattr(call, name) for name in _WRITTEN}})


def insert_audit_events(conn, events: list[dict]) -> None:
    if events:
        conn.execute(_INSERT_AUDIT, events)


def case_key(conn, case_id: int) -> str | None:
    return conn.execute(_CASE_KEY, {"case_id": case_id}).scalar()


def customer_uid(conn, customer_id: int) -> str | None:
    return conn.execute(_CUSTOMER_UID, {"customer_id": customer_id}).scalar()


class RowLookups:
    """:class:`agent_console.domain.calls.SessionLookups` on a Core connection, with the agents and customers found
    kept for the connection's transaction (a group of events asks for the same few again and again)."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self._agents: dict[tuple[str, ...], dict] = {}

    def agents_named(self, names: list[str]) -> dict:
        if not names:
            return {}
        key = tuple(names)
        if key not in self._agents:
            found: dict = {}
            for agent_id, login, extension in self.conn.execute(_AGENTS_NAMED, {"names": names}):
                for name in names:
                    if name in (login, extension):
                        found.setdefault(name, SimpleNamespace(id=agent_id, login=login))
            self._agents[key] = found
        return self._agents[key]

    def agent_with_extension(self, number: str):
        row = self.conn.execute(_AGENT_WITH_EXTENSION, {"extension": number}).first()
        return SimpleNamespace(id=row[0], login=row[1]) if row is not None else None

    def customer_id_with_phone(self, number: str) -> int | None:
        return self.conn.execute(_CUSTOMER_WITH_PHONE, {"phone": number}).scalar()

    def case_id_for_customer(self, customer_id: int) -> int | None:
        return self.conn.execute(_CASE_FOR_CUSTOMER, {"customer_id": customer_id}).scalar()

    def to_call_back(self, number: str) -> list[CallRow]:
        return [CallRow(**row) for row in self.conn.execute(_TO_CALL_BACK, {"number": number}).mappings()]
