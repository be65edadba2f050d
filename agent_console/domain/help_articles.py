"""The help-center articles a customer read before sending the contact form, as kept on their case
(``Case.help_articles``: a JSON list of ``{"slug", "title"}``, oldest first). No SQL here: ``case show``'s fast path
reads it too."""

from __future__ import annotations

import json


def articles_to_json(articles) -> str | None:
    """The value kept on the case for ``articles`` (anything with ``slug`` and ``title``); None for none."""
    if not articles:
        return None
    return json.dumps([{"slug": a.slug, "title": a.title} for a in articles], ensure_ascii=False)


def help_articles_of(case) -> list[tuple[str, str]]:
    """(slug, title) of the articles the customer read before writing, oldest first; none for a value not ours."""
    try:
        entries = json.loads(getattr(case, "help_articles", "") or "[]")
    except ValueError:
        return []
    if not isinstance(entries, list):
        return []
    return [(str(entry.get("slug", "")), str(entry.get("title", ""))) for entry in entries
            if isinstance(entry, dict)]
