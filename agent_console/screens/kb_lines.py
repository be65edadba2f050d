"""The knowledge-base screen's lines of text: result prompts with highlighted words, the status line above each
result list, and the excerpt an insert without a selection takes.

Article and reply text is data: it goes into ``rich.text.Text`` with highlight spans, never markup. The words around
it are in the interface language; the articles and replies stay in the language they were written in.
"""

from __future__ import annotations

import re

from rich.text import Text

from agent_console.domain.text import mask_controls, one_line
from agent_console.formatting import date_time
from agent_console.i18n import _, ngettext

HIGHLIGHT = "bold black on yellow"
#: Characters of the query a "nothing found" line repeats.
QUERY_SHOWN = 60


def highlighted(text: str, spans, style: str = "", highlight: str = HIGHLIGHT) -> Text:
    result = Text(mask_controls(text), style=style)
    for start, end in spans:
        result.stylize(highlight, start, end)
    return result


def paragraph_around(body: str, word: str | None) -> str:
    """The paragraph of ``body`` that contains ``word`` (or the first one): a sensible excerpt without a selection."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    if not paragraphs:
        return body.strip()
    if word:
        for paragraph in paragraphs:
            if word in paragraph:
                return paragraph
    return paragraphs[0]


def article_prompt(hit) -> Text:
    """An article's two lines in the result list: title (language, tags, votes), then the matching snippet."""
    prompt = highlighted(hit.title, hit.title_spans, style="bold")
    meta = f"  {one_line(hit.language)}"
    if hit.tags:
        meta += " · " + ", ".join(one_line(tag) for tag in hit.tags)
    if hit.helpful_votes:
        meta += f" · ▲{hit.helpful_votes}"
    prompt.append(meta, style="dim")
    prompt.append("\n")
    prompt.append_text(highlighted(hit.snippet.text, hit.snippet.spans))
    return prompt


def reply_prompt(hit) -> Text:
    """A resolved case's reply in the "Answered before" list: case, subject, author and date, then the snippet."""
    prompt = Text(one_line(hit.case_key), style="bold cyan")
    prompt.append("  ")
    prompt.append(one_line(hit.subject, 60), style="bold")
    when = date_time(hit.created_at, "date") if hit.created_at else ""
    prompt.append(f"  {one_line(hit.author_name, 30)} {when}", style="dim")
    prompt.append("\n")
    prompt.append_text(highlighted(hit.snippet.text, hit.snippet.spans))
    return prompt


def _typo_note(result) -> str:
    fixes = ", ".join(f"{word} → {' / '.join(terms)}" for word, terms in result.corrections.items())
    return " · " + _("typo-tolerant: {fixes}").format(fixes=fixes)


def article_status(query: str, count: int, result) -> Text:
    """The line above the article results: what to do, that nothing matched, or how many did and how."""
    if not query.strip():
        return Text(_("Type to search the articles."), style="dim")
    if not count:
        return Text(_("No article matches “{query}”.").format(query=one_line(query, QUERY_SHOWN)), style="yellow")
    line = Text(ngettext("{count} article", "{count} articles", count).format(count=count))
    if result.mode == "typo":
        line.append(_typo_note(result), style="yellow")
    elif result.mode == "any":
        line.append(" · " + _("not all words found; showing articles with some of them"), style="yellow")
    return line


def reply_status(query: str, count: int, result) -> Text:
    """The line above the "Answered before" results."""
    if not query.strip():
        return Text(_("Type to search the replies of resolved cases."), style="dim")
    if not count:
        return Text(_("No resolved case was answered with “{query}”.").format(query=one_line(query, QUERY_SHOWN)),
                    style="yellow")
    line = Text(ngettext("{count} reply from resolved cases", "{count} replies from resolved cases", count)
                .format(count=count))
    if result.mode == "typo":
        line.append(_typo_note(result), style="yellow")
    return line
