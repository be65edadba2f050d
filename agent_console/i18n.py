"""The interface's language: gettext catalogs (domain ``agent_console``) and the language the agent chose.

English is the source language (the text in the code); German comes from ``locale/de/LC_MESSAGES/agent_console.mo``,
managed with Babel (``scripts/i18n`` extracts, updates and compiles). Only the standard library is imported here, so
``--help`` and ``--version`` stay fast; dates and numbers in the interface's locale are in ``formatting.py``.

- ``_(message)`` translates now, into the current interface language.
- ``ngettext(singular, plural, n)`` for a message that depends on a count.
- ``pgettext(context, message)`` where one English word needs two German ones (a column's short form).
- ``N_(message)`` only marks a message for extraction (module-level text: key descriptions, column headers); the
  code that shows it calls ``_()`` on it at that moment, so a switch of language reaches it at the next render.

The interface language is the agent's; the customer's language (templates, acknowledgements) is separate and
follows the customer (``store.models.LANGUAGES``, ``domain.text.check_language``).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable, Mapping
from pathlib import Path

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
    return _current


def on_language_change(listener: Callable[[str], None]) -> Callable[[], None]:
    """Call ``listener(code)`` after each switch of language; returns the function that stops it."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def _(message: str) -> str:
    """``message`` in the interface language (itself when the catalog has no translation)."""
    if not message:
        return message
    return _catalog(_current).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog(_current).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` as it reads in ``context``: the same English word where German needs another (the short form of a
    status in a table column: ``pgettext("column", "pending")``)."""
    return _catalog(_current).pgettext(context, message)


def N_(message: str) -> str:
    """Marks ``message`` for extraction without translating it: it is translated with ``_()`` where it is shown."""
    return message
