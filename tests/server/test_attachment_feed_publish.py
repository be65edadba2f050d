"""Attachments taken in before the change feed carried them (or written into the server's database by a gateway
outside the server): ``server feed publish`` puts them into the feed — name, type and size in the queue of their
case, never the content, which is not even loaded (a database of many large files must not fill the memory)."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
from sqlalchemy import event, select

from agent_console.domain.mail_intake import IntakeOptions, ingest
from agent_console.server.db import open_server_store
from agent_console.store.db import open_store
from agent_console.store.models import ChangeLogEntry

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"


def test_feed_publish_puts_earlier_attachments_into_the_feed_without_their_content(cli, tmp_path, clock):
    db = tmp_path / "team.db"
    assert cli("server", "db", "upgrade", "--db", str(db)).exit_code == 0
    plain = open_store(db)  # a store that writes no feed rows, as before attachments travelled
    try:
        taken = ingest(plain, clock, (CORPUS / "attachment.eml").read_bytes(),
                       IntakeOptions(mail_from="Support <support@shop.example>", queue="General"))
    finally:
        plain.dispose()
    assert taken.outcome == "new_case"

    statements: list[str] = []
    store = open_server_store(str(db))
    event.listen(store.engine, "before_cursor_execute",
                 lambda _conn, _cursor, statement, *_rest: statements.append(statement))
    from agent_console.server.feed import publish_missing

    try:
        counts = publish_missing(store)
        with store.session() as session:
            [(data, queue)] = session.execute(select(ChangeLogEntry.data, ChangeLogEntry.queue)
                                              .where(ChangeLogEntry.entity == "message_attachment")).all()
    finally:
        store.dispose()
    assert counts["message_attachment"] == 1
    row = orjson.loads(data)
    assert (row["filename"], row["content_type"], row["size"], queue) == ("Kassenbon März.pdf", "application/pdf",
                                                                         125, "General")
    assert "content" not in row and row["message_uid"]
    reads = [s for s in statements if "FROM message_attachments" in s]
    assert reads and not any(re.search(r"message_attachments\.content\b(?!_)", s) for s in reads)
