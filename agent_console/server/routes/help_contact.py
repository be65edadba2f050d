"""The help center's contact form (``/help/contact``): a customer writes to the team; the server makes a web-channel
case (``domain/help_contact.py``) with the articles read in the visit, and shows its key and the expected response.

Against forged and automated posts: the form carries the visit id of the help center's HttpOnly cookie (double
submit: another site can neither read the cookie nor guess the id), a field people never see (a bot that fills it is
refused), a size limit on the whole post and each field, and rate limits per e-mail address (in the database) and
per client address (per server process). Plain HTML; no JavaScript needed.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from agent_console.domain import help_contact, help_center
from agent_console.domain.case_errors import CaseError
from agent_console.domain.text import clean_text
from agent_console.formatting import duration_long
from agent_console.i18n import N_, _, language_scope
from agent_console.server.routes.deps import state
from agent_console.server.routes.help import CONTACT_PATH, READ_COOKIE, VISIT_COOKIE
from agent_console.server.web_page import escape, html_page, page_language

router = APIRouter(prefix=CONTACT_PATH, include_in_schema=False)

#: The whole post: the fields' limits in characters, as UTF-8 and percent-encoded, with room to spare.
MAX_POST_BYTES = 64 * 1024
#: The field people never see (hidden by the page's style, skipped by the keyboard): only a bot fills it in.
HONEYPOT = "website"

WRITE_TO_US = N_("Write to us")
WE_ANSWER_PERSONALLY = N_("Tell us what you need and we will answer you personally by e-mail.")
ARTICLES_YOU_READ = N_("We will pass on the articles you read, so you need not repeat what you tried:")
LEAVE_EMPTY = N_("Leave this field empty")
SEND = N_("Send")
PLEASE_CORRECT = N_("Please correct the following:")
NOT_SENT = N_("Your message could not be sent")
OPEN_AGAIN = N_("Please open the contact form again and send your message there (cookies must be allowed).")
TOO_LARGE = N_("Your message is too long: at most {limit} characters, please.")
TOO_MANY_FROM_HERE = N_("Too many messages were sent from your network within the last hour. Please try again "
                        "later.")
CANNOT_TAKE = N_("We cannot take messages right now. Please try again later.")
MESSAGE_RECEIVED = N_("Thank you, we have received your message")
YOUR_CASE_KEY = N_("Your case number is {key}. Please quote it when you contact us about this matter.")
WE_WILL_ANSWER = N_("Expected response time: {time}")
BACK_TO_THE_HELP_CENTER = N_("Back to the help center")
FORM_STYLE = """
.contact label{display:block;font-weight:bold;margin-top:0.8rem}
.contact input[type=text],.contact input[type=email],.contact textarea{font-size:1rem;padding:0.4rem;width:100%;
max-width:40rem;box-sizing:border-box}
.contact textarea{min-height:10rem}.contact button{margin-top:1rem}
.hint{color:#333;margin:0.2rem 0 0}.problems{border:2px solid #b91c1c;padding:0.5rem 1rem}
.field-problem{color:#b91c1c;margin:0.2rem 0 0}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
"""


class ClientLimit:
    """Forms per client address within the last hour, in this process."""

    def __init__(self) -> None:
        self._sent: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, client: str, limit: int) -> bool:
        """Counts one form from ``client``; False (not counted) when it already sent ``limit`` within an hour."""
        if limit <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            sent = self._sent[client]
            while sent and sent[0] <= now - 3600:
                sent.popleft()
            if len(sent) >= limit:
                return False
            sent.append(now)
            return True


def _site() -> str:
    return _("Help center")


def _page(request: Request, language: str, title: str, body: str, status: int = 200):
    return html_page(request, language, title, body, site=_site(), home="/help", status=status, style=FORM_STYLE)


def _visit(request: Request) -> str | None:
    visit = request.cookies.get(VISIT_COOKIE, "")
    return visit if help_center.VISIT_ID.match(visit) else None


def _options(request: Request):
    """(default queue, limit per address, limit per client) from the server's settings, read once."""
    options = getattr(request.app.state, "help_contact_options", None)
    if options is None:
        from agent_console.config import SettingsError, load_settings

        try:
            settings = load_settings()
        except SettingsError:
            return None
        options = (settings.help_queue, settings.help_contact_limit_per_hour,
                   settings.help_contact_client_limit_per_hour)
        request.app.state.help_contact_options = options
    return options


def _client_limit(request: Request) -> ClientLimit:
    limit = getattr(request.app.state, "help_contact_clients", None)
    if limit is None:
        limit = request.app.state.help_contact_clients = ClientLimit()
    return limit


def _read_titles(store, slugs: list[str]) -> list[str]:
    with store.session() as session:
        return [article.title for article in help_contact.articles_read(session, slugs)]


def _form(visit: str, values: dict[str, str], problems: dict[str, str], titles: list[str]) -> str:
    parts = [f'<h1>{escape(_(WRITE_TO_US))}</h1><p>{escape(_(WE_ANSWER_PERSONALLY))}</p>']
    if titles:
        items = "".join(f"<li>{escape(title)}</li>" for title in titles)
        parts += [f'<p>{escape(_(ARTICLES_YOU_READ))}</p><ul>{items}</ul>']
    if problems:
        items = "".join(f'<li><a href="#{field}">{escape(message)}</a></li>' for field, message in problems.items())
        parts += [f'<div class="problems" role="alert"><h2>{escape(_(PLEASE_CORRECT))}</h2><ul>{items}</ul></div>']
    parts += [f'<form class="contact" method="post" action="{CONTACT_PATH}">'
              f'<input type="hidden" name="visit" value="{escape(visit)}">']
    for field in help_contact.FIELDS:
        limit = help_contact.LIMITS[field]
        invalid = f' aria-invalid="true" aria-describedby="{field}-problem"' if field in problems else ""
        value = escape(values.get(field, ""))
        parts += [f'<label for="{field}">{escape(help_contact.field_label(field))}</label>']
        if field == "message":
            parts += [f'<textarea id="{field}" name="{field}" maxlength="{limit}" required{invalid}>{value}'
                      f'</textarea>']
        else:
            kind, autocomplete = {"name": ("text", "name"), "email": ("email", "email"),
                                  "subject": ("text", "off")}[field]
            parts += [f'<input type="{kind}" id="{field}" name="{field}" value="{value}" maxlength="{limit}" '
                      f'autocomplete="{autocomplete}" required{invalid}>']
        if field in problems:
            parts += [f'<p class="field-problem" id="{field}-problem">{escape(problems[field])}</p>']
    parts += [f'<div class="hp"><label for="{HONEYPOT}">{escape(_(LEAVE_EMPTY))}</label>'
              f'<input type="text" id="{HONEYPOT}" name="{HONEYPOT}" value="" tabindex="-1" autocomplete="off">'
              f'</div><button type="submit">{escape(_(SEND))}</button></form>']
    return "".join(parts)


def _set_visit(response, visit: str) -> None:
    response.set_cookie(VISIT_COOKIE, visit, path="/help", httponly=True, samesite="lax")


@router.get("")
async def contact_form(request: Request):
    """The form, with the articles read in this visit listed."""
    language = page_language(request)
    with language_scope(language):
        visit = _visit(request) or secrets.token_urlsafe(16)
        slugs = help_center.read_from_cookie(request.cookies.get(READ_COOKIE))
        titles = await run_in_threadpool(_read_titles, state(request).store, slugs) if slugs else []
        response = _page(request, language, _(WRITE_TO_US), _form(visit, {}, {}, titles))
        _set_visit(response, visit)
        return response


def _refused(request: Request, language: str, message: str, status: int):
    body = (f'<h1>{escape(_(NOT_SENT))}</h1><p>{escape(message)}</p>'
            f'<p><a href="{CONTACT_PATH}">{escape(_(WRITE_TO_US))}</a> · '
            f'<a href="/help">{escape(_(BACK_TO_THE_HELP_CENTER))}</a></p>')
    return _page(request, language, _(NOT_SENT), body, status=status)


async def _bounded_body(request: Request) -> bytes | None:
    """The post's bytes, or None when it is larger than ``MAX_POST_BYTES`` (not read further)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_POST_BYTES:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_POST_BYTES:
            return None
    return bytes(body)


@router.post("")
async def contact_send(request: Request):
    """Checks the post and makes the web case; answers with the case key and the expected response time."""
    language = page_language(request)
    with language_scope(language):
        raw = await _bounded_body(request)
        if raw is None:
            return _refused(request, language,
                            _(TOO_LARGE).format(limit=help_contact.MAX_MESSAGE_CHARS), 413)
        fields = {name: values[0] for name, values in
                  parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}
        visit = _visit(request)
        # Double submit: the form's visit id must be the cookie's, which another site cannot read.
        if visit is None or fields.get("visit") != visit:
            return _refused(request, language, _(OPEN_AGAIN), 403)
        if fields.get(HONEYPOT):
            return _refused(request, language, _(OPEN_AGAIN), 400)
        checked = help_contact.check_form(fields)
        slugs = help_center.read_from_cookie(request.cookies.get(READ_COOKIE))
        server = state(request)
        if isinstance(checked, list):
            titles = await run_in_threadpool(_read_titles, server.store, slugs) if slugs else []
            problems = {problem.field: problem.message for problem in checked}
            # Given back to edit, cleaned of control characters (terminal escapes) like everything stored.
            values = {field: clean_text(fields.get(field, ""))[:help_contact.LIMITS[field]]
                      for field in help_contact.FIELDS}
            return _page(request, language, _(WRITE_TO_US), _form(visit, values, problems, titles), status=422)
        options = _options(request)
        if options is None:
            return _refused(request, language, _(CANNOT_TAKE), 503)
        default_queue, per_address, per_client = options
        client = request.client.host if request.client else "unknown"
        if not _client_limit(request).allow(client, per_client):
            return _refused(request, language, _(TOO_MANY_FROM_HERE), 429)
        try:
            result = await run_in_threadpool(_send, server, checked, slugs, visit, language, default_queue,
                                             per_address)
        except help_contact.RateLimited as exc:
            return _refused(request, language, str(exc), 429)
        except CaseError:
            return _refused(request, language, _(CANNOT_TAKE), 503)
        body = (f'<h1>{escape(_(MESSAGE_RECEIVED))}</h1>'
                f'<p class="case-key">{escape(_(YOUR_CASE_KEY).format(key=result.case_key))}</p>'
                f'<p>{escape(_(WE_WILL_ANSWER).format(time=duration_long(result.first_response_s)))}</p>'
                f'<p><a href="/help">{escape(_(BACK_TO_THE_HELP_CENTER))}</a></p>')
        return _page(request, language, _(MESSAGE_RECEIVED), body)


def _send(server, form, slugs: list[str], visit: str, language: str, default_queue: str, per_address: int):
    with server.store.transaction() as session:
        return help_contact.send(session, server.clock, form, slugs, visit=visit, language=language,
                                 default_queue=default_queue, limit_per_hour=per_address,
                                 mail_from=getattr(server.store, "mail_from", ""))

