"""The public help center's rules: which articles a customer may see, how an article's Markdown becomes safe HTML,
and the visitor's answer to "Did this solve your problem?".

* Only articles marked ``public`` are listed, searched or shown; an internal article's page is "not found", the
  same as one that does not exist (its slug says nothing either).
* Markdown is rendered with HTML disabled: raw HTML in an article is shown as text, never passed through; links
  and images with a script address (``javascript:``, ``vbscript:``, ``data:`` other than images) are not made.
* A "yes" is a self-service resolution, a "no" leads to the contact form; each answer is one ``help_feedback`` row
  with the visit (a random id of the visitor's browser) it belongs to, for the self-service figures and the form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_console.domain.text import clean_text
from agent_console.store import kb_articles, search
from agent_console.store.models import HelpFeedback, KBArticle

#: A visit id as the help center makes them (``secrets.token_urlsafe``): anything else is not one of ours.
VISIT_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
#: How many articles read in a visit are remembered for the contact form.
READ_ARTICLES_KEPT = 10
MAX_QUERY_CHARS = 200
#: Between the slugs in the read-articles cookie: a character no slug has and a cookie needs no quoting for.
READ_SEPARATOR = "~"


@dataclass(frozen=True)
class HelpHit:
    slug: str
    title: str
    snippet: str


def public_articles(session, language: str | None) -> list[KBArticle]:
    return kb_articles.public_articles(session, language)


def public_article(session, slug: str) -> KBArticle | None:
    slug = (slug or "").strip().lower()
    if not slug or len(slug) > 200:
        return None
    return kb_articles.public_article_by_slug(session, slug)


def search_public(session, query: str, language: str | None, limit: int = 20) -> list[HelpHit]:
    """The public articles for ``query`` by the knowledge base's search (stemming, umlauts, typos), best first."""
    query = clean_text(query or "")[:MAX_QUERY_CHARS]
    if not query.strip():
        return []
    result = search.search_kb(session, query, language=language, limit=limit, public_only=True)
    return [HelpHit(hit.slug, hit.title, hit.snippet.text) for hit in result.hits]


def render_markdown(markdown: str) -> str:
    """The article's Markdown as HTML that carries nothing of the author's own: no raw HTML (escaped as text), no
    script links. Tables are kept."""
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    return renderer.render(clean_text(markdown or ""))


def record_answer(session, now, article: KBArticle, *, solved: bool, language: str, visit: str) -> HelpFeedback:
    """The visitor's "Did this solve your problem?" on ``article``: one row per answer."""
    row = HelpFeedback(article_id=article.id, solved=solved, language=language, visit=visit, created_at=now)
    session.add(row)
    session.flush()
    return row


def remember_read(read: list[str], slug: str) -> list[str]:
    """The visit's articles read, newest last, each once, at most ``READ_ARTICLES_KEPT``."""
    kept = [s for s in read if s != slug] + [slug]
    return kept[-READ_ARTICLES_KEPT:]


def read_from_cookie(value: str | None) -> list[str]:
    """The slugs of a read-articles cookie; anything not shaped like a slug is dropped."""
    slugs = [part for part in (value or "").split(READ_SEPARATOR) if part]
    return [slug for slug in slugs if re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,199}", slug)][-READ_ARTICLES_KEPT:]


def read_to_cookie(read: list[str]) -> str:
    return READ_SEPARATOR.join(read)
