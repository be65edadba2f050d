"""Untrusted text: customer messages, names and imported data are kept as written but made safe to store and show.

Terminal escape sequences (CSI, OSC, DCS …) and other control characters are removed before text reaches the store;
newlines and tabs are kept. Rich markup is not special here: widgets must render text literally (``rich.text.Text``
or ``markup=False``), which ``widgets/text.safe_text`` helps with.
"""

from __future__ import annotations

from agent_console.i18n import _

import re

# ESC-introduced sequences: CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), DCS/SOS/PM/APC (ESC P|X|^|_ … ESC \),
# and two-character escapes; plus their 8-bit C1 forms.
_ESCAPE_SEQUENCES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]              # CSI
    | (?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c)       # OSC
    | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f]).*?(?:\x1b\\|\x9c)  # DCS, SOS, PM, APC
    | \x1b[@-Z\\-_]                                # other two-character escapes
    | \x1b                                         # a lone ESC
    """,
    re.VERBOSE | re.DOTALL,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


_LONE_CR = re.compile(r"\r(?!\n)")


def clean_text(value: str | None, *, keep_crlf: bool = False) -> str:
    """Strip terminal escape sequences and control characters (but not newlines and tabs); normalise line ends.

    ``keep_crlf`` keeps CR LF pairs (CSV records written to a terminal); a lone CR, which would let text overwrite
    what a terminal shows, always becomes a newline."""
    if not value:
        return ""
    value = _LONE_CR.sub("\n", value) if keep_crlf else value.replace("\r\n", "\n").replace("\r", "\n")
    value = _ESCAPE_SEQUENCES.sub("", value)
    return _CONTROL.sub("", value)


def mask_controls(value: str | None) -> str:
    """The value with every control character (but newlines and tabs) replaced by U+FFFD: the same length, so spans
    computed on the stored text (search highlights) still fit. Escape sequences lose their ESC and are harmless."""
    if not value:
        return ""
    return _CONTROL.sub("\ufffd", value.replace("\r", "\n").replace("\x1b", "\ufffd"))


def one_line(value: str | None, limit: int | None = None) -> str:
    """Text for a single table cell: cleaned, whitespace collapsed, optionally cut with an ellipsis."""
    text = " ".join(clean_text(value).split())
    if limit is not None and len(text) > limit:
        return text[: max(0, limit - 1)] + "…"
    return text


# --- on the way in ------------------------------------------------------------------------------------------------
#
# Free text (subjects, bodies, names, notes, reasons, titles) is kept but cleaned with ``clean_text``. Identifiers and
# enumerations (logins, queues, languages, e-mail addresses, phone numbers, external ids, wrap-up codes, end reasons,
# slugs, shortcuts, tags) are compared, grouped and shown as they are, so a control character in one is refused
# rather than silently changed: the sender learns that the value was wrong.

#: Any character that must not be part of an identifier: C0 controls (tab and newline too), DEL, C1 controls and the
#: bidirectional overrides/isolates that reorder what a terminal shows.
_IDENTIFIER_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

#: Logins: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters.
#: They appear in tables, feed rows, audit details and op results, and are typed on the command line.
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class UnsafeText(ValueError):
    """A text field was refused; ``field`` names it, the message says why (meant for the sender)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


def has_control_characters(value: str | None) -> bool:
    """Whether the value holds anything ``check_identifier`` refuses (control characters, escapes, bidi controls)."""
    return bool(value) and _IDENTIFIER_FORBIDDEN.search(value) is not None


def check_identifier(value: str | None, field: str, *, limit: int | None = None) -> str:
    """An identifier or enumeration value, stripped; refused (``UnsafeText``) when it holds control characters,
    escape sequences or bidi controls, or is longer than ``limit``. None and "" give ""."""
    value = (value or "").strip()
    if has_control_characters(value):
        raise UnsafeText(field, _("control characters (escape sequences, tabs, newlines, NUL …) are not allowed"))
    if limit is not None and len(value) > limit:
        raise UnsafeText(field, _("too long ({length} characters; at most {limit})").format(length=len(value),
                                                                                              limit=limit))
    return value


def check_login(value: str | None, field: str = "login") -> str:
    """A login that matches ``LOGIN_PATTERN`` (surrounding spaces removed); otherwise ``UnsafeText``."""
    value = (value or "").strip()
    if not LOGIN_PATTERN.match(value):
        shown = repr(one_line(value, 40)) if not has_control_characters(value) else _("(with control characters)")
        raise UnsafeText(field, _("invalid login {login}: 1–64 characters of a–z, 0–9, '.', '_' and '-', "
                                  "starting with a letter or digit").format(login=shown))
    return value


def check_language(value: str | None, field: str = "language") -> str:
    """A language code the console knows (``store.models.LANGUAGES``), lower-cased; otherwise ``UnsafeText``."""
    from agent_console.store.models import LANGUAGES

    code = check_identifier(value, field).lower()
    if code not in LANGUAGES:
        raise UnsafeText(field, _("unknown language {code}; expected one of: {languages}").format(
            code=repr(code), languages=", ".join(LANGUAGES)))
    return code


# --- on the way out -----------------------------------------------------------------------------------------------
#
# Every surface shows stored text through ``clean_text`` (``one_line`` for a cell or a title,
# ``widgets/text.safe_text`` for a Rich renderable): data written by an older version, a hostile sync or straight
# into the database is made harmless where it is shown, whatever was checked on the way in.

#: Characters ``json.dumps`` leaves as they are (it escapes only U+0000–U+001F) that a terminal would act on.
_JSON_UNESCAPED_CONTROLS = {code: f"\\u{code:04x}" for code in
                            [0x7F, *range(0x80, 0xA0), 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


def safe_json(data, **dumps_options) -> str:
    """``json.dumps`` whose output has no character a terminal acts on: C0 controls (ESC included) are escaped by
    JSON itself; DEL, C1 controls and bidi controls are written as ``\\uXXXX`` escapes too. Strings keep their value
    (a JSON reader gets the stored text back), so this is for JSON meant to be read by programs."""
    import json

    return json.dumps(data, **dumps_options).translate(_JSON_UNESCAPED_CONTROLS)
