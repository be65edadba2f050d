"""A case's messages, oldest first: inbound, outbound and internal notes look different AND carry a label."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from agent_console.domain.mail_state import mail_state_text
from agent_console.domain.text import clean_text
from agent_console.formatting import number
from agent_console.i18n import N_, _, ngettext
from agent_console.mail.quotes import visible_text
from agent_console.widgets.labels import channel_label
from agent_console.widgets.sla_badge import local_time


def message_kind(message) -> str:
    if message.is_internal:
        return "note"
    return "inbound" if message.direction == "in" else "outbound"


LABEL = {"inbound": N_("◀ IN"), "outbound": N_("▶ OUT"), "note": N_("✎ NOTE")}


def message_text(message, zone: tzinfo | None, now: datetime | None, mail=None, attachments=()) -> Text:
    """The message's header line (with how its mail stands, for a mailed reply) and body; a mail's quoted earlier
    mail and signature folded away (the stored body keeps them), its attached files listed."""
    kind = message_kind(message)
    text = Text()
    text.append(f"{_(LABEL[kind])} ", style="bold")
    text.append(clean_text(message.author_name) or "—", style="bold")
    text.append(f"  ·  {local_time(message.created_at, zone, now=now)}  ·  {channel_label(clean_text(message.channel))}",
                style="dim")
    if kind == "note":
        text.append("  ·  " + _("internal"), style="italic")
    if mail is not None:  # the reply's outbox row: how its mail stands
        text.append(f"  ·  {mail_state_text(mail.state, mail.last_error)}",
                    style="bold red" if mail.state == "failed" else "dim")
    text.append("\n")
    body, folded = clean_text(message.body), 0
    if message.channel == "email" and not message.is_internal:
        body, folded = visible_text(body)
    text.append(body)
    if folded:
        text.append("\n" + ngettext("… {count} quoted line folded", "… {count} quoted lines folded",
                                     folded).format(count=folded), style="dim")
    for name, content_type, size, omitted in attachments:
        text.append("\n")
        text.append_text(attachment_text(name, content_type, size, omitted))
    return text


def attachment_text(name: str, content_type: str, size: int, omitted: str | None) -> Text:
    """One file listed under its message (the thread, ``case show``): name, type, size, and whether it was kept."""
    size_text = _("{size} KB").format(size=number(max(1, round(size / 1024))))
    text = Text(_("Attachment: {name} ({type}, {size})").format(
        name=clean_text(name), type=clean_text(content_type), size=size_text), style="italic")
    if omitted:
        text.append("  " + _("not kept: over the size limit"), style="dim")
    return text


class MessageBox(Static):
    DEFAULT_CSS = """
    MessageBox {
        margin: 0 0 1 0;
        padding: 0 1;
        height: auto;
    }
    MessageBox.-inbound {
        border-left: thick $accent;
        margin-right: 8;
    }
    MessageBox.-outbound {
        border-left: thick $success;
        margin-left: 8;
    }
    MessageBox.-note {
        border-left: thick $warning;
        background: $warning 15%;
        margin-left: 4;
        margin-right: 4;
    }
    """


def _utc_or(moment: datetime | None, fallback: datetime | None) -> datetime:
    from datetime import timezone

    moment = moment or fallback or datetime.min.replace(tzinfo=timezone.utc)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class ThreadView(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    ThreadView {
        height: 1fr;
        padding: 0 1;
    }
    ThreadView:focus {
        background-tint: $foreground 4%;
    }
    """

    def show_messages(self, messages, zone: tzinfo | None, now: datetime | None, calls=(), *,
                      mail_states: dict | None = None, attachments: dict | None = None) -> None:
        """The messages (with the state of those that were mailed), and a line for each call taken on the case
        (``call_lines.calls_json`` objects) where it happened among them."""
        from agent_console.call_lines import call_line

        with self.app.batch_update():
            self.remove_children()
            mail_states = mail_states or {}
            attachments = attachments or {}
            timed = [(m.created_at, MessageBox(message_text(m, zone, now, mail_states.get(m.id),
                                                            attachments.get(m.id, ())), markup=False,
                                                classes=f"-{message_kind(m)}")) for m in messages]
            for call in calls:
                at = datetime.fromisoformat(call["started_at"]) if call["started_at"] else None
                timed.append((at, MessageBox(Text(call_line(call)), markup=False, classes="-call")))
            last = max((at for at, _box in timed if at is not None), default=None)
            boxes = [box for _at, box in sorted(timed, key=lambda item: _utc_or(item[0], last))]
            if not boxes:
                boxes = [MessageBox(Text(_("No messages yet.")), markup=False)]
            self.mount_all(boxes)
        self.call_after_refresh(self.scroll_end, animate=False)
