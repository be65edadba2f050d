"""A reply's mail state beside the message (thread view and ``case show``): literal, one line, failure visible."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

from agent_console.domain.mail_state import mail_state_text
from agent_console.widgets.thread_view import message_text

AT = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def reply():
    return SimpleNamespace(is_internal=False, direction="out", author_name="Anna Agent", created_at=AT,
                           channel="email", body="Antwort")


def test_each_state_reads_as_what_happened_to_the_mail():
    assert mail_state_text("queued", None) == "mail queued"
    assert mail_state_text("queued", "451 4.3.0 try later") == "mail queued, retrying: 451 4.3.0 try later"
    assert mail_state_text("sent", None) == "mail sent"
    assert mail_state_text("failed", "550 5.1.1 no such user") == "mail failed: 550 5.1.1 no such user"


def test_a_failed_mail_is_marked_on_its_message_with_the_reply_shown_literally():
    mail = SimpleNamespace(state="failed", last_error="550 [bold]no[/bold]\x1b[31m such\r\nuser")
    text = message_text(reply(), timezone.utc, AT, mail)
    assert "mail failed: 550 [bold]no[/bold]" in text.plain and "\x1b" not in text.plain
    header = text.plain.split("\n")[0]
    assert "user" in header  # the reply stays on the message's header line
    assert any("red" in str(span.style) for span in text.spans)
    assert "mail failed" not in message_text(reply(), timezone.utc, AT).plain
