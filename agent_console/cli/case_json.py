"""The JSON of ``case list`` and ``case show``, and their reads through ``store/fast_read.py``: one implementation
for the Typer commands (``cli/case.py``) and the pre-Typer fast path (``cli/fast_path.py``). Nothing here imports
Typer, Rich, SQLAlchemy or the ORM models."""

from __future__ import annotations

import sqlite3
from datetime import datetime


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def read_list_fast(reader: sqlite3.Connection, *, view: str, queue: str | None, channel: str | None, limit: int):
    """(ids, rows by id, policies) of a view through the fast reader, which is closed afterwards."""
    from agent_console.store import fast_read

    try:
        ids = fast_read.queue_case_ids(reader, view=view, queue=queue, channel=channel, limit=limit)
        return ids, fast_read.queue_rows(reader, ids), fast_read.all_policies(reader)
    finally:
        reader.close()


def read_show_fast(reader: sqlite3.Connection, key: str):
    """(case, customer, assignee, messages, policy, escalations, follow_ups, mail_states, calls, merge, attachments)
    of the case ``key`` through the fast reader, which is closed afterwards; raises ``fast_read.CaseNotFound``.
    ``merge``: (the key it was merged into, its links), as :func:`show_data` takes it."""
    from agent_console.domain.sla import policy_from
    from agent_console.store import fast_read

    try:
        case, customer, assignee, messages = fast_read.case_view(reader, key.strip())
        policy = policy_from(fast_read.all_policies(reader), case.channel, case.priority)
        return (case, customer, assignee, messages, policy, fast_read.case_escalations(reader, case.id),
                fast_read.case_follow_ups(reader, case.id), fast_read.case_mail_states(reader, case.id),
                fast_read.case_calls(reader, case.id), fast_read.case_merge_state(reader, case),
                fast_read.case_attachments(reader, case.id))
    finally:
        reader.close()


def list_items(ids: list[int], rows: dict[int, dict], policies, now: datetime) -> tuple[list[dict], list[dict]]:
    """The rows of ``ids`` in order, and each as ``case list --json`` prints it."""
    from agent_console.domain.sla import row_countdown

    ordered = [rows[i] for i in ids if i in rows]
    items = []
    for row in ordered:
        countdown = row_countdown(row, policies, now)
        items.append({
            "key": row["key"], "priority": row["priority"], "channel": row["channel"], "queue": row["queue"],
            "customer": row["customer_name"], "subject": row["subject"], "status": row["status"],
            "tier": row["tier"], "assignee": row["assignee_login"], "created_at": iso(row["created_at"]),
            "sla_due_at": iso(row["sla_due_at"]), "sla_state": str(countdown.state),
            "sla_remaining_s": countdown.remaining_s, "sla_target": countdown.target,
        })
    return ordered, items


def history_json(escalations: list[dict], follow_ups: list[dict]) -> dict:
    """The case's escalations and follow-ups as ``case show --json`` prints them (either read path)."""
    return {
        "escalations": [{"kind": e["kind"], "from_tier": e["from_tier"], "to_tier": e["to_tier"],
                         "from_queue": e["from_queue"], "to_queue": e["to_queue"], "by": e["by_login"],
                         "at": iso(e["created_at"]), "reason": e["reason"]} for e in escalations],
        "follow_ups": [{"agent": f["agent_login"], "due_at": iso(f["due_at"]), "done": f["done_at"] is not None,
                        "done_at": iso(f["done_at"]), "note": f["note"]} for f in follow_ups],
    }


def show_data(case, customer, assignee, messages, countdown, targets, escalations, follow_ups,
              mail_states: dict | None = None, calls: list[dict] = (),
              merge: tuple[str | None, list[dict]] = (None, []), attachments: dict | None = None) -> dict:
    """A case as ``case show --json`` prints it; ``mail_states``: message id -> outbox row of the mailed replies;
    ``merge``: the key of the case it was merged into (or None) and its links (dicts with kind, key, subject,
    status and uid of the other case; kind as ``case_merge.shown_links`` names it); ``attachments``: message id ->
    (file name, type, size, omitted reason) of its files."""
    from agent_console.call_lines import calls_json
    from agent_console.domain.help_articles import help_articles_of
    from agent_console.domain.mail_state import mail_state_json

    mail_states = mail_states or {}
    attachments = attachments or {}
    return {
        "key": case.key, "subject": case.subject, "status": case.status, "priority": case.priority,
        "channel": case.channel, "queue": case.queue, "tier": case.tier,
        "assignee": assignee.login if assignee else None, "contact_count": case.contact_count,
        "created_at": iso(case.created_at), "resolved_at": iso(case.resolved_at),
        "customer": {"name": customer.name, "email": customer.email, "phone": customer.phone,
                     "language": customer.language, "vip": customer.vip},
        "sla": {"state": str(countdown.state), "target": countdown.target, "remaining_s": countdown.remaining_s,
                "targets": [{"target": str(t.target), "due_at": iso(t.due_at), "state": str(t.state)}
                            for t in targets]},
        "messages": [{"direction": m.direction, "internal": m.is_internal, "author": m.author_name,
                      "channel": m.channel, "created_at": iso(m.created_at), "body": m.body,
                      "mail": _mail_json(mail_state_json(mail_states.get(m.id))),
                      "attachments": [{"name": name, "type": content_type, "size": size, "omitted_reason": omitted}
                                      for name, content_type, size, omitted in attachments.get(m.id, ())]}
                     for m in messages],
        **history_json(escalations, follow_ups),
        "calls": calls_json(list(calls)),
        "help_articles": [{"slug": slug, "title": title} for slug, title in help_articles_of(case)],
        "merged_into": merge[0],
        "links": [{"kind": link["kind"], "key": link["key"], "subject": link["subject"], "status": link["status"],
                   "uid": link["uid"]} for link in merge[1]],
    }


def _mail_json(mail: dict | None) -> dict | None:
    if mail is None:
        return None
    return {**mail, "sent_at": iso(mail["sent_at"]), "next_attempt_at": iso(mail["next_attempt_at"])}
