"""Whole cases in the JSON/JSONL export of cases, and importing them back exactly (docs/formats.md, "Whole cases").

A whole-case record is the flat case record of the import format (``external_id``, ``customer_email``, ``subject``
…, a summary for other tools) plus:

* ``case``: every column of the case as stored (uid, key, times, SLA state, version …), the assignee by login;
* ``customer``: the case's customer with its uid;
* ``messages``, ``escalations``, ``follow_ups``, ``handling_segments``, ``handling_corrections``, ``sla_events``
  (lists, oldest first) and ``survey`` (an object or null): every row with its uid; agents are named by login, an
  escalation by its uid.

Importing such records restores them as they were: same uids, keys, times and texts (so a restored store syncs as
the same data). A case whose uid is already in the store is brought up to the record (nested rows matched by uid,
missing ones added, nothing deleted); a record that would take the key or a row uid of a different case is refused.
Agents must already be in the store (``import agents`` first): they are matched by login. Checked completely before
anything is written; one transaction.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterator

from sqlalchemy import Boolean, Float, Integer, String, Text, insert, select, update
from sqlalchemy.types import TypeDecorator, TypeEngine

from agent_console.admin.records import BadValue, Problem, Record
from agent_console.domain.text import clean_text
from agent_console.store import bulk, feed_format
from agent_console.store.models import (
    LANGUAGES,
    Agent,
    CaseStatus,
    Case,
    Channel,
    Customer,
    Direction,
    Escalation,
    FollowUp,
    HandlingCorrection,
    HandlingSegment,
    Message,
    Priority,
    SegmentKind,
    SlaEvent,
    SlaEventKind,
    SlaTarget,
    Survey,
)
from agent_console.store.types import UTCDateTime

#: Record field -> model of the rows nested in a whole case (in the order they are written: escalations before
#: the follow-ups that refer to them).
NESTED: dict[str, type] = {
    "messages": Message,
    "escalations": Escalation,
    "follow_ups": FollowUp,
    "handling_segments": HandlingSegment,
    "handling_corrections": HandlingCorrection,
    "sla_events": SlaEvent,
}
WHOLE_CASE_FIELDS = ["case", "customer", *NESTED, "survey"]
#: Fields with a fixed vocabulary: (table, column) -> allowed values.
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("cases", "channel"): tuple(Channel), ("cases", "priority"): tuple(Priority),
    ("cases", "status"): tuple(CaseStatus), ("cases", "language"): LANGUAGES,
    ("customers", "language"): LANGUAGES,
    ("messages", "direction"): tuple(Direction), ("messages", "channel"): tuple(Channel),
    ("handling_segments", "kind"): tuple(SegmentKind), ("handling_corrections", "kind"): tuple(SegmentKind),
    ("sla_events", "target"): tuple(SlaTarget), ("sla_events", "event"): tuple(SlaEventKind),
}
RANGES: dict[tuple[str, str], tuple[int, int]] = {
    ("surveys", "csat"): (1, 5), ("surveys", "nps"): (0, 10), ("surveys", "ces"): (1, 7),
    ("cases", "tier"): (1, 3), ("escalations", "from_tier"): (1, 3), ("escalations", "to_tier"): (1, 3),
}
#: Text columns that must not be empty.
REQUIRED_TEXT = frozenset({("cases", "uid"), ("cases", "key"), ("cases", "subject"), ("cases", "queue"),
                           ("customers", "uid"), ("customers", "name"), ("messages", "uid"), ("messages", "body")})
PAGE = 500


class _Shape:
    """How rows of one table travel in a whole-case record: plain columns, then references by login or uid (the
    change feed's naming: ``author_login``, ``escalation_uid`` …); the case reference is implied by nesting."""

    def __init__(self, model: type, *, skip: frozenset[str] = frozenset()) -> None:
        self.table = model.__table__
        self.references = [ref for ref in feed_format.references(self.table)
                           if ref.target != "cases" and ref.column not in skip]
        self.columns = [name for name in feed_format.plain_columns(self.table) if name not in skip]
        self.fields = self.columns + [ref.field for ref in self.references]
        self.field_set = frozenset(self.fields)
        self.checks = [(name, _checker(self.table.name, self.table.c[name])) for name in self.columns]

    def to_record(self, row, agent_logins: dict[int, str], uids: dict[str, dict[int, str]]) -> dict:
        data = {}
        for name in self.columns:
            value = row[name]
            data[name] = _time_text(value) if isinstance(self.table.c[name].type, UTCDateTime) else value
        for ref in self.references:
            value = row[ref.column]
            if value is None:
                data[ref.field] = None
            elif ref.target == "agents":
                data[ref.field] = agent_logins.get(value)
            else:
                data[ref.field] = uids.get(ref.target, {}).get(value)
        return data

    def parse(self, obj: Any, path: str) -> dict:
        """Checked column values of one nested object (references still by login/uid, under their field names)."""
        if not isinstance(obj, dict):
            raise BadValue(path, f"expected an object, got {type(obj).__name__}")
        if not self.field_set.issuperset(obj):
            unknown = sorted(set(obj) - self.field_set)
            raise BadValue(f"{path}.{unknown[0]}", f"unknown field; expected: {', '.join(self.fields)}")
        values = {}
        for name, check in self.checks:
            value = obj.get(name)
            values[name] = check(value, f"{path}.{name}", name not in obj)
        for ref in self.references:
            value = obj.get(ref.field)
            if value is None:
                if ref.required:
                    raise BadValue(f"{path}.{ref.field}", "missing; a value is required")
                values[ref.field] = None
                continue
            if not isinstance(value, str) or not value.strip():
                raise BadValue(f"{path}.{ref.field}", f"expected a {'login' if ref.target == 'agents' else 'uid'}")
            values[ref.field] = value
        return values


def _time_text(value: datetime | None) -> str | None:
    """A stored time with its microseconds (the flat fields' seconds would not restore exactly)."""
    return None if value is None else value.astimezone(timezone.utc).isoformat()


def _checker(table: str, column):
    """The check of one column's values: ``check(value, path, missing)`` returns the value to store or raises
    BadValue. Built once per column (a whole-case file has millions of values)."""
    kind = column.type
    if isinstance(kind, TypeDecorator) and not isinstance(kind, UTCDateTime):
        kind = kind.impl if isinstance(kind.impl, TypeEngine) else kind.impl()  # SQLModel's AutoString: a String
    default = column.default.arg if column.default is not None and column.default.is_scalar else None
    has_default = column.default is not None and column.default.is_scalar
    nullable = column.nullable

    def absent(path: str, missing: bool):
        if missing and has_default:
            return default  # a field left out of a hand-written record: the column's default
        if not nullable:
            raise BadValue(path, "missing; a value is required" if missing else "empty; a value is required")
        return None

    if isinstance(kind, UTCDateTime):
        def check(value, path, missing):
            if value is None:
                return absent(path, missing)
            if not isinstance(value, str):
                raise BadValue(path, "expected a date and time like 2026-11-23T09:00:00Z")
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                raise BadValue(path, f"bad date {value!r}; expected ISO 8601 like 2026-11-23T09:00:00Z") from None
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    elif isinstance(kind, Boolean):
        def check(value, path, missing):
            if value is None:
                return absent(path, missing)
            if not isinstance(value, bool):
                raise BadValue(path, f"{value!r} is not true/false")
            return value
    elif isinstance(kind, Integer):
        low, high = RANGES.get((table, column.name), (None, None))

        def check(value, path, missing):
            if value is None:
                return absent(path, missing)
            if isinstance(value, bool) or not isinstance(value, int):
                raise BadValue(path, f"{value!r} is not a whole number")
            if low is not None and not low <= value <= high:
                raise BadValue(path, f"{value} is out of range; expected {low}–{high}")
            return value
    elif isinstance(kind, Float):
        def check(value, path, missing):
            if value is None:
                return absent(path, missing)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise BadValue(path, f"{value!r} is not a number")
            return float(value)
    elif isinstance(kind, (String, Text)):
        allowed = CHOICES.get((table, column.name))
        length = getattr(kind, "length", None)
        required = (table, column.name) in REQUIRED_TEXT

        def check(value, path, missing):
            if value is None:
                return absent(path, missing)
            if not isinstance(value, str):
                raise BadValue(path, f"expected text, got {type(value).__name__}")
            text = clean_text(value)
            if allowed is not None and text not in allowed:
                raise BadValue(path, f"unknown value {text!r}; expected one of: {', '.join(allowed)}")
            if length and len(text) > length:
                raise BadValue(path, f"too long ({len(text)} characters; at most {length})")
            if required and not text.strip():
                raise BadValue(path, "empty; a value is required")
            return text
    else:
        raise TypeError(f"no check for the column type {type(kind).__name__} of {table}.{column.name}")
    return check


_CASE = _Shape(Case, skip=frozenset({"customer_id"}))
_CUSTOMER = _Shape(Customer)
_SURVEY = _Shape(Survey)
_NESTED_SHAPES = {name: _Shape(model) for name, model in NESTED.items()}


# --- export ---------------------------------------------------------------------------------------------------------


def whole_cases(conn, flat_rows: Iterator[dict]) -> Iterator[dict]:
    """The flat case rows of the exporter (in case id order, each with ``_id``), completed to whole cases."""
    agent_logins = dict(conn.execute(select(Agent.__table__.c.id, Agent.__table__.c.login)).all())
    page: list[dict] = []
    for row in flat_rows:
        page.append(row)
        if len(page) >= PAGE:
            yield from _complete(conn, page, agent_logins)
            page = []
    if page:
        yield from _complete(conn, page, agent_logins)


def _complete(conn, page: list[dict], agent_logins: dict[int, str]) -> Iterator[dict]:
    ids = [row["_id"] for row in page]
    cases = {r.id: r._mapping for r in conn.execute(select(Case.__table__).where(Case.__table__.c.id.in_(ids)))}
    customer_ids = {c["customer_id"] for c in cases.values()}
    customers = {r.id: r._mapping for r in conn.execute(
        select(Customer.__table__).where(Customer.__table__.c.id.in_(customer_ids)))}
    nested: dict[str, dict[int, list]] = {}
    uids: dict[str, dict[int, str]] = {"escalations": {}}
    for name, model in NESTED.items():
        table = model.__table__
        grouped: dict[int, list] = {}
        for r in conn.execute(select(table).where(table.c.case_id.in_(ids)).order_by(table.c.id)):
            grouped.setdefault(r.case_id, []).append(r._mapping)
            if name == "escalations":
                uids["escalations"][r.id] = r.uid
        nested[name] = grouped
    surveys = {r.case_id: r._mapping for r in conn.execute(
        select(Survey.__table__).where(Survey.__table__.c.case_id.in_(ids)))}
    for row in page:
        case = cases[row["_id"]]
        whole = {k: v for k, v in row.items() if k != "_id"}
        whole["case"] = _CASE.to_record(case, agent_logins, uids)
        whole["customer"] = _CUSTOMER.to_record(customers[case["customer_id"]], agent_logins, uids)
        for name, shape in _NESTED_SHAPES.items():
            whole[name] = [shape.to_record(r, agent_logins, uids) for r in nested[name].get(case["id"], [])]
        survey = surveys.get(case["id"])
        whole["survey"] = _SURVEY.to_record(survey, agent_logins, uids) if survey is not None else None
        yield whole


# --- import ---------------------------------------------------------------------------------------------------------


def carries_whole_cases(records: list[Record]) -> bool:
    return any("case" in r.values and "messages" in r.values for r in records)


class _WholeCase:
    def __init__(self, record: Record, case: dict, customer: dict, nested: dict[str, list[tuple[str, dict]]],
                 survey: dict | None) -> None:
        self.record = record
        self.case = case
        self.customer = customer
        self.nested = nested
        self.survey = survey


class _Invalid(Exception):
    def __init__(self, errors: list[BadValue]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


def _parse(record: Record) -> _WholeCase:
    """The checked parts of one whole-case record; raises _Invalid with every problem found in it."""
    v = record.values
    errors: list[BadValue] = []

    def part(fn, *args):
        try:
            return fn(*args)
        except BadValue as exc:
            errors.append(exc)
            return None

    def needs(values: dict | None, path: str, *names: str) -> None:
        for name in names:
            if values is not None and not values.get(name):
                errors.append(BadValue(f"{path}.{name}", "missing; a value is required"))

    for name in ("case", "customer"):
        if name not in v:
            errors.append(BadValue(name, "missing; a whole-case record needs case, customer and messages"))
    case = part(_CASE.parse, v["case"], "case") if "case" in v else None
    needs(case, "case", "uid", "key")
    customer = part(_CUSTOMER.parse, v["customer"], "customer") if "customer" in v else None
    needs(customer, "customer", "uid")
    if customer is not None and not customer.get("email") and not customer.get("phone"):
        errors.append(BadValue("customer.email", "empty; a customer needs an e-mail address or a phone number"))
    nested: dict[str, list[tuple[str, dict]]] = {}
    for name, shape in _NESTED_SHAPES.items():
        items = v.get(name) or []
        if not isinstance(items, list):
            errors.append(BadValue(name, f"expected a list, got {type(items).__name__}"))
            continue
        parsed = []
        for index, item in enumerate(items, 1):
            path = f"{name}[{index}]"
            values = part(shape.parse, item, path)
            needs(values, path, "uid")
            if values is not None:
                parsed.append((path, values))
        nested[name] = parsed
    survey = v.get("survey")
    if survey is not None:
        survey = part(_SURVEY.parse, survey, "survey")
        needs(survey, "survey", "uid")
    if errors:
        raise _Invalid(errors)
    return _WholeCase(record, case, customer, nested, survey)


def import_whole_cases(store, clock, records: list[Record], label: str, *, problems: list[Problem],
                       actor_id: int | None, max_problems: int):
    """Restore whole-case records (see the module docstring); raises the importer's ImportFailed on any problem."""
    from agent_console.admin.importer import ImportFailed, ImportResult
    from agent_console.domain.recording import audit

    problems = list(problems)

    def add(where: str, field: str | None, message: str) -> None:
        problems.append(Problem(where, field, message))

    wholes: list[_WholeCase] = []
    seen: dict[tuple[str, str], str] = {}
    for record in records:
        if not ("case" in record.values and "messages" in record.values):
            add(record.where, "case", "not a whole-case record (no case/messages) in a file of whole cases")
            continue
        try:
            whole = _parse(record)
        except _Invalid as exc:
            for error in exc.errors:
                add(record.where, error.field, error.message)
            continue
        line = record.where.rsplit(", ", 1)[-1]
        duplicate = False
        for what, uid in [("case", whole.case["uid"]), ("case key", whole.case["key"]),
                          *((name, values["uid"]) for name, items in whole.nested.items() for _p, values in items)]:
            if (what, uid) in seen:
                add(record.where, what, f"duplicate {what} {uid!r}: already in {seen[(what, uid)]}")
                duplicate = True
                break
            seen[(what, uid)] = line
        if not duplicate:
            wholes.append(whole)
    if problems:
        raise ImportFailed(label, problems[:max_problems], max(0, len(problems) - max_problems))

    result = ImportResult("cases", label)
    now = clock.now()
    from sqlalchemy.exc import IntegrityError

    with store.transaction() as session:
        conn = session.connection()
        try:
            _Writer(conn, wholes, result, add).write()
        except IntegrityError as exc:
            add(label, None, f"the store refuses the data: {exc.orig}")
        if problems:
            raise ImportFailed(label, problems[:max_problems], max(0, len(problems) - max_problems))
        audit(session, now, actor_id, "import.cases", "import", None, source=label, created=result.created,
              updated=result.updated, unchanged=result.unchanged, whole_cases=True)
    return result


class _Writer:
    """Writes checked whole cases inside the import's transaction, table by table with ``executemany`` (a file of
    100,000 cases is not 100,000 rounds of queries); problems found against the store go to ``add``."""

    def __init__(self, conn, wholes: list[_WholeCase], result, add) -> None:
        self.conn = conn
        self.wholes = wholes
        self.result = result
        self.add = add
        self.problems = 0

    def _report(self, where: str, field: str, message: str) -> None:
        self.problems += 1
        self.add(where, field, message)

    def _ids_by(self, table, column: str, values) -> dict:
        found = {}
        values = list({v for v in values if v is not None})
        for start in range(0, len(values), PAGE):
            chunk = values[start:start + PAGE]
            for key, row_id in self.conn.execute(select(table.c[column], table.c.id).where(table.c[column].in_(chunk))):
                found[key] = row_id
        return found

    def _rows_by(self, table, column: str, values) -> dict:
        found = {}
        values = list({v for v in values if v is not None})
        for start in range(0, len(values), PAGE):
            for row in self.conn.execute(select(table).where(table.c[column].in_(values[start:start + PAGE]))):
                found[row._mapping[column]] = row._mapping
        return found

    def _insert_returning_ids(self, table, rows: list[dict]) -> dict[str, int]:
        """Insert rows (in their order, so ids keep it) and return uid -> new id; the database assigns the ids
        (on PostgreSQL its sequences stay in step)."""
        if not rows:
            return {}
        statement = insert(table).returning(table.c.uid, table.c.id, sort_by_parameter_order=True)
        return {uid: row_id for uid, row_id in self.conn.execute(statement, rows)}

    def write(self) -> None:
        conn = self.conn
        agents = dict(conn.execute(select(Agent.__table__.c.login, Agent.__table__.c.id)).all())
        for whole in self.wholes:
            self._check_logins(whole, agents)
        cases = Case.__table__
        by_uid = self._ids_by(cases, "uid", [w.case["uid"] for w in self.wholes])
        by_key = self._ids_by(cases, "key", [w.case["key"] for w in self.wholes])
        by_external = self._ids_by(cases, "external_id", [w.case.get("external_id") for w in self.wholes])
        for whole in self.wholes:
            where = whole.record.where
            case_id = by_uid.get(whole.case["uid"])
            key_owner = by_key.get(whole.case["key"])
            if key_owner is not None and key_owner != case_id:
                self._report(where, "case.key", f"the store already has a different case {whole.case['key']} (a "
                                                "whole-case import restores into an empty store or the one it came from)")
            external = whole.case.get("external_id")
            if external and by_external.get(external) not in (None, case_id):
                self._report(where, "case.external_id", f"the store already has a different case with external id "
                                                        f"{external!r}")
        if self.problems:
            return
        finish_search = bulk.defer_reply_search(conn)
        customer_ids = self._customers()
        existing = self._rows_by(cases, "uid", by_uid)
        case_ids: dict[str, int] = {}
        changed: dict[str, bool] = {}
        inserts = []
        for whole in self.wholes:
            uid = whole.case["uid"]
            row = self._case_row(whole, agents, customer_ids[whole.customer["uid"]])
            if uid in existing:
                case_ids[uid] = existing[uid]["id"]
                changed[uid] = self._update_if_changed(cases, existing[uid], row)
            else:
                inserts.append(row)
        case_ids.update(self._insert_returning_ids(cases, inserts))
        self._nested(agents, case_ids, changed)
        self._surveys(case_ids, changed)
        if finish_search is not None:
            finish_search()
        self.result.created += len(inserts)
        updated = sum(1 for uid in existing if changed.get(uid))
        self.result.updated += updated
        self.result.unchanged += len(existing) - updated

    def _check_logins(self, whole: _WholeCase, agents: dict[str, int]) -> None:
        checks = [("case.assignee_login", whole.case.get("assignee_login"))]
        for name, items in whole.nested.items():
            for path, values in items:
                for ref in _NESTED_SHAPES[name].references:
                    if ref.target == "agents":
                        checks.append((f"{path}.{ref.field}", values.get(ref.field)))
        for field, login in checks:
            if login is not None and login not in agents:
                self._report(whole.record.where, field, f"no agent {login!r} in the store; import the agents first "
                                                        "(agent-console import agents)")

    def _customers(self) -> dict[str, int]:
        """Customer uid -> local id: the store's customer with that uid, else the one with that e-mail (or phone),
        else a new one with the record's uid."""
        table = Customer.__table__
        wanted = {w.customer["uid"]: w.customer for w in self.wholes}
        by_uid = self._ids_by(table, "uid", wanted)
        by_email = {}
        if any(c.get("email") for c in wanted.values()):
            for email, row_id in self.conn.execute(select(table.c.email, table.c.id).where(table.c.email.is_not(None))):
                by_email.setdefault(email.lower(), row_id)
        by_phone = self._ids_by(table, "phone", [c.get("phone") for c in wanted.values()])
        found, inserts = {}, []
        #: Customers of the file that are the same person (same e-mail, or phone) as one inserted before them.
        same_as: dict[str, str] = {}
        new_by_contact: dict[str, str] = {}
        for uid, customer in wanted.items():
            email, phone = (customer.get("email") or "").lower(), customer.get("phone")
            row_id = by_uid.get(uid)
            if row_id is None and email:
                row_id = by_email.get(email)
            if row_id is None and not email and phone:
                row_id = by_phone.get(phone)
            if row_id is not None:
                found[uid] = row_id
                continue
            contact = f"email:{email}" if email else f"phone:{phone}"
            if contact in new_by_contact:
                same_as[uid] = new_by_contact[contact]
                continue
            new_by_contact[contact] = uid
            inserts.append(customer)
        found.update(self._insert_returning_ids(table, inserts))
        for uid, first in same_as.items():
            found[uid] = found[first]
        return found

    def _case_row(self, whole: _WholeCase, agents: dict[str, int], customer_id: int) -> dict:
        row = {k: v for k, v in whole.case.items() if k != "assignee_login"}
        row["assignee_id"] = agents.get(whole.case["assignee_login"]) if whole.case.get("assignee_login") else None
        row["customer_id"] = customer_id
        return row

    def _update_if_changed(self, table, old, row: dict) -> bool:
        """Bring the stored row ``old`` (a mapping) up to ``row``; False when they already agree."""
        changes = {k: v for k, v in row.items() if old[k] != v}
        if not changes:
            return False
        self.conn.execute(update(table).where(table.c.id == old["id"]).values(changes))
        return True

    def _nested(self, agents: dict[str, int], case_ids: dict[str, int], changed: dict[str, bool]) -> None:
        escalation_ids: dict[str, int] = {}
        for name, shape in _NESTED_SHAPES.items():
            table = shape.table
            items = [(whole, path, values) for whole in self.wholes for path, values in whole.nested[name]]
            if not items:
                continue
            existing = self._rows_by(table, "uid", [values["uid"] for _w, _p, values in items])
            if any(ref.target == "escalations" for ref in shape.references):
                escalation_ids = self._ids_by(Escalation.__table__, "uid",
                                              [values.get("escalation_uid") for _w, _p, values in items])
            inserts = []
            for whole, path, values in items:
                case_uid = whole.case["uid"]
                case_id = case_ids[case_uid]
                row = {column: values[column] for column in shape.columns}
                for ref in shape.references:
                    value = values.get(ref.field)
                    if value is None:
                        row[ref.column] = None
                    elif ref.target == "agents":
                        row[ref.column] = agents[value]
                    else:
                        row[ref.column] = escalation_ids.get(value)
                        if row[ref.column] is None:
                            self._report(whole.record.where, f"{path}.{ref.field}", f"no escalation {value!r}")
                row["case_id"] = case_id
                old = existing.get(values["uid"])
                if old is None:
                    inserts.append(row)
                    changed[case_uid] = True
                elif old["case_id"] != case_id:
                    self._report(whole.record.where, f"{path}.uid",
                                 f"{values['uid']!r} belongs to another case in the store")
                elif self._update_if_changed(table, old, row):
                    changed[case_uid] = True
            if inserts:
                # In file order, so the rows' ids keep the order they had.
                self.conn.execute(insert(table), inserts)

    def _surveys(self, case_ids: dict[str, int], changed: dict[str, bool]) -> None:
        table = Survey.__table__
        wholes = [w for w in self.wholes if w.survey is not None]
        existing = self._rows_by(table, "case_id", [case_ids[w.case["uid"]] for w in wholes])
        inserts = []
        for whole in wholes:
            case_uid = whole.case["uid"]
            row = {**whole.survey, "case_id": case_ids[case_uid]}
            old = existing.get(row["case_id"])
            if old is None:
                inserts.append(row)
                changed[case_uid] = True
            elif self._update_if_changed(table, old, row):
                changed[case_uid] = True
        if inserts:
            self.conn.execute(insert(table), inserts)
