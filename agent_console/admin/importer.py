"""Bulk import of customers, cases, KB articles, canned responses, agents and surveys (CSV, JSON, JSONL; KB also a
folder of Markdown files with YAML front matter). Formats and messages: docs/formats.md.

Rules:

* An import is one transaction. Every record is checked first — every field of it, not only up to the first
  problem; if anything is wrong nothing is written, and the error lists up to ``MAX_PROBLEMS`` problems, each naming
  the file, the line (or record), the field and what is wrong.
* Lengths are the server's (``domain/limits.py``): a file cannot put into a store what the API would refuse.
* Only regular files are read (a FIFO or a device is refused); a KB folder's links may not lead out of the folder.
  File names are shown with control characters escaped.
* Re-importing a file updates instead of duplicating: records are keyed by external id (cases; a case key such as
  ``AC-000042`` also matches), e-mail (customers; phone when there is no e-mail), login (agents), shortcut (canned),
  slug (KB) and case (surveys).
* Untrusted text goes through ``clean_text``; choices and agent fields are checked by the domain's own validators.
* Rows are written with SQLAlchemy Core ``executemany`` (no ORM object per row): a 10,000-row file takes seconds.
* An import records one audit event. It writes the store directly and creates no sync ops: to share imported data
  with a floor, import into the server's store.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from sqlalchemy import bindparam, func, select, update

from agent_console.admin.columns import KEY_FIELD, OPTIONAL, REQUIRED
from agent_console.admin.records import (
    BadValue,
    BadValues,
    FileProblems,
    Problem,
    Record,
    as_text,
    format_for,
    parse_bool,
    parse_datetime,
    parse_int,
    quoted,
    read_records,
    read_text,
    surrogate_problem,
)
from agent_console.domain import case_rules, limits, sla
from agent_console.domain.agents import AgentError, normalise_queues, validate_agent_fields
from agent_console.domain.case_rules import SlaTimes
from agent_console.domain.cases import CaseError, validate_choice
from agent_console.domain.clock import Clock
from agent_console.domain.recording import audit
from agent_console.domain.text import UnsafeText, check_identifier, clean_text
from agent_console.store import bulk
from agent_console.store.db import Store
from agent_console.store.errors import shown_path
from agent_console.store.models import (
    LANGUAGES,
    OPEN_STATUSES,
    Agent,
    CannedResponse,
    Case,
    CaseStatus,
    Channel,
    Customer,
    KBArticle,
    Message,
    Priority,
    SlaEvent,
    SlaPolicy,
    Survey,
    new_uid,
)

KINDS = ("customers", "cases", "kb", "canned", "agents", "surveys")
MAX_PROBLEMS = 50
#: A case may be dated this far ahead of the clock (clock skew between systems), not more.
FUTURE_SLACK = timedelta(minutes=5)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SHORTCUT = re.compile(rf"^[\w.\-/]{{1,{limits.SHORTCUT_MAX}}}$")
_SLUG = re.compile(rf"^[\w.\-]{{1,{limits.SLUG_MAX}}}$")
#: A Markdown file of the KB folder larger than this cannot hold an article of at most TEXT_MAX characters (UTF-8
#: takes up to four bytes a character) plus its front matter; it is refused before it is read.
_MARKDOWN_MAX_BYTES = 4 * limits.TEXT_MAX + 64 * 1024


class ImportFailed(Exception):
    """Nothing was written; ``problems`` says why (at most ``MAX_PROBLEMS``; ``more`` counts the rest)."""

    def __init__(self, label: str, problems: list[Problem], more: int = 0) -> None:
        self.label = label
        self.problems = problems
        self.more = more
        lines = [f"import of {label} failed; nothing was written:"]
        lines += [f"  {p}" for p in problems]
        if more:
            lines.append(f"  … and {more} more problem(s)")
        super().__init__("\n".join(lines))


@dataclass
class ImportResult:
    kind: str
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"{self.created} created", f"{self.updated} updated"]
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        parts += [f"{n} {what}" for what, n in self.extra.items() if n]
        return f"imported {self.kind} from {self.source}: " + ", ".join(parts)


# --- field checks -------------------------------------------------------------------------------------------------


def _text(values: dict, name: str, *, required: bool = True, limit: int | None = None) -> str:
    value = clean_text(as_text(values.get(name))).strip()
    if required and not value:
        raise BadValue(name, "empty; a value is required")
    if limit and len(value) > limit:
        raise BadValue(name, f"too long ({len(value)} characters; at most {limit})")
    return value


def _identifier(values: dict, name: str, *, limit: int) -> str:
    """An id or name that is matched as written (external ids, queues, e-mail addresses): control characters are
    refused, not removed."""
    try:
        value = check_identifier(as_text(values.get(name)), name, limit=limit)
    except UnsafeText as exc:
        raise BadValue(name, exc.reason) from None
    if not value:
        raise BadValue(name, "empty; a value is required")
    return value


def _body(values: dict, name: str, limit: int = limits.TEXT_MAX) -> str:
    value = clean_text(as_text(values.get(name))).strip("\n")
    if not value.strip():
        raise BadValue(name, "empty; a value is required")
    if len(value) > limit:
        raise BadValue(name, f"too long ({len(value):,} characters; at most {limit:,})")
    return value


def _choice(values: dict, name: str, allowed) -> str:
    try:
        return validate_choice(as_text(values.get(name)), allowed, name)
    except CaseError as exc:
        raise BadValue(name, str(exc)) from None


def _language(values: dict, name: str = "language", default: str | None = None) -> str:
    value = as_text(values.get(name)).strip().lower()
    if not value and default is not None:
        return default
    if value not in LANGUAGES:
        raise BadValue(name, f"unknown language {quoted(value)}; expected one of: {', '.join(LANGUAGES)}")
    return value


def _email(values: dict, name: str, *, required: bool) -> str:
    value = as_text(values.get(name)).strip()
    if value:
        value = _identifier(values, name, limit=320)
    if not value:
        if required:
            raise BadValue(name, "empty; an e-mail address is required")
        return ""
    if len(value) > limits.EMAIL_MAX:
        raise BadValue(name, f"too long ({len(value):,} characters; at most {limits.EMAIL_MAX})")
    if not _EMAIL.match(value):
        raise BadValue(name, f"invalid e-mail address {quoted(value)}")
    return value


def _phone(values: dict, name: str) -> str:
    value = as_text(values.get(name)).strip()
    if not value:
        return ""
    digits = "".join(ch for ch in value if ch.isdigit() or ch == "+")
    if sum(ch.isdigit() for ch in digits) < 3 or any(ch.isalpha() for ch in value) \
            or len(digits) > limits.PHONE_MAX:
        raise BadValue(name, f"invalid phone number {quoted(value)}")
    return digits


def _tags(values: dict, name: str = "tags") -> str:
    raw = values.get(name)
    parts = raw if isinstance(raw, (list, tuple)) else as_text(raw).split(",")
    tags = []
    for part in parts:
        tag = clean_text(as_text(part)).strip()
        if tag and tag not in tags:
            tags.append(tag)
    joined = ",".join(tags)
    if len(joined) > limits.TAGS_MAX:
        raise BadValue(name, f"too long ({len(joined):,} characters; at most {limits.TAGS_MAX:,})")
    return joined


def _date(values: dict, name: str, *, required: bool = True):
    if not required and not as_text(values.get(name)).strip():
        return None
    return parse_datetime(values.get(name), name)


def _score(values: dict, name: str, low: int, high: int) -> int | None:
    return parse_int(values.get(name), name, low, high, optional=True)


def _flag(values: dict, name: str) -> bool:
    return parse_bool(values.get(name), name)


def _template(body: str, name: str) -> None:
    if "{{" not in body and "{%" not in body:
        return
    from jinja2 import Environment, TemplateSyntaxError

    try:
        Environment().parse(body)
    except TemplateSyntaxError as exc:
        raise BadValue(name, f"template error on line {exc.lineno} of the body: {exc.message}") from None


class _Fields:
    """Runs the checks of one record's fields and collects every problem instead of stopping at the first:
    ``check(_text, "name", limit=200)`` returns the value, or None after noting the problem. ``done(row)`` returns
    the row, or raises BadValues with all problems found."""

    def __init__(self, values: dict) -> None:
        self.values = values
        self.problems: list[BadValue] = []

    def __call__(self, check: Callable, name: str, *args, **kwargs):
        try:
            return check(self.values, name, *args, **kwargs)
        except BadValue as exc:
            self.problems.append(exc)
            return None

    def fine(self, *names: str) -> bool:
        """None of these fields had a problem (cross-field checks only make sense then)."""
        return not any(p.field in names for p in self.problems)

    def add(self, name: str, message: str) -> None:
        self.problems.append(BadValue(name, message))

    def done(self, row: dict) -> dict:
        if len(self.problems) == 1:
            raise self.problems[0]
        if self.problems:
            raise BadValues(self.problems)
        return row


# --- the import ---------------------------------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.more = 0

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more += 1

    def check(self, record: Record, fn: Callable[[dict], dict]) -> dict | None:
        try:
            return fn(record.values)
        except BadValue as exc:
            self.add(Problem(record.where, exc.field, exc.message))
        except BadValues as exc:
            for bad in exc.problems:
                self.add(Problem(record.where, bad.field, bad.message))
        return None


def import_file(store: Store, clock: Clock, kind: str, path: Path | str, *, fmt: str | None = None,
                actor_id: int | None = None, new_queues: bool = False) -> ImportResult:
    """Import one file (or, for ``kb``, a folder of Markdown files). Raises ImportFailed; writes nothing then.

    In a store that has queue records, a case or agent naming an unknown queue is a problem of its line, unless
    ``new_queues``: then the queues the file names are added."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}")
    path = Path(path)
    label = shown_path(path)
    collector = _Collector()
    try:
        if kind == "kb" and path.is_dir():
            records = read_markdown_folder(path)
        else:
            if not os.path.lexists(path):
                raise FileProblems([Problem(label, None, "no such file")])
            records = read_records(path, format_for(path, fmt), REQUIRED[kind], label, OPTIONAL[kind])
    except FileProblems as exc:
        if exc.records is None:
            raise ImportFailed(label, exc.problems[:MAX_PROBLEMS], max(0, len(exc.problems) - MAX_PROBLEMS)) from None
        records = exc.records
        for problem in exc.problems:
            collector.add(problem)

    if kind == "cases":
        from agent_console.admin import case_archive

        if case_archive.carries_whole_cases(records):
            return case_archive.import_whole_cases(store, clock, records, label, problems=collector.problems,
                                                   actor_id=actor_id, max_problems=MAX_PROBLEMS)

    validate = _VALIDATORS[kind]
    key_field = KEY_FIELD[kind]
    rows: list[tuple[Record, dict]] = []
    first_seen: dict[str, str] = {}
    for record in records:
        row = collector.check(record, validate)
        if row is None:
            continue
        key = row["_key"]
        if key in first_seen:
            collector.add(Problem(record.where, key_field,
                                  f"duplicate {key_field} {row[key_field] if key_field in row else key!r}: "
                                  f"already in {first_seen[key]}"))
            continue
        first_seen[key] = record.where.rsplit(", ", 1)[-1] if ", " in record.where else record.where
        rows.append((record, row))
    if collector.problems:
        collector.problems.sort(key=_position)
        raise ImportFailed(label, collector.problems, collector.more)

    now = clock.now()
    result = ImportResult(kind, label)
    with store.transaction() as session:
        conn = session.connection()
        _check_queues(session, kind, rows, now, result, collector, create=new_queues)
        _WRITERS[kind](conn, session, rows, now, result, collector)
        if collector.problems:
            raise ImportFailed(label, collector.problems, collector.more)  # rolls the transaction back
        audit(session, now, actor_id, f"import.{kind}", "import", None, source=label, created=result.created,
              updated=result.updated, unchanged=result.unchanged)
    return result


