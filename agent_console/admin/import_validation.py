"""Per kind, the check of one imported record (pure): every field, then the rules across fields; returns the
row to write (``_key`` is what the import matches existing rows by)."""

from __future__ import annotations

from agent_console.admin.records import BadValue, as_text, quoted
from agent_console.domain import limits
from agent_console.domain.agents import AgentError, normalise_queues, validate_agent_fields
from agent_console.domain.text import clean_text
from agent_console.i18n import _
from agent_console.store.models import CaseStatus, Channel, Priority
from agent_console.admin.import_fields import (
    _SHORTCUT, _SLUG, _Fields, _body, _choice, _date, _email, _flag, _identifier, _language, _phone,
    _score, _tags, _template, _text,
)


def _validate_customer(v: dict) -> dict:
    f = _Fields(v)
    email = f(_email, "email", required=False)
    phone = f(_phone, "phone")
    if f.fine("email", "phone") and not email and not phone:
        f.add("email", _("empty; a customer needs an e-mail address (or at least a phone number)"))
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
        f.add("customer_email", _("empty; an e-mail address (or a customer_phone) is required"))
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
            f.add("resolved_at", _("empty; needed when the status is {status}").format(status=row['status']))
        elif f.fine("created_at") and row["resolved_at"] is not None and row["resolved_at"] < row["created_at"]:
            f.add("resolved_at", _("is before created_at"))
    row["_key"] = row["external_id"]
    return f.done(row)


def _validate_kb(v: dict) -> dict:
    f = _Fields(v)
    slug = as_text(v.get("slug")).strip()
    if not _SLUG.match(slug):
        f.add("slug", _("invalid slug {slug}: 1–{SLUG_MAX} letters, digits, '-', '_' or '.'").format(
            slug=quoted(slug), SLUG_MAX=limits.SLUG_MAX))
    row = {"slug": slug, "title": f(_text, "title", limit=limits.ARTICLE_TITLE_MAX), "body": f(_body, "body"),
           "tags": f(_tags, "tags"), "language": f(_language, "language"), "_key": slug}
    # Optional: a file without them leaves an existing article's help-center flag and queue as they are.
    if "public" in v and as_text(v["public"]).strip():
        row["public"] = f(_flag, "public")
    if "queue" in v:
        row["queue"] = f(_identifier, "queue", limit=limits.QUEUE_MAX) if as_text(v["queue"]).strip() else None
    return f.done(row)


def _validate_canned(v: dict) -> dict:
    f = _Fields(v)
    shortcut = as_text(v.get("shortcut")).strip()
    if not _SHORTCUT.match(shortcut):
        f.add("shortcut", _("invalid shortcut {shortcut}: 1–{SHORTCUT_MAX} letters, digits, '-', '_', '.' or '/'").format(
            shortcut=quoted(shortcut), SHORTCUT_MAX=limits.SHORTCUT_MAX))
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
        raise BadValue(name, _("too long ({count:,} characters; at most {TAGS_MAX:,})").format(
            count=len(joined), TAGS_MAX=limits.TAGS_MAX))
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
        f.add("name", _("too long ({name_length:,} characters; at most {NAME_MAX})").format(
            name_length=name_length, NAME_MAX=limits.NAME_MAX))
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
        f.add("csat", _("csat, nps and ces are all empty; a survey needs at least one score"))
    row["_key"] = row["case_external_id"]
    return f.done(row)


_VALIDATORS = {"customers": _validate_customer, "cases": _validate_case, "kb": _validate_kb,
               "canned": _validate_canned, "agents": _validate_agent, "surveys": _validate_survey}
