"""The customer's survey (``/survey/TOKEN``): CSAT, NPS and CES for a resolved case, by the one-time link.

Plain HTML without JavaScript (``server/web_page.py``): one fieldset per question, radio buttons with labels. The
page speaks the case's customer's language unless the visitor chose another by the link in the header. The answer
form carries a random value that must equal the page's HttpOnly cookie (double submit), so another site cannot
post answers in the customer's name. A link that is unknown, expired or used gets the same friendly page.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool

from agent_console.domain import surveys
from agent_console.i18n import LANGUAGES, N_, _, language_scope
from agent_console.server.routes.deps import state
from agent_console.server.web_page import LANGUAGE_COOKIE, escape, html_page, page_language

router = APIRouter(prefix="/survey", include_in_schema=False)

FORM_COOKIE = "ac_survey_form"
MAX_FORM_BYTES = 1024

YOUR_OPINION = N_("Your opinion on case {key}")
THANKS_FOR_CONTACTING = N_("Thank you for contacting us. Three short questions, each one click — answer as many as "
                           "you like.")
CSAT_QUESTION = N_("How satisfied are you with how we handled your request?")
CSAT_LOW = N_("very dissatisfied")
CSAT_HIGH = N_("very satisfied")
NPS_QUESTION = N_("How likely is it that you would recommend us to a friend or colleague?")
NPS_LOW = N_("not at all likely")
NPS_HIGH = N_("extremely likely")
CES_QUESTION = N_("How far do you agree: “The company made it easy for me to resolve my issue.”")
CES_LOW = N_("strongly disagree")
CES_HIGH = N_("strongly agree")
SEND_ANSWERS = N_("Send answers")
THANK_YOU = N_("Thank you!")
ANSWERS_RECORDED = N_("Your answers have been recorded. They help us get better.")
LINK_NOT_VALID = N_("This survey link cannot be used")
LINK_NOT_VALID_TEXT = N_("The link may have been used already or have expired (survey links are valid for 14 days "
                         "and can be used once). Thank you for wanting to tell us your opinion.")
FORM_EXPIRED = N_("Your answers could not be sent. Please send them again (cookies must be allowed).")
ANSWER_PROBLEM = N_("There is a problem with your answers")

#: name, question, label of the lowest and of the highest value.
QUESTIONS = (("csat", CSAT_QUESTION, CSAT_LOW, CSAT_HIGH),
             ("nps", NPS_QUESTION, NPS_LOW, NPS_HIGH),
             ("ces", CES_QUESTION, CES_LOW, CES_HIGH))

_STYLE = """
fieldset{border:1px solid #999;margin:0 0 1.2rem;padding:0.6rem 1rem}legend{font-weight:bold;padding:0 0.3rem}
.scale{display:flex;flex-wrap:wrap;gap:0.4rem;margin:0.4rem 0}.scale label{display:inline-flex;align-items:center;
gap:0.2rem;border:1px solid #bbb;border-radius:4px;padding:0.3rem 0.6rem;min-width:2.2rem}
.ends{display:flex;justify-content:space-between;color:#333;font-size:0.9rem;margin:0}
.problem{border:2px solid #b00020;padding:0.5rem 1rem;color:#7a0015}
"""


def _page(request: Request, language: str, title: str, body: str, status: int = 200, headers: dict | None = None):
    return html_page(request, language, title, body, site=_("Customer service"), home="/help", status=status,
                     style=_STYLE, headers={"X-Robots-Tag": "noindex", **(headers or {})})


def _language(request: Request, default: str | None) -> str:
    """The visitor's choice (the language cookie), else the customer's language, else ``Accept-Language``."""
    if request.cookies.get(LANGUAGE_COOKIE, "") in LANGUAGES or default not in LANGUAGES:
        return page_language(request)
    return default


def _not_usable(request: Request, language: str):
    body = (f'<h1>{escape(_(LINK_NOT_VALID))}</h1><p>{escape(_(LINK_NOT_VALID_TEXT))}</p>'
            f'<p><a href="/help">{escape(_("Help center"))}</a></p>')
    return _page(request, language, _(LINK_NOT_VALID), body, status=404)


def _scale(name: str, question: str, low_label: str, high_label: str, chosen: int | None) -> str:
    low, high = surveys.RANGES[name]
    options = "".join(
        f'<label for="{name}-{value}"><input type="radio" id="{name}-{value}" name="{name}" value="{value}"'
        f'{" checked" if chosen == value else ""}>{value}</label>' for value in range(low, high + 1))
    return (f'<fieldset><legend id="{name}-q">{escape(_(question))}</legend>'
            f'<p class="ends" id="{name}-ends"><span>{low} = {escape(_(low_label))}</span>'
            f'<span>{high} = {escape(_(high_label))}</span></p>'
            f'<div class="scale">{options}</div></fieldset>')


def _form_page(request: Request, language: str, token: str, case_key: str, form_value: str,
               answers: dict[str, int | None], problems: list[str], status: int = 200):
    problem_box = ""
    if problems:
        items = "".join(f"<li>{escape(problem)}</li>" for problem in problems)
        problem_box = (f'<div class="problem" role="alert"><h2>{escape(_(ANSWER_PROBLEM))}</h2>'
                       f'<ul>{items}</ul></div>')
    title = _(YOUR_OPINION).format(key=case_key)
    fieldsets = "".join(_scale(name, question, low, high, answers.get(name)) for name, question, low, high in QUESTIONS)
    body = (f'<h1>{escape(title)}</h1><p>{escape(_(THANKS_FOR_CONTACTING))}</p>{problem_box}'
            f'<form method="post" action="/survey/{escape(token)}">'
            f'<input type="hidden" name="form" value="{escape(form_value)}">{fieldsets}'
            f'<button type="submit">{escape(_(SEND_ANSWERS))}</button></form>')
    response = _page(request, language, title, body, status=status)
    response.set_cookie(FORM_COOKIE, form_value, path="/survey", httponly=True, samesite="strict")
    return response


def _open(server, token: str):
    with server.store.session() as session:
        return surveys.open_survey(session, token, server.clock.now())


def _record(server, token: str, answers: dict[str, int | None]) -> bool:
    with server.store.transaction() as session:
        return surveys.record_answers(session, token, server.clock.now(), answers) is not None


@router.get("/{token}")
async def survey_form(request: Request, token: Annotated[str, Path(max_length=64)]):
    """The survey of the link's case, or the page of a link that cannot be used."""
    found = await run_in_threadpool(_open, state(request), token)
    language = _language(request, found.language if found else None)
    with language_scope(language):
        if found is None:
            return _not_usable(request, language)
        return _form_page(request, language, token, found.case_key, secrets.token_urlsafe(16), {}, [])


@router.post("/{token}")
async def survey_answer(request: Request, token: Annotated[str, Path(max_length=64)]):
    """Records the answers (once per link) and thanks the customer, or shows the form again with what to fix."""
    server = state(request)
    found = await run_in_threadpool(_open, server, token)
    language = _language(request, found.language if found else None)
    with language_scope(language):
        if found is None:
            return _not_usable(request, language)
        raw = await request.body()
        fields = parse_qs(raw.decode("utf-8", "replace")) if len(raw) <= MAX_FORM_BYTES else {}
        form = {name: (values or [""])[0] for name, values in fields.items()}
        answers, problems = surveys.parse_answers(form)
        cookie = request.cookies.get(FORM_COOKIE, "")
        # The form's value must be the cookie's: another site can make a browser post, but cannot read the cookie.
        if not cookie or not secrets.compare_digest(form.get("form", "").encode(), cookie.encode()):
            problems = [_(FORM_EXPIRED)]
        if problems:
            return _form_page(request, language, token, found.case_key, secrets.token_urlsafe(16), answers,
                              problems, status=400)
        if not await run_in_threadpool(_record, server, token, answers):
            return _not_usable(request, language)
        body = f'<h1>{escape(_(THANK_YOU))}</h1><p>{escape(_(ANSWERS_RECORDED))}</p>'
        response = _page(request, language, _(THANK_YOU), body)
        response.delete_cookie(FORM_COOKIE, path="/survey")
        return response
