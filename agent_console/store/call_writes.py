"""The statements of the server's batched path for call events (:mod:`agent_console.server.cti_writer`).

Plain Core statements, built once, over a call's row values: the rules that decide the values are the domain's
(:func:`agent_console.domain.calls.apply_event`), applied by the caller to a :class:`CallRow`. A group of events
reads its calls with one statement and writes them back with two (new ones, changed ones), whatever its size: each
statement costs the server more CPU in SQLAlchemy than in the database.
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
_CALLS_BY_CALL_ID = select(_CALLS).where(CA.call_id.in_(bindparam("call_ids", expanding=True)))
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
_INSERT_CALLS = insert(_CALLS).returning(CA.id, CA.call_id)
_UPDATE_CALL = update(_CALLS).where(CA.id == bindparam("row_id")).values(
    {name: bindparam(name) for name in _WRITTEN})
_INSERT_AUDIT = insert(AuditEvent.__table__)
_CASE_REFERENCE = select(_CASES.c.uid, _CASES.c.queue, _CASES.c.key).where(_CASES.c.id == bindparam("case_id"))
_CUSTOMER_UID = select(_CUSTOMERS.c.uid).where(_CUSTOMERS.c.id == bindparam("customer_id"))
_AGENT_LOGIN = select(_AGENTS.c.login).where(_AGENTS.c.id == bindparam("agent_id"))


class CallRow(SimpleNamespace):
    """A call's column values, with the attributes of :class:`Call` (what the domain's rules change)."""

    def values(self) -> dict:
        return {column.name: getattr(self, column.name) for column in _CALLS.columns}


def calls_by_call_id(conn, call_ids: list[str]) -> dict[str, CallRow]:
    """The stored calls of these call ids, by call id."""
    if not call_ids:
        return {}
    # One id (most groups when events trickle in): a statement SQLAlchemy need not rewrite for each list's length.
    result = (conn.execute(_CALL_BY_CALL_ID, {"call_id": call_ids[0]}) if len(call_ids) == 1 else
              conn.execute(_CALLS_BY_CALL_ID, {"call_ids": call_ids}))
    return {row["call_id"]: CallRow(**row) for row in result.mappings()}


def new_call_row(values: dict) -> CallRow:
    """A call not yet stored: its columns' defaults, then ``values``."""
    defaults = {column.name: None for column in _CALLS.columns}
    defaults.update(direction="in", from_number="", to_number="", withheld=False, ringing="", missed=False)
    return CallRow(**{**defaults, **values})


def save_calls(conn, calls: list[CallRow]) -> None:
    """Inserts the new calls (``id`` None; each gets its id) and writes the columns of the stored ones, with one
    statement each."""
    new = [call for call in calls if call.id is None]
    stored = [{"row_id": call.id, **{name: getattr(call, name) for name in _WRITTEN}}
              for call in calls if call.id is not None]
    if new:
        rows = [{name: value for name, value in call.values().items() if name != "id"} for call in new]
        ids = dict((call_id, row_id) for row_id, call_id in conn.execute(_INSERT_CALLS, rows))
        for call in new:
            call.id = ids[call.call_id]
    if stored:
        conn.execute(_UPDATE_CALL, stored)


def insert_audit_events(conn, events: list[dict]) -> None:
    if events:
        conn.execute(_INSERT_AUDIT, events)


