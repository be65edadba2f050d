"""What the knowledge base puts into a reply, and what it searches for when opened from a case.

* ``public_article_url``: the link a customer can open (the ``kb_public_url`` setting with the slug filled in).
* ``markdown_to_text``: an article's Markdown as plain text for a customer's e-mail: no ``**``, ``#``, backticks or
  link syntax; link text kept, list items as "- ".
* ``case_search_query``: a search from the case's subject and the customer's last message.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from agent_console.config import KB_URL_SLUG, SettingsError, check_kb_public_url
from agent_console.domain.text import clean_text
from agent_console.i18n import N_, _
from agent_console.store.search.normalise import fold, words
from agent_console.store.search.stopwords import is_stop_word

MISSING_PUBLIC_URL = N_("Set kb_public_url (e.g. https://help.example.com/kb/{slug}) in the settings file or "
                        "AGENT_CONSOLE_KB_PUBLIC_URL to insert links customers can open.")
#: Words of the case taken into the search: enough to say what it is about, few enough to find something.
CASE_QUERY_WORDS = 12
#: Paragraphs of a message with fewer words that are not function words or greetings are greetings, closings and
#: signatures ("Hello,", "Viele Grüße\nRita Rück").
_MIN_PARAGRAPH_WORDS = 3
#: E-mail addresses and web addresses: their parts ("jane", "example", "com") say nothing about the request.
_ADDRESSES = re.compile(r"\S+@\S+|\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)


class PublicUrlMissing(ValueError):
    """No (valid) public URL of the knowledge base is configured; the message says which setting to set."""


def public_article_url(template: str, slug: str) -> str:
    """The public address of the article ``slug``: ``template`` with ``{slug}`` replaced by the URL-quoted slug."""
    if not (template or "").strip():
        raise PublicUrlMissing(_(MISSING_PUBLIC_URL))

    try:
        template = check_kb_public_url(template.strip(), "Settings")
    except SettingsError as exc:
        raise PublicUrlMissing(str(exc)) from None
    return template.replace(KB_URL_SLUG, quote(slug, safe=""))


def markdown_to_text(markdown: str) -> str:
    """Markdown rendered as plain text: paragraphs separated by a blank line, list items "- " (nested ones
    indented), table rows with their cells joined by " – ", link and image text without their addresses."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(clean_text(markdown or ""))
    blocks: list[str] = []
    lists: list[list] = []  # the lists we are in, innermost last: [ordered?, last number]
    item_prefix = ""
    row: list[str] = []
    in_table = False

    def add_line(line: str) -> None:  # a list or a table is one block, its lines without blank lines between
        blocks[-1] += ("\n" if blocks[-1] else "") + line

    for token in tokens:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            if not lists:
                blocks.append("")
            lists.append([kind == "ordered_list_open", int(token.attrs.get("start", 1) or 1) - 1])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            indent = "  " * (len(lists) - 1)
            if lists[-1][0]:
                lists[-1][1] += 1
                item_prefix = f"{indent}{lists[-1][1]}. "
            else:
                item_prefix = f"{indent}- "
        elif kind == "table_open":
            in_table = True
            blocks.append("")
        elif kind == "table_close":
            in_table = False
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            add_line(" – ".join(cell for cell in row if cell))
        elif kind == "inline":
            text = _inline_text(token)
            if in_table:
                row.append(text.strip())
            elif lists:
                prefix = item_prefix or "  " * len(lists)
                add_line(prefix + text.replace("\n", "\n" + " " * len(prefix)))
                item_prefix = ""
            else:
                blocks.append(text)
        elif kind in ("fence", "code_block"):
            text = token.content.rstrip("\n")
            add_line(text) if lists else blocks.append(text)
        elif kind == "html_block":
            blocks.append(token.content.strip())
    return "\n\n".join(block.strip("\n") for block in blocks if block.strip())


def _inline_text(token) -> str:
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content or "")
    return "".join(parts)


def case_search_query(subject: str | None, last_message: str | None, max_words: int = CASE_QUERY_WORDS) -> str:
    """What to search the knowledge base for when it opens from a case: the subject's and the customer's last
    message's words, without greetings and signatures (paragraphs of few words that say something), function words, numbers (order and invoice
    numbers find nothing), e-mail and web addresses and repeats; at most ``max_words``."""
    message = _ADDRESSES.sub(" ", clean_text(last_message or ""))
    paragraphs = [p for p in re.split(r"\n\s*\n", message) if p.strip()]
    content = [p for p in paragraphs
               if sum(not is_stop_word(fold(word)) for word in words(p)) >= _MIN_PARAGRAPH_WORDS] or paragraphs
    chosen: list[str] = []
    seen: set[str] = set()
    for word in words(clean_text(subject or "")) + [w for p in content for w in words(p)]:
        folded = fold(word)
        if folded in seen or any(c.isdigit() for c in word) or is_stop_word(folded) or len(folded) < 2:
            continue
        seen.add(folded)
        chosen.append(word)
        if len(chosen) >= max_words:
            break
    return " ".join(chosen)


class Paragraph(str):
    """Text to go into the draft as a paragraph of its own (``paragraph_insert``), not at the cursor as it is."""


def paragraph_insert(before: str, after: str, text: str) -> str:
    """What to insert between ``before`` and ``after`` (the draft around the cursor) so that ``text`` stands as its
    own paragraph: a blank line before it unless it starts the draft, a blank line after it unless it ends it."""
    text = text.strip("\n")
    lead = "" if not before.strip() else "\n" * max(0, 2 - (len(before) - len(before.rstrip("\n"))))
    trail = "" if not after.strip() else "\n" * max(0, 2 - (len(after) - len(after.lstrip("\n"))))
    return lead + text + trail
