"""Hostile text for the "no escape sequence reaches a terminal" tests (issue #14, point 1), and the checks on output."""

from __future__ import annotations

import re

from sqlalchemy import text

#: Everything a terminal would act on, plus what Rich would treat as markup: SGR colour, an OSC 52 clipboard write,
#: an OSC 0 window title, NUL, DEL, a C1 CSI, a bidi override, Rich markup and a Rich link.
HOSTILE = ("Q\x1b[31mred\x1b[0m\x1b]52;c;cHduZWQ=\x07\x1b]0;pwned\x07\x00\x7f\x9b31m\u202e"
           "[bold red]x[/][link=http://evil]l[/link]Z")
#: What ``clean_text`` keeps of it: the words and the markup, literally.
HOSTILE_CLEANED = "Qred[bold red]x[/][link=http://evil]l[/link]Z"
#: The same without NUL (PostgreSQL cannot store NUL; the server refuses it at the door).
HOSTILE_NO_NUL = HOSTILE.replace("\x00", "")

#: A character no output may contain: C0 controls but tab and newline, DEL, C1 controls, bidi controls.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def assert_terminal_safe(output: str, where: str = "") -> None:
    found = FORBIDDEN.search(output)
    assert found is None, f"{where}: {found.group()!r} at {found.start()} in {output[max(0, found.start() - 40):][:80]!r}"


#: Every stored text field of every entity the surfaces show, by table: (column, …). Written straight into the store
#: with SQL, as an old store, a hostile sync or a hand edit could leave them.
HOSTILE_COLUMNS = {
    "customers": ("name", "email", "phone", "language"),
    "cases": ("subject", "queue", "tags", "external_id", "language", "wrap_up_code"),
    "messages": ("body", "author_name"),
    "agents": ("name", "queues", "skills"),
    "handling_segments": ("end_reason", "wrap_up_code"),
    "canned_responses": ("title", "body", "category", "language"),
    "kb_articles": ("title", "body", "tags", "language"),
    "escalations": ("reason", "from_queue", "to_queue"),
    "follow_ups": ("note",),
}

#: Columns that must stay unique: the row id is appended to the hostile value.
UNIQUE = {("cases", "external_id")}


def poison_store(store, clock, value: str = HOSTILE) -> None:
    """Overwrite every column of ``HOSTILE_COLUMNS`` in every row with ``value``, and add an agent whose login is
    ``value`` and who holds the first case (the test agents keep their logins, so commands can still act as them)."""
    from agent_console.domain.agents import upsert_agent

    upsert_agent(store, clock, login="hostile", name="Hostile", queues="Billing")
    with store.engine.begin() as conn:
        for table, columns in HOSTILE_COLUMNS.items():
            assignments = ", ".join(f"{column} = :value || id" if (table, column) in UNIQUE else f"{column} = :value"
                                    for column in columns)
            conn.execute(text(f"UPDATE {table} SET {assignments}"), {"value": value})
        conn.execute(text("UPDATE cases SET assignee_id = (SELECT id FROM agents WHERE login = 'hostile') "
                          "WHERE id = (SELECT MIN(id) FROM cases)"))
        conn.execute(text("UPDATE agents SET login = :value WHERE login = 'hostile'"), {"value": value})
