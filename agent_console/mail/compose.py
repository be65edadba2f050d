"""A reply as the mail the customer receives: headers that thread it under their mail, the agent's text as
text/plain and a simple escaped text/html alternative. Pure: no I/O.

Every header goes through the ``email`` package's SMTP policy, which refuses a line break in a header value, and the
values we take from the store are checked for one beforehand, so nothing an agent or a customer typed can add a
header (``Bcc:``) to the mail."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

_LINE_BREAK = re.compile(r"[\r\n\x00]")
_MESSAGE_ID = re.compile(r"^<[^<>\s]+@[^<>\s]+>$")


class MailComposeError(ValueError):
    """The mail cannot be composed (a bad address, a header with a line break): sending it can never succeed."""


@dataclass(frozen=True)
class OutgoingMail:
    mail_from: str
    recipient: str
    subject: str
    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]
    body: str


def _one_line(name: str, value: str) -> str:
    if _LINE_BREAK.search(value or ""):
        raise MailComposeError(f"the {name} contains a line break")
    return value


def _address(name: str, value: str) -> str:
    display, address = parseaddr(_one_line(name, value))
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in address):
        raise MailComposeError(f"the {name} {value!r} is not an e-mail address")
    try:
        return str(Address(display_name=display, addr_spec=address))
    except (ValueError, IndexError) as exc:
        raise MailComposeError(f"the {name} {value!r} is not an e-mail address ({exc})") from None


def _message_id(name: str, value: str) -> str:
    if not _MESSAGE_ID.match(_one_line(name, value)):
        raise MailComposeError(f"the {name} {value!r} is not a Message-ID")
    return value


def html_alternative(body: str) -> str:
    """The text as HTML: escaped, paragraphs kept, nothing of it interpreted."""
    paragraphs = [part for part in re.split(r"\n\s*\n", body.strip("\n")) if part.strip()]
    inner = "\n".join("<p>" + html.escape(part).replace("\n", "<br>\n") + "</p>" for part in paragraphs)
    return f"<!DOCTYPE html>\n<html><body>\n{inner}\n</body></html>\n"


def compose_reply(mail: OutgoingMail, date: datetime) -> EmailMessage:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = _address("sender", mail.mail_from)
    message["To"] = _address("recipient", mail.recipient)
    message["Subject"] = _one_line("subject", mail.subject)
    message["Date"] = format_datetime(date if date.tzinfo else date.replace(tzinfo=timezone.utc))
    message["Message-ID"] = _message_id("Message-ID", mail.message_id)
    if mail.in_reply_to:
        message["In-Reply-To"] = _message_id("In-Reply-To", mail.in_reply_to)
    references = [_message_id("References", ref) for ref in mail.references if ref]
    if references:
        message["References"] = " ".join(references)
    message.set_content(mail.body.replace("\r\n", "\n"), subtype="plain", charset="utf-8")
    message.add_alternative(html_alternative(mail.body), subtype="html", charset="utf-8")
    return message
