"""Rendered parts of the public help center kept between requests, so a busy help center does not render the same
Markdown, list or search again for every visitor.

Everything is kept under the articles' stamp (``kb_articles.articles_stamp``: count, newest id, sum of versions,
newest change), which every write path moves: a page never shows an old text, an edit, a publication or an article
made internal shows on the very next request. Per request only the stamp is read (one small query, on the driver's
connection without an ORM session: it is the only database work of a page whose parts are kept).

* An article's head (title, version) per (slug, stamp), its HTML per (article id, version, updated_at);
* the list of public articles per language, the search results per (query, language), and the rendered result list
  of a search page per (query, language) — all under the stamp.

Bounded (least recently used first out); per server process, thread-safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from agent_console.domain import help_center
from agent_console.store import kb_articles

ARTICLES_KEPT = 2000
SEARCHES_KEPT = 2000
_MISSING = ("",)  # kept for a slug that is no public article (under the stamp, like a found one)
#: Answer of the ``kept_…`` functions when the part is not kept under the current stamp (then: the full function).
NOT_KEPT = object()


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


_heads = _Bounded(ARTICLES_KEPT)
_articles = _Bounded(ARTICLES_KEPT)
_listings = _Bounded(8)
_searches = _Bounded(SEARCHES_KEPT)
_search_pages = _Bounded(SEARCHES_KEPT)
_STAMP_SQL: dict[str, str] = {}


def stamp(store) -> tuple:
    """The articles' stamp, read on a pooled driver connection (a fraction of an ORM session's cost)."""
    dialect = store.engine.dialect
    sql = _STAMP_SQL.get(dialect.name)
    if sql is None:
        sql = _STAMP_SQL[dialect.name] = str(kb_articles.STAMP.compile(dialect=dialect))
    connection = store.engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(sql)
            row = tuple(cursor.fetchone())
        finally:
            cursor.close()
    finally:  # back to the pool, which ends the read's transaction

        connection.close()
    return (dialect.name, *row)


def warm(store, languages: tuple[str, ...]) -> int:
    """Renders the lists of ``languages`` and the public articles (as many as are kept) before visitors ask: a
    fresh help process then answers its first visitors from what it keeps. How many articles were rendered."""
    for language in languages:
        listing(store, language)
    with store.session() as session:
        slugs = [a.slug for a in help_center.public_articles(session, None)][:ARTICLES_KEPT]
    for slug in slugs:
        article(store, slug)
    return len(slugs)


def kept_article(store, slug: str):
    """What :func:`article` answers, when it is kept under the current stamp (one small read); else ``NOT_KEPT``."""
    slug = (slug or "").strip().lower()
    if not slug or len(slug) > 200:
        return None
    found = _heads.get((slug, stamp(store)))
    return NOT_KEPT if found is None else None if found is _MISSING else found


def kept_search_page(store, query: str, language: str):
    """What :func:`search_page` answers, when it is kept under the current stamp (one small read); else
    ``NOT_KEPT``."""
    found = _search_pages.get((query, language, stamp(store)))
    return NOT_KEPT if found is None else found


def kept_listing(store, language: str):
    """What :func:`listing` answers, when it is kept under the current stamp (one small read); else ``NOT_KEPT``."""
    found = _listings.get((language, stamp(store)))
    return NOT_KEPT if found is None else found


def article(store, slug: str) -> tuple[str, str, str] | None:
    """(slug, title, rendered body HTML) of the public article ``slug``; None when internal or missing."""
    slug = (slug or "").strip().lower()
    if not slug or len(slug) > 200:
        return None
    key = (slug, stamp(store))
    found = _heads.get(key)
    if found is None:
        with store.session() as session:
            head = kb_articles.public_article_head(session, slug)
            if head is None:
                found = _MISSING
            else:
                body = _articles.get(head)
                if body is None:
                    body = help_center.render_markdown(kb_articles.article_body(session, head[0]) or "")
                    _articles.put(head, body)
                found = (slug, head[1], body)
        _heads.put(key, found)
    return None if found is _MISSING else found


def listing(store, language: str) -> list[tuple[str, str]]:
    """(slug, title) of the public articles in ``language``, by title."""
    key = (language, stamp(store))
    cached = _listings.get(key)
    if cached is None:
        with store.session() as session:
            cached = [(a.slug, a.title) for a in help_center.public_articles(session, language)]
        _listings.put(key, cached)
    return cached


def search(store, query: str, language: str, *, articles_stamp: tuple | None = None) -> list[help_center.HelpHit]:
    """The public articles for ``query`` (the knowledge base's search), best first."""
    key = (query, language, articles_stamp or stamp(store))
    cached = _searches.get(key)
    if cached is None:
        with store.session() as session:
            cached = help_center.search_public(session, query, language)
        _searches.put(key, cached)
    return cached


def search_page(store, query: str, language: str, render: Callable[[list[help_center.HelpHit]], str]
                ) -> tuple[int, str]:
    """(number of hits, ``render(hits)``) for ``query``: the rendered result list is kept too (``render`` must
    depend only on the hits and ``language``, the language it is rendered in)."""
    articles_stamp = stamp(store)
    key = (query, language, articles_stamp)
    cached = _search_pages.get(key)
    if cached is None:
        hits = search(store, query, language, articles_stamp=articles_stamp)
        cached = (len(hits), render(hits))
        _search_pages.put(key, cached)
    return cached
