"""Reading one received mail (RFC 5322 + MIME) into what intake needs: sender, threading headers, a readable body,
attachments, whether it is an automatic reply, and — for a delivery-status notification — which of our mails bounced.

The standard library's ``email`` package with ``policy.default`` does the MIME work; this module picks the body
(plain text before HTML, HTML turned into text), decodes charsets with a safe fallback and never lets malformed
input escape as anything but :class:`MailRejected` with a reason."""

from __future__ import annotations

import email
import email.policy
import mimetypes
import re
import unicodedata
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import HeaderParser
from email.utils import parseaddr

from agent_console.mail.html_text import html_to_text

#: Larger input is refused before parsing (a 20 MB attachment is ~27 MB base64; this leaves room).
MAX_RAW_BYTES = 40 * 1024 * 1024
#: Nested multiparts deeper than this are not followed (a hostile mail nests thousands).
MAX_MIME_DEPTH = 12
MAX_PARTS = 500
NO_SUBJECT = "(no subject)"

_ANGLE_IDS = re.compile(r"<[^<>\s]{1,990}>")
_AUTO_SUBJECTS = re.compile(r"^\s*(automatic reply|auto(matische)?[ -]?(reply|antwort)|out of (the )?office|"
                            r"abwesenheitsnotiz|abwesend|autoreply|vacation)\b", re.IGNORECASE)
_GERMAN_MARKERS = re.compile(r"\b(und|ich|nicht|bitte|danke|sehr geehrte[rn]?|hallo|mit freundlichen grüßen|"
                             r"meine|ist|wir|sie)\b|[äöüß]", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f/\\:*?\"<>|]+")
# Charsets mail clients declare while sending their superset; decoding as the superset loses nothing.
_SUPERSETS = {"us-ascii": "windows-1252", "ascii": "windows-1252", "iso-8859-1": "windows-1252",
              "latin-1": "windows-1252", "latin1": "windows-1252", "ks_c_5601-1987": "cp949",
              "gb2312": "gb18030", "gbk": "gb18030"}
_RECOVERABLE = (ValueError, LookupError, TypeError, IndexError, AttributeError, UnicodeError, AssertionError,
                RecursionError)


class MailRejected(ValueError):
    """The input can never be accepted as a mail (the MTA should bounce it: EX_DATAERR)."""


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class Bounce:
    """What a delivery-status notification (RFC 3464) says about one of our mails."""

    original_message_id: str | None
    status: str = ""
    action: str = ""
    recipient: str = ""
    diagnostic: str = ""

    def summary(self) -> str:
        parts = [self.action or "failed", self.status, self.recipient, self.diagnostic]
        return " ".join(p for p in parts if p)[:900]


@dataclass
class ParsedMail:
    message_id: str | None
    sender_address: str
    sender_name: str
    subject: str
    body: str
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    #: Why this mail is an automatic reply (the header or subject that says so), or None.
    auto_reply: str | None = None
    bounce: Bounce | None = None
    #: ``de`` or ``en`` when the mail says or shows which, else None.
    language: str | None = None
    #: Problems the MIME parser found and worked around (shown to nobody; kept in the receipt).
    defects: list[str] = field(default_factory=list)

    def thread_ids(self) -> list[str]:
        """The Message-IDs this mail answers, most specific first: In-Reply-To, then References newest first."""
        ordered = list(self.in_reply_to) + list(reversed(self.references))
        return list(dict.fromkeys(ordered))


def parse_mail(raw: bytes) -> ParsedMail:
    """Read one raw mail. Raises :class:`MailRejected` for input that is no acceptable mail at all."""
    if not raw or not raw.strip():
        raise MailRejected("the input is empty")
    if len(raw) > MAX_RAW_BYTES:
        raise MailRejected(f"the mail is {len(raw)} bytes, more than the {MAX_RAW_BYTES} accepted")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        return _read(message)
    except MailRejected:
        raise
    except _RECOVERABLE as exc:
        raise MailRejected(f"the mail cannot be read as MIME: {type(exc).__name__}") from None


