"""Switching the interface language in a running console or monitor, from the command palette, without a restart.

After the switch every screen on the stack that has ``refresh_language()`` shows its text again in the new
language, and every screen's footer is redrawn (``TranslatedBindings`` translates the key labels where they are
shown). The customer's language (templates, acknowledgements) is not touched: it follows the customer.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.app import App, SystemCommand

from agent_console.i18n import LANGUAGES, _, current_language, set_language

#: Each language by its own name: an agent who cannot read the current language still finds their own.
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}


def language_commands(app: App) -> Iterator[SystemCommand]:
    """One palette entry per other interface language (``Language: Deutsch`` / ``Sprache: English``)."""
    for code in LANGUAGES:
        if code != current_language():
            yield SystemCommand(_("Language: {language}").format(language=LANGUAGE_NAMES[code]),
                                _("Switch the interface to {language} (the customer's language does not change)")
                                .format(language=LANGUAGE_NAMES[code]),
                                partial(switch_language, app, code))


def switch_language(app: App, code: str) -> None:
    """Make ``code`` the interface language and show every open screen in it."""
    set_language(code)
    title = getattr(type(app), "TITLE", None)
    if title:
        app.title = _(title)
    for screen in app.screen_stack:
        refresh_language = getattr(screen, "refresh_language", None)
        if refresh_language is not None:
            refresh_language()
        screen.refresh_bindings()
    app.notify(_("The interface now speaks English."), timeout=3)
