"""The interface's language: gettext catalogs (domain ``agent_console``) and the language the agent chose.

English is the source language (the text in the code); German comes from ``locale/de/LC_MESSAGES/agent_console.mo``,
managed with Babel (``scripts/i18n`` extracts, updates and compiles). Only the standard library is imported here, so
``--help`` and ``--version`` stay fast; dates and numbers in the interface's locale are in ``formatting.py``.

- ``_(message)`` translates now, into the current interface language.
- ``ngettext(singular, plural, n)`` for a message that depends on a count.
- ``pgettext(context, message)`` where one English word needs two German ones (a column's short form).
- ``N_(message)`` only marks a message for extraction (module-level text: key descriptions, column headers); the
  code that shows it calls ``_()`` on it at that moment, so a switch of language reaches it at the next render.

A server answers many users at once, so it never sets the language for the process: ``language_scope(code)`` words
every ``_()`` of one request (and of the domain code it calls) in that request's language (``Accept-Language``,
read with ``language_from_accept``); it is a context variable, seen only by that request's task and the threads it
starts. ``translator(code)`` is a gettext function for one language, for text worded outside such a scope.

The interface language is the agent's; the customer's language (templates, acknowledgements) is separate and
follows the customer (``store.models.LANGUAGES``, ``domain.text.check_language``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gettext

DOMAIN = "agent_console"
LOCALE_DIR = Path(__file__).parent / "locale"
#: The interface languages, the source language first.
LANGUAGES = ("en", "de")
SOURCE_LANGUAGE = "en"
#: The environment variables that name the user's locale, in POSIX order of precedence.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_catalogs: dict[str, gettext.NullTranslations] = {}
_current = SOURCE_LANGUAGE
_listeners: list[Callable[[str], None]] = []
#: The language of the request being answered (a server), else None: the process's language (``_current``) holds.
_scoped: ContextVar[str | None] = ContextVar("agent_console_language", default=None)


class LanguageError(ValueError):
    """An interface language the console does not offer; the message names where the value came from."""


def check_interface_language(value: object, source: str = "language") -> str:
    """``de`` or ``en`` (any case, surrounding spaces ignored); anything else is refused with a message that names
    ``source`` (a settings file, an environment variable)."""
    code = value.strip().lower() if isinstance(value, str) else ""
    if code not in LANGUAGES:
        raise LanguageError(f"{source}: setting 'language' has an invalid value {value!r}; "
                            f"expected one of: {', '.join(LANGUAGES)}")
    return code


def language_from_locale(environ: Mapping[str, str] | None = None) -> str:
    """The interface language the user's locale asks for: ``de`` for a German locale (``de_DE.UTF-8``, ``de_AT`` …),
    else English. The first of LC_ALL, LC_MESSAGES, LANG that is set decides."""
    environ = os.environ if environ is None else environ
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if value:
            code = value.split(".")[0].split("@")[0].split("_")[0].lower()
            return code if code in LANGUAGES else SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def _catalog(code: str) -> gettext.NullTranslations:
    # gettext is imported here, not at the top: the CLI's fast paths (``--version``, ``case … --json``) reach this
    # module through the domain's messages but never translate anything in English.
    import gettext

    if code not in _catalogs:
        if code == SOURCE_LANGUAGE:
            _catalogs[code] = gettext.NullTranslations()
        else:
            # fallback=False: a missing catalog in a shipped language is a packaging error, not English text.
            _catalogs[code] = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code])
    return _catalogs[code]


def set_language(code: str) -> None:
    """Make ``code`` the interface language; every ``_()`` from now on answers in it, and the listeners (an open
    console, which re-renders its screens) are told."""
    global _current
    code = check_interface_language(code)
    _catalog(code)
    changed = code != _current
    _current = code
    if changed:
        for listener in list(_listeners):
            listener(code)


def current_language() -> str:
    return _scoped.get() or _current


def translator(code: str) -> Callable[[str], str]:
    """The gettext function of one language (``de``, ``en``), whatever the current language is."""
    return _catalog(check_interface_language(code)).gettext


@contextmanager
def language_scope(code: str) -> Iterator[None]:
    """Within the block (and only in this context: this task, the threads it starts), ``_()`` answers in
    ``code``; other requests and the process's language are untouched."""
    token = _scoped.set(check_interface_language(code))
    try:
        yield
    finally:
        _scoped.reset(token)


def language_from_accept(header: str | None) -> str:
    """The interface language an HTTP ``Accept-Language`` header prefers most (``de-DE,de;q=0.9,en;q=0.8`` →
    ``de``); English when it names none of ours or cannot be read."""
    best, best_quality = SOURCE_LANGUAGE, 0.0
    for part in (header or "").split(","):
        tag, _separator, parameters = part.strip().partition(";")
        code = tag.strip().split("-")[0].lower()
        quality = 1.0
        parameters = parameters.strip()
        if parameters.startswith("q="):
            try:
                quality = float(parameters[2:])
            except ValueError:
                continue
        if code in LANGUAGES and quality > best_quality:
            best, best_quality = code, quality
    return best


def on_language_change(listener: Callable[[str], None]) -> Callable[[], None]:
    """Call ``listener(code)`` after each switch of language; returns the function that stops it."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def _(message: str) -> str:
    """``message`` in the interface language (itself when the catalog has no translation)."""
    language = current_language()
    if not message or language == SOURCE_LANGUAGE:
        return message
    return _catalog(language).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return singular if n == 1 else plural
    return _catalog(language).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` as it reads in ``context``: the same English word where German needs another (the short form of a
    status in a table column: ``pgettext("column", "pending")``)."""
    return _catalog(_current).pgettext(context, message)


def N_(message: str) -> str:
    """Marks ``message`` for extraction without translating it: it is translated with ``_()`` where it is shown."""
    return message


def NC_(context: str, message: str) -> tuple[str, str]:
    """Marks ``message`` in ``context`` for extraction without translating it (a module-level column header that German
    shortens): ``translate_marked`` translates it where it is shown."""
    return (context, message)


def translate_marked(label: str | tuple[str, str]) -> str:
    """A label marked with ``N_`` (a string) or ``NC_`` (context and string), in the interface language."""
    return pgettext(*label) if isinstance(label, tuple) else _(label)