def _check_queues(session, kind, rows, now, result, collector, *, create: bool) -> None:
    """Cases and agents may only name the store's queues (any, in a store without queue records); ``create`` adds
    the unknown ones instead."""
    from agent_console.store.models import Queue
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
                collector.add(Problem(record.where, field_name, f"unknown queue {name!r}; the queues are: "
                                      f"{', '.join(sorted(known))} (pass --new-queues to add the file's new queues)"))
    session.add_all(Queue(name=name, created_at=now) for name in sorted(added))
    result.extra["new queues"] = len(added)


def _position(problem: Problem) -> tuple[str, int]:
    """Problems in file order: by file, then line / record number."""
    match = re.search(r"^(.*), (?:line|record) (\d+)$", problem.where)
    return (match.group(1), int(match.group(2))) if match else (problem.where, 0)


def read_markdown_folder(folder: Path) -> list[Record]:
    """Every ``*.md`` file of the folder (sorted): YAML front matter (title, tags, language), the rest is the body.

    A link in the folder may point to a file in the folder (or below it), never out of it: an import must not read
    whatever file a link happens to name. Anything that is not a regular file is refused; a file too large for an
    article is refused before it is read."""
    import yaml

    root = folder.resolve()
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".md" and not p.is_dir())
    if not files:
        raise FileProblems([Problem(shown_path(folder), None, "no Markdown files (*.md) in the folder")])
    records, problems = [], []
    for path in files:
        label = shown_path(path)
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            problems.append(Problem(label, None, f"a link to {shown_path(path.resolve())}, outside the folder; "
                                                 "links are followed only inside the folder (copy the file in)"))
            continue
        try:
            text = read_text(path, label, _MARKDOWN_MAX_BYTES,
                             f"the file is too large for an article (at most {limits.TEXT_MAX:,} characters)")
        except FileProblems as exc:
            problems += exc.problems
            continue
        lines = text.split("\n")
        if lines[0].strip() != "---":
            problems.append(Problem(f"{label}, line 1", None, "no front matter: the file must start with a '---' "
                                                               "line, then title/tags/language, then '---'"))
            continue
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is None:
            problems.append(Problem(f"{label}, line 1", None, "the front matter is not closed by a '---' line"))
            continue
        try:
            meta = yaml.safe_load("\n".join(lines[1:end])) or {}
        except RecursionError:
            problems.append(Problem(f"{label}, line 2", None, "front matter is nested too deeply"))
            continue
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 1
            problems.append(Problem(f"{label}, line {line}", None,
                                    f"front matter is not valid YAML: {getattr(exc, 'problem', None) or exc}"))
            continue
        if not isinstance(meta, dict):
            problems.append(Problem(f"{label}, line 2", None, "front matter must be 'key: value' lines"))
            continue
        meta = {str(k).strip().lower(): v for k, v in meta.items()}
        bad = [(name, surrogate_problem(value)) for name, value in meta.items()]
        for name, message in bad:
            if message:
                problems.append(Problem(f"{label}, line 2", name, message))
        if any(message for _name, message in bad):
            continue
        missing = [name for name in ("title", "language") if name not in meta]
        for name in missing:
            problems.append(Problem(f"{label}, line 1", name, f"missing {name!r} in the front matter"))
        if missing:
            continue
        body = "\n".join(lines[end + 1:]).strip("\n")
        values = {"slug": path.stem, "title": meta["title"], "tags": meta.get("tags") or "",
                  "language": meta["language"], "body": body}
        records.append(Record(f"{label}, line 1", values))
    if problems:
        raise FileProblems(problems, records)  # the readable files are checked too, to list every problem
    return records


