"""The HTML pages the team server shows in a browser (help center, wallboard): one page frame, escaping, the page
language (a cookie the visitor chose, else ``Accept-Language``) and the security headers.

Pages are plain HTML that works without JavaScript; every value put into a page goes through ``escape``."""

from __future__ import annotations

from html import escape as _escape
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse

from agent_console.i18n import LANGUAGES, _, language_from_accept

LANGUAGE_COOKIE = "ac_lang"
#: No inline script, no object, no framing, forms only to this server; article images may come from https.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; "
                               "connect-src 'self'; img-src 'self' data: https:; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}

_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#111;background:#fff;line-height:1.5}
header,main,footer{max-width:56rem;margin:0 auto;padding:0.75rem 1rem}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #ccc}
a{color:#0645ad}a:focus,button:focus,input:focus{outline:3px solid #f59e0b}
.site{font-weight:bold;font-size:1.2rem;color:#111;text-decoration:none}
input[type=search],input[type=password]{font-size:1rem;padding:0.4rem;min-width:16rem}
button{font-size:1rem;padding:0.4rem 0.9rem}
.hits li{margin-bottom:0.8rem}.snippet{color:#333;margin:0.2rem 0 0}
.answer{border-top:1px solid #ccc;margin-top:2rem;padding-top:1rem}
.answer form{display:inline}
pre,code{background:#f3f3f3}pre{padding:0.5rem;overflow-x:auto}
table{border-collapse:collapse}td,th{border:1px solid #999;padding:0.2rem 0.5rem}
"""


def escape(value: object) -> str:
    return _escape("" if value is None else str(value), quote=True)


def page_language(request: Request) -> str:
    """The visitor's choice (the language cookie), else the browser's ``Accept-Language``."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return language_from_accept(request.headers.get("accept-language"))


def language_links(request: Request, language: str) -> str:
    """Links to switch the page's language: a cookie set by ``/help/language/{code}``, back to this page."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    links = [f'<a href="/help/language/{code}?next={quote(here, safe="")}" lang="{code}" hreflang="{code}">'
             f'{escape(LANGUAGE_NAMES[code])}</a>' for code in LANGUAGES if code != language]
    return f'<nav aria-label="{escape(_("Language"))}">{" ".join(links)}</nav>'


def html_page(request: Request, language: str, title: str, body: str, *, site: str, home: str,
              status: int = 200, head: str = "", style: str = "", headers: dict | None = None) -> HTMLResponse:
    """A whole page: ``title`` (text) and ``body`` (HTML already escaped) in the frame of ``site``."""
    html = (f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)} – {escape(site)}</title>{head}<style>{_STYLE}{style}</style></head>'
            f'<body><header><a class="site" href="{home}">{escape(site)}</a>{language_links(request, language)}'
            f'</header><main id="main">{body}</main></body></html>')
    return HTMLResponse(html, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})


def safe_next(target: str | None, default: str) -> str:
    """A path on this server to go on to after a form: never another site (``//host``, ``https:``, ``\\``)."""
    target = target or ""
    if not target.startswith("/") or target.startswith("//") or "\\" in target or any(c < " " for c in target):
        return default
    return target
