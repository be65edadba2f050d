"""The last look at text before it reaches a customer (a reply) or the case record (a note).

A canned response that could not be filled leaves visible markers (``⟦unknown: customer.nickname⟧``,
``⟦template error: …⟧``, see ``domain/templates.py``), and a template pasted by hand leaves its syntax
(``{{ customer.name }}``). None of that may be sent: :func:`check_outgoing` finds each such piece with its line,
column and the offending snippet, so the editor (or the CLI) can say what to fix and where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_console.domain.text import one_line
from agent_console.i18n import N_, _, ngettext

UNKNOWN_PLACEHOLDER = "unknown placeholder"
TEMPLATE_ERROR = "template error"
TEMPLATE_SYNTAX = "template syntax"

#: What the agent reads for each kind of problem; {line} and {column} count from 1. Worded in the interface
#: language when described.
MESSAGES = {
    UNKNOWN_PLACEHOLDER: N_("line {line}, column {column}: the placeholder {detail} has no value: {snippet}"),
    TEMPLATE_ERROR: N_("line {line}, column {column}: a template error is still in the text: {snippet}"),
    TEMPLATE_SYNTAX: N_("line {line}, column {column}: template syntax would reach the customer: {snippet}"),
}
NOT_SENT = N_("not sent: {reason}")

SNIPPET_CHARS = 60

_MARKER = re.compile(r"⟦(unknown|template error): ([^⟧\n]*)⟧")
_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_OPENER = re.compile(r"\{[{%#]")


@dataclass(frozen=True)
class OutgoingProblem:
    kind: str
    #: 1-based line and column of the first character of ``snippet``.
    line: int
    column: int
    snippet: str
    #: The placeholder's name or the error's reason (empty for template syntax).
    detail: str = ""
    #: 0-based offset in the checked text (for callers that move a cursor there).
    offset: int = 0

    def describe(self) -> str:
        return _(MESSAGES[self.kind]).format(line=self.line, column=self.column, detail=self.detail,
                                             snippet=one_line(self.snippet, SNIPPET_CHARS))


def _position(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _problem(text: str, kind: str, start: int, end: int, detail: str = "") -> OutgoingProblem:
    line, column = _position(text, start)
    return OutgoingProblem(kind, line, column, text[start:end], detail.strip(), start)


def check_outgoing(text: str) -> list[OutgoingProblem]:
    """Every unresolved placeholder, template error marker and piece of template syntax in ``text``, in reading
    order; empty when the text may be sent."""
    text = text or ""
    problems: list[OutgoingProblem] = []
    for match in _MARKER.finditer(text):
        kind = UNKNOWN_PLACEHOLDER if match.group(1) == "unknown" else TEMPLATE_ERROR
        problems.append(_problem(text, kind, match.start(), match.end(), match.group(2)))
    position = 0
    while (match := _OPENER.search(text, position)) is not None:
        start = match.start()
        closer = text.find(_OPENERS[match.group()], match.end())
        if closer >= 0:
            end = closer + 2
        else:  # an opener that is never closed is still template syntax; its snippet runs to the end of its line
            newline = text.find("\n", start)
            end = newline if newline >= 0 else len(text)
        problems.append(_problem(text, TEMPLATE_SYNTAX, start, end))
        position = max(end, match.end())
    return sorted(problems, key=lambda problem: problem.offset)


def refusal(problems: list[OutgoingProblem]) -> str:
    """One line naming the first problem (and how many more there are), for a notification or the CLI."""
    message = problems[0].describe()
    if len(problems) > 1:
        more = len(problems) - 1
        return ngettext("{message} (and {count} more)", "{message} (and {count} more)", more).format(
            message=message, count=more)
    return message


def not_sent(problems: list[OutgoingProblem]) -> str:
    """``not sent: <the refusal>`` in the interface language (what the editor and the CLI say)."""
    return _(NOT_SENT).format(reason=refusal(problems))