def _read(message: EmailMessage) -> ParsedMail:
    sender_name, sender_address = _sender(message)
    if not sender_address:
        raise MailRejected("the mail has no sender address (From)")
    subject = " ".join(_header(message, "Subject").split()) or NO_SUBJECT
    reader = _BodyReader()
    reader.collect(message, 0)
    body = "\n\n".join(text.strip("\n") for text in reader.texts if text.strip())
    parsed = ParsedMail(
        message_id=_first_id(_header(message, "Message-ID")),
        sender_address=sender_address, sender_name=sender_name, subject=subject, body=body,
        in_reply_to=_ANGLE_IDS.findall(_header(message, "In-Reply-To"))[:1],
        references=_ANGLE_IDS.findall(_header(message, "References"))[-50:],
        attachments=reader.attachments, bounce=reader.bounce,
        defects=[type(d).__name__ for d in getattr(message, "defects", [])][:20] + reader.defects[:20])
    parsed.auto_reply = None if parsed.bounce else _auto_reply_reason(message, subject, sender_address)
    parsed.language = _language(message, subject, body)
    return parsed


def _header(message: EmailMessage, name: str) -> str:
    """A header's decoded value (RFC 2047 words decoded), '' when absent; a header the parser chokes on, or one with
    raw 8-bit bytes, is read raw."""
    raw = next((str(value) for key, value in message.raw_items() if key.lower() == name.lower()), None)
    if raw is not None and _has_escapes(raw):
        return " ".join(_unescaped(raw).split())
    try:
        value = message.get(name)
        return "" if value is None else _unescaped(str(value))
    except _RECOVERABLE:
        for key, value in message.raw_items():
            if key.lower() == name.lower():
                return _unescaped(str(value))
        return ""