class CallReferences:
    """What a group's calls refer to, each looked up once for the group: the customers' uids, the cases' uids, keys
    and queues, the agents' logins — for the feed's rows (``refs`` as ``server_feed.lookup_references`` gives them)
    and the route's answers. ``known_logins`` are agents the group found already (id -> login)."""

    def __init__(self, conn, known_logins: dict[int, str]) -> None:
        self.conn = conn
        self.refs: dict[str, dict[int, object]] = {"agents": dict(known_logins), "customers": {}, "cases": {},
                                                   "case_queue": {}}
        self._case_keys: dict[int, str | None] = {}

    def add(self, call) -> None:
        """Looks up what ``call`` refers to (what is not known yet)."""
        customers, agents = self.refs["customers"], self.refs["agents"]
        if call.customer_id is not None and call.customer_id not in customers:
            customers[call.customer_id] = self.conn.execute(_CUSTOMER_UID,
                                                            {"customer_id": call.customer_id}).scalar()
        if call.case_id is not None:
            self.case_key(call.case_id)
        for agent_id in (call.answered_by_id, call.called_back_by_id):
            if agent_id is not None and agent_id not in agents:
                agents[agent_id] = self.conn.execute(_AGENT_LOGIN, {"agent_id": agent_id}).scalar()

    def customer_uid(self, customer_id: int | None) -> str | None:
        if customer_id is None:
            return None
        customers = self.refs["customers"]
        if customer_id not in customers:
            customers[customer_id] = self.conn.execute(_CUSTOMER_UID, {"customer_id": customer_id}).scalar()
        return customers[customer_id]

    def case_key(self, case_id: int | None) -> str | None:
        if case_id is None:
            return None
        if case_id not in self._case_keys:
            row = self.conn.execute(_CASE_REFERENCE, {"case_id": case_id}).first()
            if row is not None:
                self.refs["cases"][case_id], self.refs["case_queue"][case_id] = row[0], row[1]
            self._case_keys[case_id] = row[2] if row is not None else None
        return self._case_keys[case_id]


class RowLookups:
    """:class:`agent_console.domain.calls.SessionLookups` on a Core connection for a group of events recorded in the
    connection's transaction: the group's calls are read at once and kept (``calls``, by call id; changed in place
    and written back at the end of the group), and the agents and customers found are kept for the transaction (a
    group asks for the same few again and again)."""

    def __init__(self, conn, call_ids: list[str], names: list[str]) -> None:
        self.conn = conn
        self.calls: dict[str, CallRow] = calls_by_call_id(conn, list(dict.fromkeys(call_ids)))
        self._named: dict[str, list[tuple[int, str, str | None]]] = {name: [] for name in names}
        if names:
            wanted = list(self._named)
            for agent_id, login, extension in self.conn.execute(_AGENTS_NAMED, {"names": wanted}):
                for name in {login, extension} & self._named.keys():
                    self._named[name].append((agent_id, login, extension))
        self._customers: dict[str, int | None] = {}
        self._cases: dict[int, int | None] = {}

    def known_logins(self) -> dict[int, str]:
        """The agents found so far: id -> login."""
        return {agent_id: login for found in self._named.values() for agent_id, login, _extension in found}

    def agents_named(self, names: list[str]) -> dict:
        """The agents named by login or extension (as ``call_queries.agents_named``: an agent whose login or
        extension is the name; the first found when several are)."""
        found: dict = {}
        for name in names:
            for agent_id, login, _extension in self._agents_for(name):
                found.setdefault(name, SimpleNamespace(id=agent_id, login=login))
        return found

    def _agents_for(self, name: str) -> list[tuple[int, str, str | None]]:
        if name not in self._named:
            self._named[name] = [(agent_id, login, extension) for agent_id, login, extension
                                 in self.conn.execute(_AGENTS_NAMED, {"names": [name]})]
        return self._named[name]

    def agent_with_extension(self, number: str):
        row = self.conn.execute(_AGENT_WITH_EXTENSION, {"extension": number}).first()
        return SimpleNamespace(id=row[0], login=row[1]) if row is not None else None

    def customer_id_with_phone(self, number: str) -> int | None:
        if number not in self._customers:
            self._customers[number] = self.conn.execute(_CUSTOMER_WITH_PHONE, {"phone": number}).scalar()
        return self._customers[number]

    def case_id_for_customer(self, customer_id: int) -> int | None:
        if customer_id not in self._cases:
            self._cases[customer_id] = self.conn.execute(_CASE_FOR_CUSTOMER, {"customer_id": customer_id}).scalar()
        return self._cases[customer_id]

    def to_call_back(self, number: str) -> list[CallRow]:
        """The missed calls of ``number`` not yet called back: as stored, and as the group has changed them (the
        group's own calls are not written yet)."""
        for row in self.conn.execute(_TO_CALL_BACK, {"number": number}).mappings():
            self.calls.setdefault(row["call_id"], CallRow(**row))
        return [call for call in self.calls.values()
                if call.missed and call.called_back_at is None and call.number == number]
