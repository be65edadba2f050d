"""Field checks of imported records: each checks one field of a record's values and returns the clean value
(or raises ``BadValue``); ``_Fields`` runs them and collects every problem of a record."""

from __future__ import annotations

import re
from typing import Callable

from agent_console.admin.records import BadValue, BadValues, as_text, parse_bool, parse_datetime, parse_int, quoted
from agent_console.domain import limits
from agent_console.domain.cases import CaseError, validate_choice
from agent_console.domain.text import UnsafeText, check_identifier, clean_text
from agent_console.i18n import _
from agent_console.store.models import LANGUAGES


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SHORTCUT = re.compile(rf"^[\w.\-/]{{1,{limits.SHORTCUT_MAX}}}$")
_SLUG = re.compile(rf"^[\w.\-]{{1,{limits.SLUG_MAX}}}$")


def _text(values: dict, name: str, *, required: bool = True, limit: int | None = None) -> str:
    value = clean_text(as_text(values.get(name))).strip()
    if required and not value:
        raise BadValue(name, _("empty; a value is required"))
    if limit and len(value) > limit:
        raise BadValue(name, _("too long ({count} characters; at most {limit})").format(
            count=len(value), limit=limit))
    return value


def _identifier(values: dict, name: str, *, limit: int) -> str:
    """An id or name that is matched as written (external ids, queues, e-mail addresses): control characters are
    refused, not removed."""
    try:
        value = check_identifier(as_text(values.get(name)), name, limit=limit)
    except UnsafeText as exc:
        raise BadValue(name, exc.reason) from None
    if not value:
        raise BadValue(name, _("empty; a value is required"))
    return value


def _body(values: dict, name: str, limit: int = limits.TEXT_MAX) -> str:
    value = clean_text(as_text(values.get(name))).strip("\n")
    if not value.strip():
        raise BadValue(name, _("empty; a value is required"))
    if len(value) > limit:
        raise BadValue(name, _("too long ({count:,} characters; at most {limit:,})").format(
            count=len(value), limit=limit))
    return value


def _choice(values: dict, name: str, allowed) -> str:
    try:
        return validate_choice(as_text(values.get(name)), allowed, name)
    except CaseError as exc:
        raise BadValue(name, str(exc)) from None


def _language(values: dict, name: str = "language", default: str | None = None) -> str:
    value = as_text(values.get(name)).strip().lower()
    if not value and default is not None:
        return default
    if value not in LANGUAGES:
        raise BadValue(name, _("unknown language {value}; expected one of: {value2}").format(
            value=quoted(value), value2=', '.join(LANGUAGES)))
    return value


def _email(values: dict, name: str, *, required: bool) -> str:
    value = as_text(values.get(name)).strip()
    if value:
        value = _identifier(values, name, limit=320)
    if not value:
        if required:
            raise BadValue(name, _("empty; an e-mail address is required"))
        return ""
    if len(value) > limits.EMAIL_MAX:
        raise BadValue(name, _("too long ({count:,} characters; at most {EMAIL_MAX})").format(
            count=len(value), EMAIL_MAX=limits.EMAIL_MAX))
    if not _EMAIL.match(value):
        raise BadValue(name, _("invalid e-mail address {value}").format(value=quoted(value)))
    return value


def _phone(values: dict, name: str) -> str:
    value = as_text(values.get(name)).strip()
    if not value:
        return ""
    from agent_console.domain.phone_numbers import NumberError, normalise_number

    try:
        number = normalise_number(value)
    except NumberError:
        number = None
    if number is None or len(number) > limits.PHONE_MAX:
        raise BadValue(name, _("invalid phone number {value}").format(value=quoted(value)))
    return number


def _tags(values: dict, name: str = "tags") -> str:
    raw = values.get(name)
    parts = raw if isinstance(raw, (list, tuple)) else as_text(raw).split(",")
    tags = []
    for part in parts:
        tag = clean_text(as_text(part)).strip()
        if tag and tag not in tags:
            tags.append(tag)
    joined = ",".join(tags)
    if len(joined) > limits.TAGS_MAX:
        raise BadValue(name, _("too long ({count:,} characters; at most {TAGS_MAX:,})").format(
            count=len(joined), TAGS_MAX=limits.TAGS_MAX))
    return joined


def _date(values: dict, name: str, *, required: bool = True):
    if not required and not as_text(values.get(name)).strip():
        return None
    return parse_datetime(values.get(name), name)


def _score(values: dict, name: str, low: int, high: int) -> int | None:
    return parse_int(values.get(name), name, low, high, optional=True)


def _flag(values: dict, name: str) -> bool:
    return parse_bool(values.get(name), name)


def _template(body: str, name: str) -> None:
    """The rule the console and ``canned add`` apply: compiles in the sandbox, names only known placeholders."""
    from agent_console.domain.templates import TEMPLATE_REFUSED, template_problems

    problems = template_problems(body)
    if problems:
        raise BadValue(name, _(TEMPLATE_REFUSED).format(problems="; ".join(problems)))


class _Fields:
    """Runs the checks of one record's fields and collects every problem instead of stopping at the first:
    ``check(_text, "name", limit=200)`` returns the value, or None after noting the problem. ``done(row)`` returns
    the row, or raises BadValues with all problems found."""

    def __init__(self, values: dict) -> None:
        self.values = values
        self.problems: list[BadValue] = []

    def __call__(self, check: Callable, name: str, *args, **kwargs):
        try:
            return check(self.values, name, *args, **kwargs)
        except BadValue as exc:
            self.problems.append(exc)
            return None

    def fine(self, *names: str) -> bool:
        """None of these fields had a problem (cross-field checks only make sense then)."""
        return not any(p.field in names for p in self.problems)

    def add(self, name: str, message: str) -> None:
        self.problems.append(BadValue(name, message))

    def done(self, row: dict) -> dict:
        if len(self.problems) == 1:
            raise self.problems[0]
        if self.problems:
            raise BadValues(self.problems)
        return row
