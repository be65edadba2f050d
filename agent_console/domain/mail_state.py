"""How a reply's mail stands, in words for the agent (the thread, ``case show``): queued, retrying with the SMTP
server's last reply, sent, or failed with the reply that refused it."""

from __future__ import annotations

from agent_console.domain.text import one_line

#: Characters of the SMTP server's reply shown beside the message.
REPLY_CHARS = 160


def mail_state_text(state: str, last_error: str | None) -> str:
    from agent_console.i18n import _

    reply = one_line(last_error or "", REPLY_CHARS)
    if state == "sent":
        return _("mail sent")
    if state == "failed":
        return _("mail failed: {reply}").format(reply=reply)
    if reply:
        return _("mail queued, retrying: {reply}").format(reply=reply)
    if state == "sending":
        return _("mail being sent")
    return _("mail queued")


def mail_state_json(row) -> dict | None:
    """The outbox row as ``case show --json`` gives it on the message (None: the message was not mailed)."""
    if row is None:
        return None
    return {"state": row.state, "message_id": row.mail_message_id, "recipient": row.recipient,
            "attempts": row.attempts, "last_error": row.last_error, "sent_at": row.sent_at,
            "next_attempt_at": row.next_attempt_at if row.state == "queued" else None}
