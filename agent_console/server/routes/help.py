"""The public help center (``/help``): the knowledge base's public articles for customers, in a browser.

No account needed. Pages are plain HTML (``server/web_page.py``), in German or English (``Accept-Language``, or the
visitor's choice by the link in the header: a cookie). Two cookies of the help center itself, both HttpOnly: the
visit id (random; it ties the visit's answers together and is the double-submit check of the answer forms) and the
slugs of the articles read in the visit (for the contact form at ``/help/contact``).
"""

from __future__ import annotations

import secrets
from functools import partial
from typing import Annotated
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from agent_console.domain import help_center
from agent_console.i18n import LANGUAGES, N_, _, language_scope
from agent_console.server import help_cache
from agent_console.server.routes.deps import state
from agent_console.server.web_page import (LANGUAGE_COOKIE, SECURITY_HEADERS, escape, html_page, page_language,
                                           safe_next)

SEARCH_THE_HELP_CENTER = N_("Search the help center")
SEARCH = N_("Search")
ARTICLES_FOR_QUERY = N_("Articles for “{query}”")
NO_MATCH = N_("No article matches your search. Try other words, or contact us.")
CONTACT_US = N_("Contact us")
THERE_ARE_NO_ARTICLES_YET = N_("There are no articles yet.")
HOW_CAN_WE_HELP = N_("How can we help?")
ARTICLE_GONE = N_("This article does not exist (any more).")
BACK_TO_THE_HELP_CENTER = N_("Back to the help center")
ALL_ARTICLES = N_("All articles")
ANSWER_AGAIN = N_("Please open the article again and answer there (cookies must be allowed).")
BACK_TO_THE_ARTICLE = N_("Back to the article")
THANK_YOU_FOR_YOUR_ANSWER = N_("Thank you for your answer.")
WRITE_TO_US = N_("Write to us and we will answer you personally.")
SEARCH_THE_HELP_CENTER_AGAIN = N_("Search the help center again")


router = APIRouter(prefix="/help", include_in_schema=False)

VISIT_COOKIE = "ac_help_visit"
READ_COOKIE = "ac_help_read"
CONTACT_PATH = "/help/contact"
#: A year: the language chosen stays; the visit id lasts as long as the browser session.
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600
MAX_FORM_BYTES = 2048


def _site() -> str:
    return _("Help center")


def _page(request: Request, language: str, title: str, body: str, status: int = 200):
    return html_page(request, language, title, body, site=_site(), home="/help", status=status)


def _search_form(query: str) -> str:
    return (f'<form role="search" method="get" action="/help">'
            f'<label for="q">{escape(_(SEARCH_THE_HELP_CENTER))}</label> '
            f'<input type="search" id="q" name="q" value="{escape(query)}" maxlength="{help_center.MAX_QUERY_CHARS}">'
            f' <button type="submit">{escape(_(SEARCH))}</button></form>')


def _article_link(slug: str, title: str) -> str:
    return f'<a href="/help/articles/{quote(slug, safe="")}">{escape(title)}</a>'


@router.get("")
async def help_home(request: Request, q: Annotated[str, Query(max_length=1000)] = ""):
    """The public articles, or the ones that match the search ``q``."""
    language = page_language(request)
    server = state(request)
    with language_scope(language):
        query = q.strip()
        if query:
            kept = _inline(server.store, help_cache.kept_search_page, query, language)
            if kept is help_cache.NOT_KEPT:
                kept = await run_in_threadpool(help_cache.search_page, server.store, query, language,
                                               partial(_hits_html, query))
            hits, listing = kept
            # Counted for the self-service figures (the query normalised, no personal data), written in groups.
            server.searches.record(query, hits, language, _visit(request))
        else:
            articles = _inline(server.store, help_cache.kept_listing, language)
            if articles is help_cache.NOT_KEPT:
                articles = await run_in_threadpool(_listing, server.store, language)
            items = "".join(f"<li>{_article_link(slug, title)}</li>" for slug, title in articles)
            listing = (f'<h2>{escape(_("Articles"))}</h2><ul class="hits">{items}</ul>' if items
                       else f'<p>{escape(_(THERE_ARE_NO_ARTICLES_YET))}</p>')
        body = f'<h1>{escape(_(HOW_CAN_WE_HELP))}</h1>{_search_form(query)}{listing}'
        return _page(request, language, _("Help center"), body)


# Rendered once per article version / articles' stamp, not per visitor (server/help_cache.py).
_listing = help_cache.listing
_article = help_cache.article


def _inline(store, kept, *args):
    """``kept(store, *args)`` on the event loop on SQLite: a kept part costs one indexed read of the articles' stamp
    (~0.1 ms), less than handing the request to a thread and back; on PostgreSQL (a round trip) it is
    ``NOT_KEPT`` here, and the thread does it all."""
    return kept(store, *args) if store.dialect == "sqlite" else help_cache.NOT_KEPT


def _hits_html(query: str, hits: list[help_center.HelpHit]) -> str:
    heading = f'<h2>{escape(_(ARTICLES_FOR_QUERY).format(query=query))}</h2>'
    if not hits:
        return f'{heading}<p>{escape(_(NO_MATCH))} <a href="{CONTACT_PATH}">{escape(_(CONTACT_US))}</a></p>'
    items = "".join(f'<li>{_article_link(hit.slug, hit.title)}<p class="snippet">{escape(hit.snippet)}</p></li>'
                    for hit in hits)
    return f'{heading}<ul class="hits">{items}</ul>'


