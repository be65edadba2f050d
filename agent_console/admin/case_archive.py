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

This module holds the record shapes and the export; ``case_archive_import.py`` reads whole cases back.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterator

from sqlalchemy import Boolean, Float, Integer, String, Text
from sqlalchemy.types import TypeDecorator, TypeEngine

from agent_console.admin.records import BadValue
from agent_console.domain.text import clean_text
from agent_console.i18n import _
from agent_console.store import archive, feed_format
from agent_console.store.models import (
    LANGUAGES,
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
            raise BadValue(path, _("expected an object, got {value}").format(value=type(obj).__name__))
        if not self.field_set.issuperset(obj):
            unknown = sorted(set(obj) - self.field_set)
            raise BadValue(f"{path}.{unknown[0]}", _("unknown field; expected: {value}").format(
                value=', '.join(self.fields)))
        values = {}
        for name, check in self.checks:
            value = obj.get(name)
            values[name] = check(value, f"{path}.{name}", name not in obj)
        for ref in self.references:
            value = obj.get(ref.field)
            if value is None:
                if ref.required:
                    raise BadValue(f"{path}.{ref.field}", _("missing; a value is required"))
                values[ref.field] = None
                continue
            if not isinstance(value, str) or not value.strip():
                raise BadValue(f"{path}.{ref.field}", _("expected a {value}").format(
                    value='login' if ref.target == 'agents' else 'uid'))
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
                raise BadValue(path, _("expected a date and time like 2026-11-23T09:00:00Z"))
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                raise BadValue(path, _("bad date {value}; expected ISO 8601 like 2026-11-23T09:00:00Z").format(
                    value=repr(value))) from None
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    elif isinstance(kind, Boolean):
        def check(value, path, missing):
            if value is None:
                return absent(path, missing)
            if not isinstance(value, bool):
                raise BadValue(path, _("{value} is not true/false").format(value=repr(value)))
            return value
    elif isinstance(kind, Integer):
        low, high = RANGES.get((table, column.name), (None, None))

        def check(value, path, missing):
            if value is None:
                return absent(path, missing)
            if isinstance(value, bool) or not isinstance(value, int):
                raise BadValue(path, _("{value} is not a whole number").format(value=repr(value)))
            if low is not None and not low <= value <= high:
                raise BadValue(path, _("{value} is out of range; expected {low}–{high}").format(
                    value=value, low=low, high=high))
            return value
    elif isinstance(kind, Float):
        def check(value, path, missing):
            if value is None:
                return absent(path, missing)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise BadValue(path, _("{value} is not a number").format(value=repr(value)))
            return float(value)
    elif isinstance(kind, (String, Text)):
        allowed = CHOICES.get((table, column.name))
        length = getattr(kind, "length", None)
        required = (table, column.name) in REQUIRED_TEXT

        def check(value, path, missing):
            if value is None:
                return absent(path, missing)
            if not isinstance(value, str):
                raise BadValue(path, _("expected text, got {value}").format(value=type(value).__name__))
            text = clean_text(value)
            if allowed is not None and text not in allowed:
                raise BadValue(path, _("unknown value {text}; expected one of: {value}").format(
                    text=repr(text), value=', '.join(allowed)))
            if length and len(text) > length:
                raise BadValue(path, _("too long ({count} characters; at most {length})").format(
                    count=len(text), length=length))
            if required and not text.strip():
                raise BadValue(path, _("empty; a value is required"))
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
    agent_logins = archive.agent_logins(conn)
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
    cases = archive.rows_by(conn, Case.__table__, "id", ids)
    customers = archive.rows_by(conn, Customer.__table__, "id", [c["customer_id"] for c in cases.values()])
    nested: dict[str, dict[int, list]] = {}
    uids: dict[str, dict[int, str]] = {"escalations": {}}
    for name, model in NESTED.items():
        table = model.__table__
        grouped: dict[int, list] = {}
        for r in archive.children_of(conn, table, ids):
            grouped.setdefault(r.case_id, []).append(r._mapping)
            if name == "escalations":
                uids["escalations"][r.id] = r.uid
        nested[name] = grouped
    surveys = archive.rows_by(conn, Survey.__table__, "case_id", ids)
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