def _has_escapes(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def _unescaped(value: str) -> str:
    """Raw 8-bit bytes in a header (not RFC 2047-encoded, as some mailers send) arrive as surrogate escapes: decoded
    as UTF-8, else Windows-1252."""
    if not _has_escapes(value):
        return value
    return decode_text(value.encode("utf-8", "surrogateescape"), None)


def _sender(message: EmailMessage) -> tuple[str, str]:
    try:
        header = message.get("From")
        addresses = getattr(header, "addresses", ()) if header is not None else ()
        if addresses:
            address = _unescaped(addresses[0].addr_spec).strip().lower()
            return " ".join(_unescaped(addresses[0].display_name).split()), address if "@" in address else ""
    except _RECOVERABLE:
        pass
    name, address = parseaddr(_header(message, "From"))
    address = address.strip().lower()
    return " ".join(name.split()), address if "@" in address else ""


def _first_id(value: str) -> str | None:
    found = _ANGLE_IDS.search(value or "")
    return found.group(0) if found else None


def _auto_reply_reason(message: EmailMessage, subject: str, sender: str) -> str | None:
    if message.get_content_type() == "multipart/report":  # a read receipt or another machine-made report
        return f"report: {message.get_param('report-type', '')}"[:60]
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted[:60]}"
    precedence = _header(message, "Precedence").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("X-Auto-Response-Suppress", "X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if message.get(name) is not None:
            return name
    if _AUTO_SUBJECTS.search(subject):
        return "subject"
    local = sender.partition("@")[0]
    if local in ("mailer-daemon", "postmaster", "no-reply", "noreply", "do-not-reply", "donotreply"):
        return f"sender {local}"
    return None


def _language(message: EmailMessage, subject: str, body: str) -> str | None:
    declared = _header(message, "Content-Language").strip().lower()[:2]
    if declared in ("de", "en"):
        return declared
    sample = f"{subject}\n{body[:4000]}"
    hits = len(_GERMAN_MARKERS.findall(sample))
    return "de" if hits >= 2 else ("en" if sample.strip() else None)


def decode_text(payload: bytes, charset: str | None) -> str:
    """Bytes of a text part in its declared charset; undeclared, unknown or wrong charsets fall back to UTF-8, then
    Windows-1252 (which maps every byte), so text is never lost to an exception."""
    declared = (charset or "").strip().strip('"').lower()
    for candidate in (_SUPERSETS.get(declared, declared), "utf-8"):
        if not candidate:
            continue
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("windows-1252", errors="replace")


def sanitised_filename(name: str | None, content_type: str, number: int) -> str:
    """A file name safe to show and to write: no directories, no control or reserved characters, no leading dots,
    at most 255 characters with the extension kept; one made up from the type when none is usable."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    if not name or set(name) <= {"_"}:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        name = f"attachment-{number}{extension}"
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:20] if dot else ""
        name = (stem if dot else name)[: 254 - len(extension)] + (f".{extension}" if extension else "")
    return name


class _BodyReader:
    """Walks the MIME tree: text parts become the body, everything else an attachment, a report a bounce."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.attachments: list[Attachment] = []
        self.bounce: Bounce | None = None
        self.defects: list[str] = []
        self.parts_seen = 0

    def collect(self, part: EmailMessage, depth: int) -> None:
        self.parts_seen += 1
        if depth > MAX_MIME_DEPTH or self.parts_seen > MAX_PARTS:
            self.defects.append("too deeply nested or too many parts: the rest was not read")
            return
        content_type = part.get_content_type()
        if content_type == "multipart/report":
            self._report(part, depth)
        elif content_type == "message/rfc822":
            self._attach(part, content_type)
        elif part.is_multipart():
            children = [p for p in part.iter_parts()]
            if content_type == "multipart/alternative" and children:
                self.collect(_preferred_alternative(children), depth + 1)
            else:
                for child in children:
                    self.collect(child, depth + 1)
        elif _is_body_text(part, content_type):
            text = decode_text(_payload(part), part.get_content_charset())
            self.texts.append(html_to_text(text) if content_type == "text/html" else text)
        else:
            self._attach(part, content_type)

    def _attach(self, part: EmailMessage, content_type: str) -> None:
        if content_type == "message/rfc822":
            inner = part.get_payload()
            try:
                content = inner[0].as_bytes() if isinstance(inner, list) and inner else _payload(part)
            except _RECOVERABLE:
                content = b""
            default_name = "forwarded.eml"
        else:
            content = _payload(part)
            default_name = None
        try:
            name = part.get_filename() or default_name
        except _RECOVERABLE:
            name = default_name
        number = len(self.attachments) + 1
        self.attachments.append(Attachment(sanitised_filename(name, content_type, number), content_type[:255],
                                           content))

    def _report(self, part: EmailMessage, depth: int) -> None:
        original_id = None
        status = {}
        for child in part.iter_parts():
            child_type = child.get_content_type()
            if child_type in ("message/delivery-status", "message/global-delivery-status"):
                status = _delivery_status(child)
            elif child_type in ("message/rfc822", "message/global"):
                inner = child.get_payload()
                if isinstance(inner, list) and inner:
                    original_id = original_id or _first_id(_header(inner[0], "Message-ID"))
            elif child_type == "text/rfc822-headers":
                headers = HeaderParser(policy=email.policy.default).parsestr(
                    decode_text(_payload(child), child.get_content_charset()))
                original_id = original_id or _first_id(_header(headers, "Message-ID"))
            else:
                self.collect(child, depth + 1)
        if part.get_param("report-type", "").lower() in ("delivery-status", "global-delivery-status") or status:
            self.bounce = Bounce(original_message_id=original_id, status=status.get("status", ""),
                                 action=status.get("action", ""), recipient=status.get("final-recipient", ""),
                                 diagnostic=status.get("diagnostic-code", ""))


def _delivery_status(part: EmailMessage) -> dict[str, str]:
    """The fields (status, action, final-recipient, diagnostic-code) of a DSN, the first recipient's of each."""
    blocks = part.get_payload()
    if isinstance(blocks, str):
        blocks = [HeaderParser(policy=email.policy.default).parsestr(block) for block in blocks.split("\n\n")]
    found: dict[str, str] = {}
    for block in blocks if isinstance(blocks, list) else []:
        for name, value in block.raw_items():
            key = name.strip().lower()
            if key in ("status", "action", "final-recipient", "diagnostic-code") and key not in found:
                text = " ".join(_unescaped(str(value)).split())
                if key in ("final-recipient", "diagnostic-code"):
                    text = text.partition(";")[2].strip() or text
                found[key] = text[:400]
    return found


def _preferred_alternative(children: list[EmailMessage]) -> EmailMessage:
    """Plain text when the sender wrote it, else HTML (or a multipart holding it), else the last alternative."""
    readable = [child for child in children if child.get_content_disposition() != "attachment"]
    for wanted in ("text/plain", "text/html"):
        for child in readable:
            if child.get_content_type() == wanted:
                return child
    for child in readable:
        if child.is_multipart():
            return child
    return children[-1]


def _is_body_text(part: EmailMessage, content_type: str) -> bool:
    if content_type not in ("text/plain", "text/html"):
        return False
    return part.get_content_disposition() != "attachment"


def _payload(part: EmailMessage) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except _RECOVERABLE:
        payload = None
    if payload is None:
        raw = part.get_payload()
        payload = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return payload

