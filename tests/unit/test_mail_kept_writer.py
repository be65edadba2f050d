"""A run of mails (``mail fetch``, ``mail run``'s mailbox thread) is taken into a console's store over one kept
connection (store/kept_writer.py), each mail still its own transaction: committed for every other reader at once, and
a mail that fails leaves nothing behind and does not stop the next one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import select

from agent_console.domain.mail_intake import IntakeOptions, IntakeSetupError, ingest
from agent_console.store.db import open_store
from agent_console.store.kept_writer import KeptWriter, writer_for
from agent_console.store.models import Case, MailReceipt

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
OPTIONS = IntakeOptions(mail_from="Support <support@shop.example>", queue="General")


def numbered(number: int) -> bytes:
    raw = (CORPUS / "gmail_multipart.eml").read_bytes()
    return re.sub(rb"^Message-I[Dd]: <[^>]*>", f"Message-ID: <kept-{number}@example.com>".encode(), raw, count=1,
                  flags=re.MULTILINE)


def test_mails_of_one_run_share_one_connection_and_each_commits_on_its_own(store, store_path, clock):
    opened = []
    event.listen(store.engine, "connect", lambda *_args: opened.append(1))
    writer = writer_for(store)
    assert isinstance(writer, KeptWriter)
    keys = []
    for number in range(5):
        keys.append(ingest(writer, clock, numbered(number), OPTIONS).case_key)
        other = open_store(store_path)  # another process's view: the mail is committed already
        try:
            with other.session() as session:
                assert session.exec(select(Case.key).where(Case.key == keys[-1])).one() == keys[-1]
        finally:
            other.dispose()
    assert len(opened) == 1
    writer.close()


def test_a_failed_mail_leaves_nothing_and_the_next_one_is_taken(store, clock):
    writer = writer_for(store)
    with pytest.raises(IntakeSetupError):
        ingest(writer, clock, numbered(1), IntakeOptions(mail_from=OPTIONS.mail_from, queue="Nowhere"))
    assert ingest(writer, clock, numbered(2), OPTIONS).outcome == "new_case"
    writer.close()
    with store.session() as session:
        assert [r.receipt_key for r in session.exec(select(MailReceipt)).all()] == ["<kept-2@example.com>"]
