"""Per kind, writing checked rows inside the import's transaction: new rows inserted, changed ones updated,
unchanged ones counted; new cases made by the case creation rule (``domain/case_rules.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent_console.admin.records import Problem
from agent_console.domain import case_rules, sla
from agent_console.domain.case_rules import SlaTimes
from agent_console.i18n import N_, _
from agent_console.i18n import _, N_
from agent_console.store import bulk, imports
from agent_console.store.models import (
    OPEN_STATUSES,
    Agent,
    CannedResponse,
    Case,
    CaseStatus,
    Customer,
    KBArticle,
    Message,
    SlaEvent,
    Survey,
    new_uid,
)

#: A case may be dated this far ahead of the clock (clock skew between systems), not more.
FUTURE_SLACK = timedelta(minutes=5)


@dataclass
class ImportResult:
    kind: str
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [_("{count} created").format(count=self.created), _("{count} updated").format(count=self.updated)]
        if self.unchanged:
            parts.append(_("{count} unchanged").format(count=self.unchanged))
        parts += [_(what).format(count=n) for what, n in self.extra.items() if n]
        return _("imported {kind} from {file}: {counts}").format(kind=self.kind, file=self.source,
                                                               counts=", ".join(parts))


def _check_queues(session, kind, rows, now, result, collector, *, create: bool) -> None:
    """Cases and agents may only name the store's queues (any, in a store without queue records); ``create`` adds
    the unknown ones instead."""
    from agent_console.store.queries import defined_queues

    field_name = {"cases": "queue", "agents": "queues"}.get(kind)
    if field_name is None:
        return
    known = set(defined_queues(session))
    added: set[str] = set()
    for record, row in rows:
        names = [n for n in row.get(field_name, "").split(",") if n]
        for name in names:
            if (not known and not create) or name in known or name in added:
                continue
            if create:
                added.add(name)
            else:
                collector.add(Problem(record.where, field_name, _("unknown queue {name}; the queues are: {value} "
                                                                  "(pass --new-queues to add the file's new "
                                                                  "queues)").format(
                    name=repr(name), value=', '.join(sorted(known)))))
    imports.add_queues(session, sorted(added), now)
    result.extra[N_("{count} new queues")] = len(added)

def _upsert(conn, table, key_column: str, rows: list[dict], now: datetime, result: ImportResult,
            touch: tuple[str, ...] = ("updated_at",), new_defaults: dict | None = None) -> dict[str, int]:
    """Insert new rows and update changed existing ones (keyed by ``key_column``); returns key -> id."""
    fields = sorted({c for row in rows for c in row if not c.startswith("_")})
    existing = imports.rows_by_key(conn, table, key_column, fields)
    inserts, updates = [], []
    for row in rows:
        data = {k: v for k, v in row.items() if not k.startswith("_")}
        old = existing.get(data[key_column])
        if old is None:
            record = {"uid": new_uid(), **(new_defaults or {}), **data}
            for name in ("created_at", *touch):
                if name in table.c:
                    record.setdefault(name, now)
            if "version" in table.c:
                record["version"] = 1
            inserts.append(record)
        elif any(old.get(k) != v for k, v in data.items()):
            changes = {k: v for k, v in data.items() if k != key_column}
            for name in touch:
                if name in table.c:
                    changes[name] = now
            updates.append({"_id": old["id"], **changes})
        else:
            result.unchanged += 1
    bulk.insert_rows(conn, table, inserts)
    bulk.update_rows(conn, table, updates)
    result.created += len(inserts)
    result.updated += len(updates)
    return imports.ids_by_key(conn, table, key_column)


def _write_customers(conn, session, rows, now, result, collector) -> None:
    table = Customer.__table__
    by_email = [r for _rec, r in rows if r["email"]]
    by_phone = [r for _rec, r in rows if not r["email"]]
    # E-mail matching is case-insensitive: look existing customers up by lower(email) and keep their spelling.
    known = imports.customer_emails(conn)
    for r in by_email:
        r["email"] = known.get(r["email"].lower(), r["email"])
    if by_email:
        _upsert(conn, table, "email", by_email, now, result, touch=())
    if by_phone:
        _upsert(conn, table, "phone", by_phone, now, result, touch=())


def _write_agents(conn, session, rows, now, result, collector) -> None:
    data = [r for _rec, r in rows]
    _upsert(conn, Agent.__table__, "login", data, now, result, touch=(),
            new_defaults={"queues": "", "skills": "", "state": "offline", "active": True})


def _write_canned(conn, session, rows, now, result, collector) -> None:
    _upsert(conn, CannedResponse.__table__, "shortcut", [r for _rec, r in rows], now, result,
            new_defaults={"usage_count": 0})


def _write_kb(conn, session, rows, now, result, collector) -> None:
    _upsert(conn, KBArticle.__table__, "slug", [r for _rec, r in rows], now, result,
            new_defaults={"helpful_votes": 0, "public": False})


def _write_surveys(conn, session, rows, now, result, collector) -> None:
    by_external, by_key = imports.case_ids(conn)
    data = []
    seen: dict[int, str] = {}
    for record, row in rows:
        case_id = by_external.get(row["case_external_id"]) or by_key.get(row["case_external_id"])
        if case_id is None:
            collector.add(Problem(record.where, "case_external_id",
                                  _("no case with external id (or key) {case_external_id} in the store").format(
                                      case_external_id=repr(row['case_external_id']))))
            continue
        if case_id in seen:
            collector.add(Problem(record.where, "case_external_id",
                                  _("{case_external_id} is the same case as {value}").format(
                                      case_external_id=repr(row['case_external_id']), value=seen[case_id])))
            continue
        seen[case_id] = record.where.rsplit(", ", 1)[-1]
        data.append({"case_id": case_id, "csat": row["csat"], "nps": row["nps"], "ces": row["ces"],
                     **({"created_at": row["created_at"]} if row["created_at"] else {})})
    if collector.problems or not data:
        return
    table = Survey.__table__
    existing = imports.surveys_by_case(conn)
    inserts, updates = [], []
    for row in data:
        old = existing.get(row["case_id"])
        if old is None:
            inserts.append({"uid": new_uid(), "created_at": now, **row})
        elif any(old.get(k) != v for k, v in row.items()):
            updates.append({"_id": old["id"], **{k: v for k, v in row.items() if k != "case_id"}})
        else:
            result.unchanged += 1
    bulk.insert_rows(conn, table, inserts)
    bulk.update_rows(conn, table, updates)
    result.created += len(inserts)
    result.updated += len(updates)


def _write_cases(conn, session, rows, now, result, collector) -> None:
    for record, row in rows:
        if row["created_at"] > now + FUTURE_SLACK:
            collector.add(Problem(record.where, "created_at", _("{value} is in the future").format(
                value=row['created_at'].isoformat())))
    if collector.problems:
        return
    cases, customers = Case.__table__, Customer.__table__
    by_external, by_key = imports.case_ids(conn)
    policies = imports.sla_policies(session)

    def policy_for(channel: str, priority: str):
        return sla.policy_from(policies, channel, priority)

    # Customers: found by e-mail (case-insensitive) or phone; unknown ones are created.
    by_email, by_phone = imports.customers_by_contact(conn)
    new_customers = []
    next_customer = bulk.next_id(conn, customers)
    for _record, row in rows:
        email, phone = row["customer_email"], row["customer_phone"]
        found = by_email.get(email.lower()) if email else by_phone.get(phone)
        if found is None:
            name = row["customer_name"] or (email.split("@")[0] if email else phone)
            language = row["language"] or "en"
            found = (next_customer, name, language)
            new_customers.append({"id": next_customer, "uid": new_uid(), "name": name, "email": email or None,
                                  "phone": phone or None, "language": language, "vip": False, "created_at": now,
                                  "version": 1})
            next_customer += 1
            if email:
                by_email[email.lower()] = found
            else:
                by_phone[phone] = found
        row["_customer"] = found
    bulk.insert_rows(conn, customers, new_customers)
    result.extra[N_("{count} new customers")] = len(new_customers)

    next_case = bulk.next_id(conn, cases)
    new_cases, messages, events, updates = [], [], [], []
    wanted = [by_external.get(r["external_id"]) or by_key.get(r["external_id"]) for _rec, r in rows]
    existing_rows = imports.cases_by_id(conn, [i for i in wanted if i is not None])
    for (record, row), case_id in zip(rows, wanted):
        customer_id, customer_name, customer_language = row["_customer"]
        status = row["status"] or None
        tier = row["tier"]
        if case_id is not None:
            old = existing_rows[case_id]
            changes = {"subject": row["subject"], "channel": row["channel"], "queue": row["queue"],
                       "priority": row["priority"]}
            if status:
                changes["status"] = status
            if tier is not None:
                changes["tier"] = tier
            if row["tags"] is not None:
                changes["tags"] = row["tags"]
            if row["language"]:
                changes["language"] = row["language"]
            if all(old[k] == v for k, v in changes.items()):
                result.unchanged += 1
                continue
            status = changes.get("status", old["status"])
            is_open = status in OPEN_STATUSES
            times = SlaTimes(changes["channel"], old["created_at"], is_open)
            times.first_response_at = old["first_response_at"]
            times.next_update_due = old["next_update_due"] if is_open else None
            times.sla_paused_at = old["sla_paused_at"] if status == CaseStatus.pending else None
            times.sla_paused_seconds = old["sla_paused_seconds"]
            sla.compute_initial_due(times, policy_for(changes["channel"], changes["priority"]))
            if old["first_response_at"] is not None:
                times.first_response_due = old["first_response_due"]
            if status == CaseStatus.pending and times.sla_paused_at is None:
                times.sla_paused_at = now
            sla.update_sla_due(times)
            resolved_at = old["resolved_at"]
            if not is_open and resolved_at is None:
                resolved_at = row["resolved_at"] or now
            if is_open:
                resolved_at = None
            changes.update(is_open=is_open, first_response_due=times.first_response_due,
                           next_update_due=times.next_update_due, resolution_due=times.resolution_due,
                           sla_due_at=times.sla_due_at, sla_paused_at=times.sla_paused_at, resolved_at=resolved_at,
                           closed_at=(old["closed_at"] or resolved_at) if status == CaseStatus.closed else None,
                           updated_at=now)
            updates.append({"_id": case_id, **changes})
            continue

        case_id = next_case
        next_case += 1
        values = case_rules.new_case_values(
            number=case_id, uid=new_uid(), subject=row["subject"], customer_id=customer_id, channel=row["channel"],
            queue=row["queue"], priority=row["priority"], language=row["language"] or customer_language,
            created_at=row["created_at"], now=now, policy=policy_for(row["channel"], row["priority"]),
            status=status or CaseStatus.new.value, external_id=row["external_id"], tier=tier or 1,
            tags=row["tags"] or "", resolved_at=row["resolved_at"])
        new_cases.append({"id": case_id, **values})
        messages.append({"uid": new_uid(), "case_id": case_id,
                         **case_rules.first_message_values(values, customer_name, row["body"])})
        events += [{"uid": new_uid(), "case_id": case_id, **event}
                   for event in case_rules.started_sla_events(values, "imported")]
    bulk.insert_rows(conn, cases, new_cases)
    bulk.insert_rows(conn, Message.__table__, messages)
    bulk.insert_rows(conn, SlaEvent.__table__, events)
    if updates:
        bulk.update_rows(conn, cases, updates)
    result.created += len(new_cases)
    result.updated += len(updates)


_WRITERS = {"customers": _write_customers, "cases": _write_cases, "kb": _write_kb, "canned": _write_canned,
            "agents": _write_agents, "surveys": _write_surveys}