# --- per kind: validate (pure) --------------------------------------------------------------------------------------


def _validate_customer(v: dict) -> dict:
    f = _Fields(v)
    email = f(_email, "email", required=False)
    phone = f(_phone, "phone")
    if f.fine("email", "phone") and not email and not phone:
        f.add("email", "empty; a customer needs an e-mail address (or at least a phone number)")
    row = {"name": f(_text, "name", limit=limits.NAME_MAX), "email": email or None, "phone": phone or None,
           "language": f(_language, "language")}
    if "vip" in v:
        row["vip"] = f(_flag, "vip")
    row["_key"] = email.lower() if email else f"phone:{phone}"
    return f.done(row)


def _validate_case(v: dict) -> dict:
    f = _Fields(v)
    email = f(_email, "customer_email", required=False)
    phone = f(_phone, "customer_phone") if "customer_phone" in v else ""
    if f.fine("customer_email", "customer_phone") and not email and not phone:
        f.add("customer_email", "empty; an e-mail address (or a customer_phone) is required")
    row = {
        "external_id": f(_identifier, "external_id", limit=limits.EXTERNAL_ID_MAX),
        "customer_email": email, "customer_phone": phone,
        "customer_name": f(_text, "customer_name", required=False, limit=limits.NAME_MAX),
        "channel": f(_choice, "channel", Channel),
        "queue": f(_identifier, "queue", limit=limits.QUEUE_MAX),
        "priority": f(_choice, "priority", Priority),
        "subject": f(_text, "subject", limit=limits.SUBJECT_MAX),
        "body": f(_body, "body"),
        "created_at": f(_date, "created_at"),
        "language": f(_language, "language", default="") if as_text(v.get("language")).strip() else "",
        "status": f(_choice, "status", CaseStatus) if as_text(v.get("status")).strip() else "",
        "tier": f(_score, "tier", 1, 3),
        "tags": f(_tags, "tags") if "tags" in v else None,
        "resolved_at": f(_date, "resolved_at", required=False),
    }
    if f.fine("status", "resolved_at"):
        if row["status"] in (CaseStatus.resolved, CaseStatus.closed) and row["resolved_at"] is None:
            f.add("resolved_at", f"empty; needed when the status is {row['status']}")
        elif f.fine("created_at") and row["resolved_at"] is not None and row["resolved_at"] < row["created_at"]:
            f.add("resolved_at", "is before created_at")
    row["_key"] = row["external_id"]
    return f.done(row)


