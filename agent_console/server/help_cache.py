"""Rendered parts of the public help center kept between requests, so a busy help center does not render the same
Markdown, list or search again for every visitor.

* An article's HTML is kept by (article id, version, updated_at): an edit gives it a new key, so a page never shows
  an old text; only its head (no body) is read per request.
* The list of public articles per language and the search results per (query, language) are kept under the
  articles' stamp (``kb_articles.articles_stamp``: count, newest id, sum of versions, newest change), which every
  write path moves.

Bounded (least recently used first out); per server process, thread-safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from agent_console.domain import help_center
from agent_console.store import kb_articles

ARTICLES_KEPT = 2000
SEARCHES_KEPT = 2000


class _Bounded:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_articles = _Bounded(ARTICLES_KEPT)
_listings = _Bounded(8)
_searches = _Bounded(SEARCHES_KEPT)


def article(store, slug: str) -> tuple[str, str, str] | None:
    """(slug, title, rendered body HTML) of the public article ``slug``; None when internal or missing."""
    slug = (slug or "").strip().lower()
    if not slug or len(slug) > 200:
        return None
    with store.session() as session:
        head = kb_articles.public_article_head(session, slug)
        if head is None:
            return None
        cached = _articles.get(head)
        if cached is None:
            cached = help_center.render_markdown(kb_articles.article_body(session, head[0]) or "")
            _articles.put(head, cached)
    return slug, head[1], cached


def listing(store, language: str) -> list[tuple[str, str]]:
    """(slug, title) of the public articles in ``language``, by title."""
    with store.session() as session:
        key = (language, kb_articles.articles_stamp(session))
        cached = _listings.get(key)
        if cached is None:
            cached = [(a.slug, a.title) for a in help_center.public_articles(session, language)]
            _listings.put(key, cached)
    return cached


def search(store, query: str, language: str) -> list[help_center.HelpHit]:
    """The public articles for ``query`` (the knowledge base's search), best first."""
    with store.session() as session:
        key = (query, language, kb_articles.articles_stamp(session))
        cached = _searches.get(key)
        if cached is None:
            cached = help_center.search_public(session, query, language)
            _searches.put(key, cached)
    return cached
