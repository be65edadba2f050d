"""A case's messages, oldest first: inbound, outbound and internal notes look different AND carry a label."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from agent_console.domain.text import clean_text
from agent_console.formatting import number
from agent_console.i18n import _, ngettext
from agent_console.mail.quotes import visible_text
from agent_console.widgets.sla_badge import local_time


def message_kind(message) -> str:
    if message.is_internal:
        return "note"
    return "inbound" if message.direction == "in" else "outbound"


LABEL = {"inbound": "◀ IN", "outbound": "▶ OUT", "note": "✎ NOTE"}


def message_text(message, zone: tzinfo | None, now: datetime | None, attachments=()) -> Text:
    """The message's header line and body; a mail's quoted earlier mail and signature folded away (the stored body
    keeps them), its attached files listed."""
    kind = message_kind(message)
    text = Text()
    text.append(f"{LABEL[kind]} ", style="bold")
    text.append(clean_text(message.author_name) or "—", style="bold")
    text.append(f"  ·  {local_time(message.created_at, zone, now=now)}  ·  {clean_text(message.channel)}", style="dim")
    if kind == "note":
        text.append("  ·  internal", style="italic")
    text.append("\n")
    body, folded = clean_text(message.body), 0
    if message.channel == "email" and not message.is_internal:
        body, folded = visible_text(body)
    text.append(body)
    if folded:
        text.append("\n" + ngettext("… {count} quoted line folded", "… {count} quoted lines folded",
                                     folded).format(count=folded), style="dim")
    for name, content_type, size, omitted in attachments:
        size_text = _("{size} KB").format(size=number(max(1, round(size / 1024))))
        text.append("\n" + _("Attachment: {name} ({type}, {size})").format(
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

    def show_messages(self, messages, zone: tzinfo | None, now: datetime | None, *, attachments=None) -> None:
        attachments = attachments or {}
        with self.app.batch_update():
            self.remove_children()
            boxes = [MessageBox(message_text(m, zone, now, attachments.get(m.id, ())), markup=False,
                                classes=f"-{message_kind(m)}")
                     for m in messages]
            if not boxes:
                boxes = [MessageBox(Text("No messages yet."), markup=False)]
            self.mount_all(boxes)
        self.call_after_refresh(self.scroll_end, animate=False)