def _validate_kb(v: dict) -> dict:
    f = _Fields(v)
    slug = as_text(v.get("slug")).strip()
    if not _SLUG.match(slug):
        f.add("slug", f"invalid slug {quoted(slug)}: 1–{limits.SLUG_MAX} letters, digits, '-', '_' or '.'")
    row = {"slug": slug, "title": f(_text, "title", limit=limits.ARTICLE_TITLE_MAX), "body": f(_body, "body"),
           "tags": f(_tags, "tags"), "language": f(_language, "language"), "_key": slug}
    return f.done(row)


def _validate_canned(v: dict) -> dict:
    f = _Fields(v)
    shortcut = as_text(v.get("shortcut")).strip()
    if not _SHORTCUT.match(shortcut):
        f.add("shortcut", f"invalid shortcut {quoted(shortcut)}: 1–{limits.SHORTCUT_MAX} letters, digits, '-', "
                          "'_', '.' or '/'")
    body = f(_body, "body")
    if body is not None:
        f(lambda _v, name: _template(body, name), "body")
    row = {"title": f(_text, "title", limit=limits.CANNED_TITLE_MAX), "shortcut": shortcut,
           "category": f(_text, "category", required=False, limit=limits.CATEGORY_MAX),
           "language": f(_language, "language"), "body": body, "_key": shortcut}
    return f.done(row)


