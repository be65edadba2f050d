"""Canned responses: create, edit, delete, usage counts, shortcut lookup and the picker's fuzzy search.

The functions here are what the console, the ``canned`` CLI and the importer (``agent-console import canned``) call:
``validate_canned`` checks one record and says what is wrong by field; ``CannedResponses.upsert`` creates or
updates by shortcut inside a caller's transaction when given a session, so an import of many rows is one transaction
that writes nothing when any row is bad.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from agent_console.domain.recording import audit, enqueue
from agent_console.domain.shared_content import team_edit_refusal
from agent_console.domain.service import Service
from agent_console.domain.templates import TEMPLATE_REFUSED, render_for_case, template_problems
from agent_console.domain.text import clean_text
from agent_console.i18n import _
from agent_console.store import canned_responses
from agent_console.store.models import CannedResponse

LANGUAGES = ("de", "en")
SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_BODY_CHARS = 20_000


class CannedError(ValueError):
    """A request the rules do not allow; ``field`` names the offending field when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CannedInput:
    """One validated canned response, as the console form, the CLI and the importer hand it over."""

    title: str
    shortcut: str
    body: str
    category: str = ""
    language: str = "en"


def normalise_shortcut(shortcut: str) -> str:
    return (shortcut or "").strip().lstrip(";").strip().lower()


def validate_canned(*, title: str, shortcut: str, body: str, category: str = "", language: str = "en") -> CannedInput:
    """Clean and check one record; raises :class:`CannedError` naming the field."""
    title = " ".join(clean_text(title).split())
    if not title:
        raise CannedError(_("a canned response needs a title"), "title")
    if len(title) > 200:
        raise CannedError(_("the title is longer than {limit} characters").format(limit=200), "title")
    shortcut = normalise_shortcut(shortcut)
    if not SHORTCUT.match(shortcut):
        raise CannedError(_("invalid shortcut {shortcut}: 1–64 lower-case letters, digits, '-' or '_' "
                            "(typed as ;shortcut in the editor)").format(shortcut=repr(shortcut)), "shortcut")
    body = clean_text(body).strip("\n")
    if not body.strip():
        raise CannedError(_("a canned response needs a body"), "body")
    if len(body) > MAX_BODY_CHARS:
        raise CannedError(_("the body is longer than {limit} characters").format(limit=MAX_BODY_CHARS), "body")
    problems = template_problems(body)
    if problems:
        raise CannedError(_(TEMPLATE_REFUSED).format(problems="; ".join(problems)), "body")
    category = " ".join(clean_text(category).split()).lower()
    if len(category) > 64:
        raise CannedError(_("the category is longer than {limit} characters").format(limit=64), "category")
    language = (language or "").strip().lower()
    if language not in LANGUAGES:
        raise CannedError(_("unknown language {language}; expected one of: {languages}")
                          .format(language=repr(language), languages=", ".join(LANGUAGES)), "language")
    return CannedInput(title=title, shortcut=shortcut, body=body, category=category, language=language)


def canned_payload(response: CannedResponse) -> dict:
    return {"uid": response.uid, "title": response.title, "shortcut": response.shortcut,
            "category": response.category, "language": response.language, "body": response.body,
            "version": response.version}


def canned_dict(response: CannedResponse) -> dict:
    """The export form (also what ``canned show --json`` prints)."""
    return {"shortcut": response.shortcut, "title": response.title, "category": response.category,
            "language": response.language, "body": response.body, "usage_count": response.usage_count}


@dataclass(frozen=True)
class CannedMatch:
    response: CannedResponse
    score: float


def rank_canned(responses: Iterable[CannedResponse], query: str = "", *, language: str | None = None,
                category: str | None = None) -> list[CannedMatch]:
    """Filter by category, fuzzy-match title/shortcut/body, then: the case's language first, best match, most used."""
    from rapidfuzz import fuzz, utils

    query = (query or "").strip()
    if query.startswith(";"):
        query = query[1:]
    wanted = utils.default_process(query)
    matches: list[CannedMatch] = []
    for response in responses:
        if category and response.category != category:
            continue
        if not wanted:
            matches.append(CannedMatch(response, 0.0))
            continue
        shortcut = response.shortcut
        if shortcut == wanted:
            score = 200.0
        elif shortcut.startswith(wanted):
            score = 150.0
        else:
            title = utils.default_process(response.title)
            body = utils.default_process(response.body[:2000])
            score = max(
                fuzz.WRatio(wanted, title) * 1.1,
                fuzz.ratio(wanted, shortcut),
                fuzz.partial_ratio(wanted, body) * 0.9 if len(wanted) >= 3 else 0.0,
            )
        if score >= 60:
            matches.append(CannedMatch(response, score))
    # Ties of fuzzy scores within a few points are noise: bucket them so usage decides among similar matches.
    matches.sort(key=lambda m: (m.response.language != language if language else False, -round(m.score / 10),
                                -m.response.usage_count, m.response.title.lower()))
    return matches