def _visit(request: Request) -> str | None:
    visit = request.cookies.get(VISIT_COOKIE, "")
    return visit if help_center.VISIT_ID.match(visit) else None


def _not_found(request: Request, language: str):
    body = (f'<h1>{escape(_("Article not found"))}</h1><p>{escape(_(ARTICLE_GONE))} '
            f'<a href="/help">{escape(_(BACK_TO_THE_HELP_CENTER))}</a></p>')
    return _page(request, language, _("Article not found"), body, status=404)


@router.get("/articles/{slug}")
async def help_article(request: Request, slug: Annotated[str, Path(max_length=200)]):
    """One public article, its Markdown rendered safely, and "Did this solve your problem?"."""
    language = page_language(request)
    with language_scope(language):
        store = state(request).store
        found = _inline(store, help_cache.kept_article, slug)
        if found is help_cache.NOT_KEPT:
            found = await run_in_threadpool(_article, store, slug)
        if found is None:
            return _not_found(request, language)
        slug, title, body_html = found
        visit = _visit(request) or secrets.token_urlsafe(16)
        question = _("Did this solve your problem?")
        answer = (f'<section class="answer" aria-labelledby="answer-q"><h2 id="answer-q">{escape(question)}</h2>'
                  + "".join(f'<form method="post" action="/help/articles/{quote(slug, safe="")}/answer">'
                            f'<input type="hidden" name="visit" value="{escape(visit)}">'
                            f'<input type="hidden" name="solved" value="{value}">'
                            f'<button type="submit">{escape(label)}</button></form> '
                            for value, label in (("yes", _("Yes")), ("no", _("No"))))
                  + "</section>")
        content = (f'<p><a href="/help">{escape(_(ALL_ARTICLES))}</a></p><article><h1>{escape(title)}</h1>'
                   f'{body_html}</article>{answer}')
        response = _page(request, language, title, content)
        read = help_center.remember_read(help_center.read_from_cookie(request.cookies.get(READ_COOKIE)), slug)
        _set_visit_cookies(response, visit, read)
        return response


def _set_visit_cookies(response, visit: str, read: list[str]) -> None:
    response.set_cookie(VISIT_COOKIE, visit, path="/help", httponly=True, samesite="lax")
    response.set_cookie(READ_COOKIE, help_center.read_to_cookie(read), path="/help", httponly=True, samesite="lax")


@router.post("/articles/{slug}/answer")
async def help_answer(request: Request, slug: Annotated[str, Path(max_length=200)]):
    """Records "yes" (a self-service resolution) or "no" (then: the contact form) for the article."""
    language = page_language(request)
    with language_scope(language):
        raw = await request.body()
        fields = parse_qs(raw[:MAX_FORM_BYTES].decode("utf-8", "replace")) if len(raw) <= MAX_FORM_BYTES else {}
        solved = (fields.get("solved") or [""])[0]
        visit = _visit(request)
        # The form's visit must be the cookie's: another site cannot read the cookie to forge an answer.
        if solved not in ("yes", "no") or visit is None or (fields.get("visit") or [""])[0] != visit:
            body = (f'<h1>{escape(_("Your answer could not be recorded"))}</h1>'
                    f'<p>{escape(_(ANSWER_AGAIN))}'
                    f' <a href="/help/articles/{quote(slug, safe="")}">{escape(_(BACK_TO_THE_ARTICLE))}</a></p>')
            return _page(request, language, _("Your answer could not be recorded"), body, status=400)
        server = state(request)
        recorded = await run_in_threadpool(_record, server, slug, solved == "yes", language, visit)
        if recorded is None:
            return _not_found(request, language)
        if solved == "yes":
            body = (f'<h1>{escape(_("Glad we could help"))}</h1><p>{escape(_(THANK_YOU_FOR_YOUR_ANSWER))} '
                    f'<a href="/help">{escape(_(BACK_TO_THE_HELP_CENTER))}</a></p>')
            return _page(request, language, _("Glad we could help"), body)
        body = (f'<h1>{escape(_("Sorry this did not help"))}</h1>'
                f'<p>{escape(_(WRITE_TO_US))}</p>'
                f'<p><a href="{CONTACT_PATH}">{escape(_(CONTACT_US))}</a> · '
                f'<a href="/help">{escape(_(SEARCH_THE_HELP_CENTER_AGAIN))}</a></p>')
        return _page(request, language, _("Sorry this did not help"), body)


def _record(server, slug: str, solved: bool, language: str, visit: str) -> bool | None:
    with server.store.transaction() as session:
        article = help_center.public_article(session, slug)
        if article is None:
            return None
        help_center.record_answer(session, server.clock.now(), article, solved=solved, language=language,
                                  visit=visit)
        return solved


@router.get("/language/{code}")
async def help_language(code: Annotated[str, Path(max_length=8)],
                        next: Annotated[str, Query(max_length=2000)] = "/help"):  # noqa: A002 - the query's name
    """Sets the pages' language (a cookie) and goes back to ``next`` (a path on this server)."""
    response = RedirectResponse(safe_next(next, "/help"), status_code=303, headers=SECURITY_HEADERS)
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=LANGUAGE_COOKIE_SECONDS, path="/", httponly=True,
                            samesite="lax")
    return response