def _agent_list(values: dict, name: str) -> str:
    try:
        joined = normalise_queues(as_text(values[name]), name)
    except AgentError as exc:
        raise BadValue(name, str(exc).removeprefix(f"{name}: ")) from None
    if len(joined) > limits.TAGS_MAX:
        raise BadValue(name, f"too long ({len(joined):,} characters; at most {limits.TAGS_MAX:,})")
    return joined


def _validate_agent(v: dict) -> dict:
    f = _Fields(v)
    tier_text = as_text(v.get("tier")).strip()
    row = {}
    try:
        login, name, role, tier = validate_agent_fields(as_text(v.get("login")), as_text(v.get("name")),
                                                        as_text(v.get("role")), tier_text)
        row.update(login=login, name=name, role=role, tier=tier, _key=login)
    except AgentError as exc:
        message = str(exc)
        field_name = next((n for n in ("login", "role", "tier", "name") if n in message), "login")
        f.add(field_name, message)
    name_length = len(clean_text(as_text(v.get("name"))).strip())
    if name_length > limits.NAME_MAX:
        f.add("name", f"too long ({name_length:,} characters; at most {limits.NAME_MAX})")
    if "queues" in v:
        row["queues"] = f(_agent_list, "queues")
    if "skills" in v:
        row["skills"] = f(_agent_list, "skills")
    if "active" in v and as_text(v["active"]).strip():
        row["active"] = f(_flag, "active")
    return f.done(row)


