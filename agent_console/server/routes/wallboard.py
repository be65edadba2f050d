"""The wallboard in a browser (``/wallboard``): the floor's live figures for a screen on the wall.

Who may see it: a supervisor's (or admin's) token, or a wallboard token (``server tokens create LOGIN --wallboard``:
read-only, refused by the API). The token is typed once into the page's form and kept in an HttpOnly cookie for
``/wallboard`` only (SameSite=Strict) — never in a URL, where it would end up in the browser history, proxy logs and
the Referer. Without JavaScript the page reloads itself (meta refresh); with it, ``/wallboard/events`` (server-sent
events) brings new figures whenever the floor changes, and after ``QUIET_REFRESH_SECONDS`` without a change (waits
grow by themselves).
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from agent_console.i18n import N_, _, language_scope
from agent_console.server.auth import Principal
from agent_console.server.feed import broadcaster
from agent_console.server.routes.deps import state
from agent_console.server.wallboard_page import LIVE_SCRIPT, STYLE, figures_html
from agent_console.server.web_page import SECURITY_HEADERS, escape, html_page, page_language
from agent_console.store.models import Role

TOKEN_PROMPT = N_("Enter a supervisor token or a wallboard token. It is kept in this browser only.")
TOKEN = N_("Token")
SHOW_THE_WALLBOARD = N_("Show the wallboard")
LOG_OUT = N_("Log out")


router = APIRouter(prefix="/wallboard", include_in_schema=False)

WALLBOARD_KIND = "wallboard"
COOKIE = "ac_wallboard"
#: Without JavaScript the page reloads this often (seconds).
REFRESH_SECONDS = 15
#: With it, new figures come at every change of the floor, and after this many seconds without one (waits grow).
QUIET_REFRESH_SECONDS = 30
MAX_FORM_BYTES = 1024


def may_watch(principal: Principal | None) -> bool:
    return principal is not None and (principal.token_kind == WALLBOARD_KIND or principal.at_least(Role.supervisor))


async def _watcher(request: Request) -> Principal | None:
    token = request.cookies.get(COOKIE, "")
    if not token or len(token) > 200 or "\x00" in token:
        return None
    server = state(request)
    principal = await server.tokens.principal(token, server.clock.now())
    return principal if may_watch(principal) else None


def _page(request: Request, language: str, title: str, body: str, *, status: int = 200, head: str = ""):
    return html_page(request, language, title, body, site=_("Wallboard"), home="/wallboard", status=status,
                     head=head, style=STYLE)


def _login_page(request: Request, language: str, problem: str = "", status: int = 200):
    error = f'<p role="alert">{escape(problem)}</p>' if problem else ""
    body = (f'<h1>{escape(_("Wallboard"))}</h1>{error}'
            f'<p>{escape(_(TOKEN_PROMPT))}</p>'
            f'<form method="post" action="/wallboard/login"><label for="token">{escape(_(TOKEN))}</label> '
            f'<input type="password" id="token" name="token" autocomplete="off" required maxlength="200"> '
            f'<button type="submit">{escape(_(SHOW_THE_WALLBOARD))}</button></form>')
    return _page(request, language, _("Wallboard"), body, status=status)


def _figures(server) -> str:
    from agent_console.domain.monitor import compute_snapshot
    from agent_console.domain.zones import UnknownTimeZone, zone_named

    try:
        zone = zone_named(os.environ.get("TZ") or "UTC")
    except UnknownTimeZone:  # a TZ such as ":/etc/localtime" names no zone: today starts at midnight UTC
        zone = zone_named("UTC")
    return figures_html(compute_snapshot(server.store, server.clock, tz=zone, thresholds=_thresholds(server)), zone)


def _thresholds(server):
    """The tiles' thresholds of the server's settings (``monitor_thresholds``, as the console's monitor reads them),
    read once; the built-in ones where the settings cannot be read or are wrong."""
    thresholds = getattr(server, "wallboard_thresholds", None)
    if thresholds is None:
        from agent_console.config import SettingsError, load_settings
        from agent_console.domain.monitor import MonitorError, Thresholds

        try:
            thresholds = Thresholds.from_setting(load_settings().monitor_thresholds or {})
        except (SettingsError, MonitorError):
            thresholds = Thresholds()
        server.wallboard_thresholds = thresholds
    return thresholds


@router.get("")
async def wallboard(request: Request):
    language = page_language(request)
    with language_scope(language):
        if await _watcher(request) is None:
            return _login_page(request, language)
        figures = await run_in_threadpool(_figures, state(request))
        head = (f'<noscript><meta http-equiv="refresh" content="{REFRESH_SECONDS}"></noscript>'
                f'<script src="/wallboard/live.js" defer></script>')
        body = (f'<h1 class="vh">{escape(_("Wallboard"))}</h1><div id="figures" aria-live="off">{figures}</div>'
                f'<form method="post" action="/wallboard/logout"><button type="submit">{escape(_(LOG_OUT))}'
                f'</button></form>')
        return _page(request, language, _("Wallboard"), body, head=head)


@router.post("/login")
async def wallboard_login(request: Request):
    language = page_language(request)
    with language_scope(language):
        raw = await request.body()
        fields = parse_qs(raw.decode("utf-8", "replace")) if len(raw) <= MAX_FORM_BYTES else {}
        token = (fields.get("token") or [""])[0].strip()
        server = state(request)
        principal = None
        if token and len(token) <= 200 and "\x00" not in token:
            principal = await server.tokens.principal(token, server.clock.now())
        if not may_watch(principal):
            return _login_page(request, language, _("This token is not valid for the wallboard (it needs a "
                                                   "supervisor or a wallboard token)."), status=401)
        response = RedirectResponse("/wallboard", status_code=303, headers=SECURITY_HEADERS)
        response.set_cookie(COOKIE, token, path="/wallboard", httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response


@router.post("/logout")
async def wallboard_logout():
    response = RedirectResponse("/wallboard", status_code=303, headers=SECURITY_HEADERS)
    response.delete_cookie(COOKIE, path="/wallboard")
    return response


@router.get("/live.js")
async def wallboard_script():
    return Response(LIVE_SCRIPT, media_type="text/javascript", headers=SECURITY_HEADERS)


@router.get("/events")
async def wallboard_events(request: Request):
    """``event: figures`` with the figures' HTML at once, whenever the feed advances and after
    ``QUIET_REFRESH_SECONDS`` without a change; ``event: ended`` when the token stops being valid."""
    language = page_language(request)
    principal = await _watcher(request)
    if principal is None:
        return Response(status_code=401, headers=SECURITY_HEADERS)
    server = state(request)
    guard = server.streams

    async def stream():
        ended = guard.open(principal.token_id) if guard is not None else None
        try:
            seen = broadcaster.latest
            while True:
                with language_scope(language):
                    figures = await run_in_threadpool(_figures, server)
                yield f"retry: 2000\nevent: figures\ndata: {figures}\n\n"
                if await request.is_disconnected():
                    return
                seen = await broadcaster.wait_beyond(seen, QUIET_REFRESH_SECONDS, ended)
                if ended is not None and ended.is_set():
                    yield f"event: ended\ndata: {orjson.dumps({'reason': 'token'}).decode()}\n\n"
                    return
        finally:
            if guard is not None:
                guard.close(principal.token_id, ended)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={**SECURITY_HEADERS, "X-Accel-Buffering": "no"})
