"""Untrusted text: customer messages, names and imported data are kept as written but made safe to store and show.

Terminal escape sequences (CSI, OSC, DCS …) and other control characters are removed before text reaches the store;
newlines and tabs are kept. Rich markup is not special here: widgets must render text literally (``rich.text.Text``
or ``markup=False``), which ``safe_text`` helps with.
"""

from __future__ import annotations

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


def clean_text(value: str | None) -> str:
    """Strip terminal escape sequences and control characters (but not newlines and tabs); normalise line ends."""
    if not value:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _ESCAPE_SEQUENCES.sub("", value)
    return _CONTROL.sub("", value)


def one_line(value: str | None, limit: int | None = None) -> str:
    """Text for a single table cell: cleaned, whitespace collapsed, optionally cut with an ellipsis."""
    text = " ".join(clean_text(value).split())
    if limit is not None and len(text) > limit:
        return text[: max(0, limit - 1)] + "…"
    return text


def safe_text(value: str | None, style: str = ""):
    """A ``rich.text.Text`` that shows the value literally (no markup, no escapes)."""
    from rich.text import Text

    return Text(clean_text(value), style=style)