def _validate_survey(v: dict) -> dict:
    f = _Fields(v)
    row = {"case_external_id": f(_identifier, "case_external_id", limit=limits.EXTERNAL_ID_MAX),
           "csat": f(_score, "csat", 1, 5), "nps": f(_score, "nps", 0, 10), "ces": f(_score, "ces", 1, 7),
           "created_at": f(_date, "created_at", required=False)}
    if f.fine("csat", "nps", "ces") and row["csat"] is None and row["nps"] is None and row["ces"] is None:
        f.add("csat", "csat, nps and ces are all empty; a survey needs at least one score")
    row["_key"] = row["case_external_id"]
    return f.done(row)


_VALIDATORS = {"customers": _validate_customer, "cases": _validate_case, "kb": _validate_kb,
               "canned": _validate_canned, "agents": _validate_agent, "surveys": _validate_survey}


# --- per kind: write (inside the transaction) ------------------------------------------------------------------------


def _upsert(conn, table, key_column: str, rows: list[dict], now: datetime, result: ImportResult,
            touch: tuple[str, ...] = ("updated_at",), new_defaults: dict | None = None) -> dict[str, int]:
    """Insert new rows and update changed existing ones (keyed by ``key_column``); returns key -> id."""
    existing = {}
    fields = sorted({c for row in rows for c in row if not c.startswith("_")})
    columns = [table.c.id, table.c[key_column]] + [table.c[f] for f in fields if f != key_column]
    for row in conn.execute(select(*columns)):
        existing[row._mapping[key_column]] = dict(row._mapping)
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
    _insert_many(conn, table, inserts)
    _update_many(conn, table, updates)
    result.created += len(inserts)
    result.updated += len(updates)
    return {r[0]: r[1] for r in conn.execute(select(table.c[key_column], table.c.id))}


def _insert_many(conn, table, rows: list[dict]) -> None:
    bulk.insert_rows(conn, table, rows)


def _update_many(conn, table, rows: list[dict]) -> None:
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for keys, group in groups.items():
        values = {k: bindparam(f"v_{k}") for k in keys if k != "_id"}
        if "version" in table.c:
            values["version"] = table.c.version + 1
        statement = update(table).where(table.c.id == bindparam("_id")).values(values)
        conn.execute(statement, [{"_id": r["_id"], **{f"v_{k}": v for k, v in r.items() if k != "_id"}}
                                 for r in group])


def _write_customers(conn, session, rows, now, result, collector) -> None:
    table = Customer.__table__
    by_email = [r for _rec, r in rows if r["email"]]
    by_phone = [r for _rec, r in rows if not r["email"]]
    # E-mail matching is case-insensitive: look existing customers up by lower(email) and keep their spelling.
    known = {e.lower(): e for (e,) in conn.execute(select(table.c.email).where(table.c.email.is_not(None)))}
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
            new_defaults={"helpful_votes": 0})


def _case_lookup(conn) -> tuple[dict[str, int], dict[str, int]]:
    table = Case.__table__
    by_external, by_key = {}, {}
    for case_id, external_id, key in conn.execute(select(table.c.id, table.c.external_id, table.c.key)):
        if external_id:
            by_external[external_id] = case_id
        by_key[key] = case_id
    return by_external, by_key


