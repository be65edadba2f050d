"""The columns (fields) of every import kind: light enough for ``import --help`` (no database imports).
docs/formats.md describes each."""

from __future__ import annotations

REQUIRED = {
    "customers": ["name", "email", "phone", "language"],
    "cases": ["external_id", "customer_email", "channel", "queue", "priority", "subject", "body", "created_at"],
    "kb": ["slug", "title", "body", "tags", "language"],
    "canned": ["title", "shortcut", "category", "language", "body"],
    "agents": ["login", "name", "role", "tier"],
    "surveys": ["case_external_id", "csat", "nps", "ces"],
}
OPTIONAL = {
    "customers": ["vip"],
    "cases": ["customer_name", "customer_phone", "language", "status", "tier", "tags", "resolved_at"],
    "kb": ["public", "queue"],
    "canned": [],
    "agents": ["queues", "skills", "active"],
    "surveys": ["created_at"],
}
#: The field that identifies a record, for the duplicate check inside a file.
KEY_FIELD = {"customers": "email", "cases": "external_id", "kb": "slug", "canned": "shortcut", "agents": "login",
             "surveys": "case_external_id"}


def columns_help() -> str:
    """The columns of every kind, for ``agent-console import --help``."""
    lines = []
    for kind, required in REQUIRED.items():
        optional = OPTIONAL[kind]
        line = f"{kind}: {', '.join(required)}"
        if optional:
            line += f"; optional: {', '.join(optional)}"
        lines.append(line)
    return "\n\n".join(lines)
