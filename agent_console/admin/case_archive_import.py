"""Importing whole cases back exactly (see ``case_archive.py`` and docs/formats.md, "Whole cases"): every record
checked completely first, then written table by table in the import's one transaction."""

from __future__ import annotations

from agent_console.admin.case_archive import _CASE, _CUSTOMER, _NESTED_SHAPES, _SURVEY
from agent_console.admin.records import BadValue, ImportFailed, Problem, Record
from agent_console.i18n import _
from agent_console.store import archive, bulk
from agent_console.store.models import Case, Customer, Escalation, Survey


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
                errors.append(BadValue(f"{path}.{name}", _("missing; a value is required")))

    for name in ("case", "customer"):
        if name not in v:
            errors.append(BadValue(name, _("missing; a whole-case record needs case, customer and messages")))
    case = part(_CASE.parse, v["case"], "case") if "case" in v else None
    needs(case, "case", "uid", "key")
    customer = part(_CUSTOMER.parse, v["customer"], "customer") if "customer" in v else None
    needs(customer, "customer", "uid")
    if customer is not None and not customer.get("email") and not customer.get("phone"):
        errors.append(BadValue("customer.email", _("empty; a customer needs an e-mail address or a phone number")))
    nested: dict[str, list[tuple[str, dict]]] = {}
    for name, shape in _NESTED_SHAPES.items():
        items = v.get(name) or []
        if not isinstance(items, list):
            errors.append(BadValue(name, _("expected a list, got {value}").format(value=type(items).__name__)))
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
    from agent_console.admin.import_writing import ImportResult
    from agent_console.domain.recording import audit

    problems = list(problems)

    def add(where: str, field: str | None, message: str) -> None:
        problems.append(Problem(where, field, message))

    wholes: list[_WholeCase] = []
    seen: dict[tuple[str, str], str] = {}
    for record in records:
        if not ("case" in record.values and "messages" in record.values):
            add(record.where, _("case"), "not a whole-case record (no case/messages) in a file of whole cases")
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

    def write(self) -> None:
        conn = self.conn
        agents = archive.agent_ids(conn)
        for whole in self.wholes:
            self._check_logins(whole, agents)
        cases = Case.__table__
        by_uid = archive.ids_by(self.conn, cases, "uid", [w.case["uid"] for w in self.wholes])
        by_key = archive.ids_by(self.conn, cases, "key", [w.case["key"] for w in self.wholes])
        by_external = archive.ids_by(self.conn, cases, "external_id", [w.case.get("external_id") for w in self.wholes])
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
        finish_search = bulk.defer_search(conn)
        customer_ids = self._customers()
        existing = archive.rows_by(self.conn, cases, "uid", by_uid)
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
        case_ids.update(archive.insert_returning_ids(self.conn, cases, inserts))
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
        by_uid = archive.ids_by(self.conn, table, "uid", wanted)
        by_email = archive.customer_ids_by_email(self.conn) if any(c.get("email") for c in wanted.values()) else {}
        by_phone = archive.ids_by(self.conn, table, "phone", [c.get("phone") for c in wanted.values()])
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
        found.update(archive.insert_returning_ids(self.conn, table, inserts))
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
        archive.update_row(self.conn, table, old["id"], changes)
        return True

    def _nested(self, agents: dict[str, int], case_ids: dict[str, int], changed: dict[str, bool]) -> None:
        escalation_ids: dict[str, int] = {}
        for name, shape in _NESTED_SHAPES.items():
            table = shape.table
            items = [(whole, path, values) for whole in self.wholes for path, values in whole.nested[name]]
            if not items:
                continue
            existing = archive.rows_by(self.conn, table, "uid", [values["uid"] for _w, _p, values in items])
            if any(ref.target == "escalations" for ref in shape.references):
                escalation_ids = archive.ids_by(self.conn, Escalation.__table__, "uid",
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
            # In file order, so the rows' ids keep the order they had.
            archive.insert_in_order(self.conn, table, inserts)

    def _surveys(self, case_ids: dict[str, int], changed: dict[str, bool]) -> None:
        table = Survey.__table__
        wholes = [w for w in self.wholes if w.survey is not None]
        existing = archive.rows_by(self.conn, table, "case_id", [case_ids[w.case["uid"]] for w in wholes])
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
        archive.insert_in_order(self.conn, table, inserts)