@dataclass
class CannedResponses(Service):

    # --- reading ---------------------------------------------------------------------------------------------------

    def all(self) -> list[CannedResponse]:
        with self._reading() as session:
            return canned_responses.all_by_usage(session)

    def categories(self) -> list[str]:
        with self._reading() as session:
            return canned_responses.categories(session)

    def get(self, shortcut_or_id: str | int) -> CannedResponse:
        with self._reading() as session:
            return get_canned(session, shortcut_or_id)

    def by_shortcut(self, shortcut: str) -> CannedResponse | None:
        with self._reading() as session:
            return canned_responses.by_shortcut(session, normalise_shortcut(shortcut))

    def search(self, query: str = "", *, language: str | None = None, category: str | None = None,
               limit: int | None = None) -> list[CannedMatch]:
        found = rank_canned(self.all(), query, language=language, category=category)
        return found[:limit] if limit else found

    # --- writing ---------------------------------------------------------------------------------------------------

    def create(self, *, title: str, shortcut: str, body: str, category: str = "", language: str = "en"
               ) -> CannedResponse:
        data = validate_canned(title=title, shortcut=shortcut, body=body, category=category, language=language)
        with self._transaction() as session:
            self._may_edit(session)
            if canned_responses.shortcut_taken(session, data.shortcut):
                raise CannedError(_("the shortcut ;{shortcut} is taken already").format(shortcut=data.shortcut),
                                  "shortcut")
            return self._write(session, None, data)

    def update(self, shortcut_or_id: str | int, *, title: str | None = None, shortcut: str | None = None,
               body: str | None = None, category: str | None = None, language: str | None = None
               ) -> CannedResponse:
        with self._transaction() as session:
            self._may_edit(session)
            existing = get_canned(session, shortcut_or_id)
            data = validate_canned(
                title=existing.title if title is None else title,
                shortcut=existing.shortcut if shortcut is None else shortcut,
                body=existing.body if body is None else body,
                category=existing.category if category is None else category,
                language=existing.language if language is None else language)
            if data.shortcut != existing.shortcut:
                if canned_responses.shortcut_taken(session, data.shortcut):
                    raise CannedError(_("the shortcut ;{shortcut} is taken already")
                                      .format(shortcut=data.shortcut), "shortcut")
            return self._write(session, existing, data)

    def upsert(self, data: CannedInput, session=None) -> tuple[CannedResponse, bool]:
        """Create or update the response with ``data.shortcut``; with ``session`` inside the caller's transaction
        (the importer's), otherwise in its own. Returns (response, created)."""
        if session is None:
            with self._transaction() as own:
                return self.upsert(data, own)
        existing = canned_responses.by_shortcut(session, data.shortcut)
        return self._write(session, existing, data), existing is None

    def delete(self, shortcut_or_id: str | int) -> None:
        now = self.clock.now()
        with self._transaction() as session:
            self._may_edit(session)
            response = get_canned(session, shortcut_or_id)
            session.delete(response)
            audit(session, now, self.actor_id, "canned.delete", "canned_response", response.id,
                  shortcut=response.shortcut)
            enqueue(session, now, "canned.delete", uid=response.uid)

    def _may_edit(self, session) -> None:
        refusal = team_edit_refusal(session, self.actor, _("canned responses"))
        if refusal:
            raise CannedError(refusal)

    def record_use(self, response_id: int) -> None:
        """One more use (atomic increment: two agents inserting at once both count)."""
        with self._transaction() as session:
            canned_responses.count_use(session, response_id)

    def _write(self, session, existing: CannedResponse | None, data: CannedInput) -> CannedResponse:
        now = self.clock.now()
        if existing is None:
            response = CannedResponse(title=data.title, shortcut=data.shortcut, body=data.body,
                                      category=data.category, language=data.language, created_at=now,
                                      updated_at=now)
            session.add(response)
            action = "canned.create"
        else:
            response = existing
            changed = False
            for name in ("title", "shortcut", "body", "category", "language"):
                if getattr(response, name) != getattr(data, name):
                    setattr(response, name, getattr(data, name))
                    changed = True
            if not changed:
                return response
            response.updated_at = now
            response.version += 1
            action = "canned.update"
        session.flush()
        audit(session, now, self.actor_id, action, "canned_response", response.id, shortcut=response.shortcut)
        enqueue(session, now, "canned.upsert", canned=canned_payload(response))
        return response


def get_canned(session, shortcut_or_id: str | int) -> CannedResponse:
    if isinstance(shortcut_or_id, int):
        found = session.get(CannedResponse, shortcut_or_id)
    else:
        found = canned_responses.by_shortcut(session, normalise_shortcut(shortcut_or_id))
    if found is None:
        raise CannedError(_("no canned response {shortcut}").format(shortcut=repr(shortcut_or_id)))

    return found


def expand_shortcut(store, case_id: int | None, agent, shortcut: str, clock=None) -> str | None:
    """The rendered canned response for ``shortcut`` (without the leading ';'), counting one use; None if unknown."""
    from agent_console.domain.clock import SystemClock

    clock = clock or SystemClock()
    service = CannedResponses(store, clock, agent)
    try:
        response = service.by_shortcut(shortcut)
    except CannedError:
        return None
    if response is None:
        return None
    rendered = render_for_case(store, case_id, agent, clock, response.body)
    service.record_use(response.id)
    return rendered.text
