"""Survey links: the one-time link a customer of a resolved case answers CSAT, NPS and CES with.

* A token is made where it is handed out: on the team server's database when the mail gateway sends a reply whose
  text carries ``{survey_link}`` (for a resolved case), or by ``case survey-link KEY`` for a phone follow-up. Only
  the SHA-256 of the token is stored (``survey_tokens``, which is not in the change feed), so a token never travels
  to the consoles and the table alone opens no survey.
* A token is 192 random bits (``secrets``), valid for 14 days, and works once: the answer marks it used in the same
  transaction that writes the case's ``Survey`` row (the row the reports, the monitor and the change feed read).
* A case has one survey: once it is answered (or one was imported), no further link is made and open links stop
  working.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from agent_console.i18n import N_, _
from agent_console.store import survey_tokens
from agent_console.store.by_uid import survey_of_case
from agent_console.store.models import Case, CaseStatus, Customer, Survey, SurveyToken
from agent_console.store.queries import NotFound, case_by_key

VALID_FOR = timedelta(days=14)
#: 24 bytes: 192 bits, 32 characters in the link.
TOKEN_BYTES = 24
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32}$")
#: Where a reply's text wants the survey link (filled in when the mail is sent).
SURVEY_PLACEHOLDER = "{survey_link}"
SURVEY_PATH = "/survey/"
#: The questions' ranges: CSAT 1–5, NPS 0–10, CES 1–7.
RANGES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
LANGUAGES = ("de", "en")

NOT_RESOLVED = N_("{key} is not resolved: a survey link is made for resolved cases only")
HAS_SURVEY = N_("{key} has a survey already")
ANSWER_AT_LEAST_ONE = N_("Please answer at least one question.")
OUT_OF_RANGE = N_("Please choose one of the offered answers.")


class SurveyError(ValueError):
    """No survey link can be made for the case (a clear sentence, in the interface language)."""


@dataclass(frozen=True)
class OpenSurvey:
    """A usable link's case: what the survey page needs to know."""

    token_id: int
    case_id: int
    case_key: str
    language: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def survey_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + SURVEY_PATH + token


def customer_language(session, case: Case) -> str:
    """The language the survey asks in by default: the case's customer's, else the case's, else English."""
    customer = session.get(Customer, case.customer_id)
    for code in (customer.language if customer is not None else None, case.language):
        code = (code or "").lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def make_token(session, case: Case, now: datetime) -> str:
    """A new link's token for the resolved ``case`` (its hash stored in ``session``'s transaction)."""
    if case.status not in (CaseStatus.resolved, CaseStatus.closed):
        raise SurveyError(_(NOT_RESOLVED).format(key=case.key))
    if survey_of_case(session, case.id) is not None:
        raise SurveyError(_(HAS_SURVEY).format(key=case.key))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(SurveyToken(token_hash=token_hash(token), case_id=case.id, created_at=now, expires_at=now + VALID_FOR))
    session.flush()
    return token


def fill_survey_link(session, case_key: str, body: str, now: datetime, base_url: str) -> str:
    """``body`` with ``{survey_link}`` replaced by a new link for the case (a mail about to be sent). Without a
    survey address, for a case not resolved or one with a survey already, the placeholder is left out."""
    if SURVEY_PLACEHOLDER not in body:
        return body
    link = ""
    if base_url:
        try:
            link = survey_url(base_url, make_token(session, case_by_key(session, case_key), now))
        except (NotFound, SurveyError):
            link = ""
    return body.replace(SURVEY_PLACEHOLDER, link)


def open_survey(session, token: str, now: datetime) -> OpenSurvey | None:
    """The case a link may still be answered for; None for a token that is unknown, expired, used, or whose case
    has its survey already (the page says the same for all of them)."""
    if not TOKEN_SHAPE.match(token or ""):
        return None
    row = survey_tokens.token_by_hash(session, token_hash(token))
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    case = session.get(Case, row.case_id)
    if case is None or survey_of_case(session, case.id) is not None:
        return None
    return OpenSurvey(token_id=row.id, case_id=case.id, case_key=case.key, language=customer_language(session, case))


def parse_answers(form: dict[str, str]) -> tuple[dict[str, int | None], list[str]]:
    """The answers of the survey form (each question may be skipped, not all) and the problems, worded for the
    page. A value outside its range is refused, never clamped."""
    answers: dict[str, int | None] = {}
    problems: list[str] = []
    for name, (low, high) in RANGES.items():
        raw = (form.get(name) or "").strip()
        if not raw:
            answers[name] = None
            continue
        if not re.fullmatch(r"[0-9]{1,2}", raw) or not low <= int(raw) <= high:
            answers[name] = None
            if _(OUT_OF_RANGE) not in problems:
                problems.append(_(OUT_OF_RANGE))
            continue
        answers[name] = int(raw)
    if not problems and all(value is None for value in answers.values()):
        problems.append(_(ANSWER_AT_LEAST_ONE))
    return answers, problems


def record_answers(session, token: str, now: datetime, answers: dict[str, int | None]) -> Survey | None:
    """Use the link once: mark it used and write the case's survey; None when the link cannot be used (any more)."""
    survey = open_survey(session, token, now)
    if survey is None:
        return None
    if not survey_tokens.mark_used(session, survey.token_id, now):
        return None
    row = Survey(case_id=survey.case_id, csat=answers.get("csat"), nps=answers.get("nps"), ces=answers.get("ces"),
                 created_at=now)
    session.add(row)
    session.flush()
    return row
