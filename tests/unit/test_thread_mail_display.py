"""How a mail shows in the thread: quoted earlier mail and signatures folded (the stored body keeps them), attached
files listed under the message, their names literally."""

from __future__ import annotations

from datetime import datetime, timezone

from agent_console.store.models import Message
from agent_console.widgets.thread_view import message_text

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
BODY = "Still broken.\n\nAm 3. Dez. 2026 um 10:00 schrieb Support <s@x.de>:\n> Hallo\n> Gruß"


def shown(message, attachments=()) -> str:
    return message_text(message, timezone.utc, NOW, attachments=attachments).plain


def mail(body: str = BODY, **values) -> Message:
    fields = {"id": 1, "case_id": 1, "direction": "in", "channel": "email", "author_name": "Maya", "body": body,
              "created_at": NOW, **values}
    return Message(**fields)


def test_a_mail_shows_without_its_quoted_part_and_says_how_much_is_folded():
    text = shown(mail())
    assert "Still broken." in text and "schrieb Support" not in text and "> Hallo" not in text
    assert "… 3 quoted lines folded" in text


def test_notes_and_other_channels_are_shown_whole():
    assert "> Hallo" in shown(mail(is_internal=True))
    assert "> Hallo" in shown(mail(channel="chat"))


def test_attachments_are_listed_with_their_size_and_whether_they_were_kept():
    text = shown(mail("See file."), [("Kassenbon März.pdf", "application/pdf", 125, None),
                                     ("[red]big\x1b[2J.bin", "application/octet-stream", 20 * 1024 * 1024,
                                      "larger than the limit")])
    assert "Attachment: Kassenbon März.pdf (application/pdf, 1 KB)" in text
    assert "Attachment: [red]big.bin (application/octet-stream, 20480 KB)  not kept: over the size limit" in text
    assert "\x1b" not in text
