"""Folding quoted earlier mail and signatures away for the thread view; the stored message keeps every line.

Recognised: ``>``-quoted blocks, the attribution lines mail clients write above a quote (English "On … wrote:",
German "Am … schrieb …:", also split over two lines), "-----Original Message-----" / "-----Ursprüngliche
Nachricht-----", Outlook's header block ("From:/Von:" followed by "Sent:/Gesendet:", "To:/An:", "Subject:/Betreff:")
and the signature separator "-- ". What follows an attribution, separator or header block is the quoted mail."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ATTRIBUTION = re.compile(r"^\s*(on\s.{4,200}\swrote:|am\s.{4,200}\sschrieb\s?.{0,200}:|"
                          r".{0,200}\s(wrote|schrieb|a écrit)\s?:)\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^\s*(on|am)\s.{4,200}$", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(r"^.{0,200}(wrote|schrieb.{0,200}):\s*$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^\s*-{2,}\s*(original message|ursprüngliche nachricht|forwarded message|"
                        r"weitergeleitete nachricht)\s*-{2,}\s*$", re.IGNORECASE)
_HEADER_FROM = re.compile(r"^\s*\*?(from|von)\s*:\*?\s", re.IGNORECASE)
_HEADER_OTHER = re.compile(r"^\s*\*?(sent|gesendet|date|datum|to|an|subject|betreff|cc)\s*:\*?\s", re.IGNORECASE)
_SIGNATURE = "-- "


@dataclass(frozen=True)
class Segment:
    text: str
    #: Quoted earlier mail or a signature: shown folded.
    folded: bool

    @property
    def line_count(self) -> int:
        return self.text.count("\n") + 1 if self.text else 0


def fold_quotes(body: str) -> list[Segment]:
    """The body as segments in order; joined they are the body again, line for line."""
    lines = (body or "").split("\n")
    tail_start = _quoted_tail_start(lines)
    head, tail = lines[:tail_start], lines[tail_start:]
    segments: list[Segment] = []
    block: list[str] = []
    quoted = False
    for line in head:
        is_quote = line.lstrip().startswith(">")
        if block and is_quote != quoted:
            segments.append(Segment("\n".join(block), quoted))
            block = []
        block.append(line)
        quoted = is_quote
    if block:
        segments.append(Segment("\n".join(block), quoted))
    if tail:
        segments.append(Segment("\n".join(tail), True))
    return segments


def _quoted_tail_start(lines: list[str]) -> int:
    """Where the quoted rest (or the signature) begins; ``len(lines)`` when there is none. The first line of a mail
    is never taken for an attribution: an empty reply above a quote would otherwise fold the whole mail away."""
    for number, line in enumerate(lines):
        if number == 0 and not line.strip().startswith("-"):
            continue
        if line == _SIGNATURE or line.rstrip() == "--" and number > 0 and _rest_is_short(lines, number):
            return number
        if _SEPARATOR.match(line) or _ATTRIBUTION.match(line):
            return number
        if _ATTRIBUTION_START.match(line) and number + 1 < len(lines) and _ATTRIBUTION_END.match(lines[number + 1]):
            return number
        if _HEADER_FROM.match(line) and sum(1 for following in lines[number + 1:number + 5]
                                            if _HEADER_OTHER.match(following)) >= 2:
            return number
    return len(lines)


def _rest_is_short(lines: list[str], number: int) -> bool:
    """A bare "--" starts a signature only near the end (it is a common line in text otherwise)."""
    return len(lines) - number <= 12


def visible_text(body: str) -> tuple[str, int]:
    """The text not folded away and how many lines were folded."""
    shown, folded = [], 0
    for segment in fold_quotes(body):
        if segment.folded:
            folded += segment.line_count
        else:
            shown.append(segment.text)
    return "\n".join(shown).rstrip("\n"), folded