def _write_surveys(conn, session, rows, now, result, collector) -> None:
    by_external, by_key = _case_lookup(conn)
    data = []
    seen: dict[int, str] = {}
    for record, row in rows:
        case_id = by_external.get(row["case_external_id"]) or by_key.get(row["case_external_id"])
        if case_id is None:
            collector.add(Problem(record.where, "case_external_id",
                                  f"no case with external id (or key) {row['case_external_id']!r} in the store"))
            continue
        if case_id in seen:
            collector.add(Problem(record.where, "case_external_id",
                                  f"{row['case_external_id']!r} is the same case as {seen[case_id]}"))
            continue
        seen[case_id] = record.where.rsplit(", ", 1)[-1]
        data.append({"case_id": case_id, "csat": row["csat"], "nps": row["nps"], "ces": row["ces"],
                     **({"created_at": row["created_at"]} if row["created_at"] else {})})
    if collector.problems or not data:
        return
    table = Survey.__table__
    existing = {r.case_id: dict(r._mapping) for r in conn.execute(select(table))}
    inserts, updates = [], []
    for row in data:
        old = existing.get(row["case_id"])
        if old is None:
            inserts.append({"uid": new_uid(), "created_at": now, **row})
        elif any(old.get(k) != v for k, v in row.items()):
            updates.append({"_id": old["id"], **{k: v for k, v in row.items() if k != "case_id"}})
        else:
            result.unchanged += 1
    _insert_many(conn, table, inserts)
    _update_many(conn, table, updates)
    result.created += len(inserts)
    result.updated += len(updates)


def _write_cases(conn, session, rows, now, result, collector) -> None:
    for record, row in rows:
        if row["created_at"] > now + FUTURE_SLACK:
            collector.add(Problem(record.where, "created_at", f"{row['created_at'].isoformat()} is in the future"))
    if collector.problems:
        return
    cases, customers = Case.__table__, Customer.__table__
    by_external, by_key = _case_lookup(conn)
    policies: dict[tuple[str, str | None], SlaPolicy] = {
        (p.channel, p.priority): p for p in session.scalars(select(SlaPolicy)).all()}

    def policy_for(channel: str, priority: str):
        return policies.get((channel, priority)) or policies.get((channel, None))

    # Customers: found by e-mail (case-insensitive) or phone; unknown ones are created.
    by_email = {e.lower(): (i, n, lang) for i, e, n, lang in conn.execute(
        select(customers.c.id, customers.c.email, customers.c.name, customers.c.language)
        .where(customers.c.email.is_not(None)))}
    by_phone = {p: (i, n, lang) for i, p, n, lang in conn.execute(
        select(customers.c.id, customers.c.phone, customers.c.name, customers.c.language)
        .where(customers.c.phone.is_not(None)))}
    new_customers = []
    next_customer = (conn.execute(select(func.max(customers.c.id))).scalar() or 0) + 1
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
    _insert_many(conn, customers, new_customers)
    result.extra["new customers"] = len(new_customers)

    next_case = (conn.execute(select(func.max(cases.c.id))).scalar() or 0) + 1
    new_cases, messages, events, updates = [], [], [], []
    existing_rows = {}
    wanted = [by_external.get(r["external_id"]) or by_key.get(r["external_id"]) for _rec, r in rows]
    wanted_ids = [i for i in wanted if i is not None]
    for start in range(0, len(wanted_ids), 500):
        chunk = wanted_ids[start:start + 500]
        for existing in conn.execute(select(cases).where(cases.c.id.in_(chunk))):
            existing_rows[existing.id] = existing._mapping
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
    _insert_many(conn, cases, new_cases)
    _insert_many(conn, Message.__table__, messages)
    _insert_many(conn, SlaEvent.__table__, events)
    if updates:
        _update_many(conn, cases, updates)
    result.created += len(new_cases)
    result.updated += len(updates)


_WRITERS = {"customers": _write_customers, "cases": _write_cases, "kb": _write_kb, "canned": _write_canned,
            "agents": _write_agents, "surveys": _write_surveys}
