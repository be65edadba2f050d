"""Turns the key map (``agent_console/keys.py``) into Textual bindings and command-palette entries for a screen."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Callable

from textual.binding import ActiveBinding, Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from agent_console import keys
from agent_console.i18n import _

KEY_DISPLAY = {"question_mark": "?", "slash": "/", "space": "space", "escape": "esc", "enter": "enter"}


#: The agent's main screens spell ``enter``/``esc`` out in the footer; dialogs and the monitor keep Textual's own
#: key display (``⏎``).
SPELLED_OUT_SCOPES = frozenset({"app", "queue", "case"})


def bindings_for(scope: str) -> list[Binding]:
    """One ``Binding`` per key action of the scope; its id is the action's name, so ``Settings.keys`` rebinds it."""
    spelled_out = scope in SPELLED_OUT_SCOPES
    return [
        Binding(a.key, a.action, a.description, show=a.show, priority=a.priority, id=a.name,
                key_display=KEY_DISPLAY.get(a.key) if spelled_out else None)
        for a in keys.actions_for(scope)
    ]


def display_key(key: str) -> str:
    return ", ".join(KEY_DISPLAY.get(part, part) for part in key.split(","))


def key_entries(app, scope: str) -> list[tuple[str, str, str]]:
    """(key as the agent sees it, description, action) of every action of the scope, after rebinding."""
    rebound = keys.keymap(getattr(app.settings, "keys", {}) or {}) if hasattr(app, "settings") else {}
    return [(display_key(rebound.get(a.name, a.key)), _(a.description), a.action) for a in keys.actions_for(scope)]


def key_hint(app, name: str) -> str:
    """``key <key>`` of the named action after the agent's rebinding, for a palette entry's help line."""
    rebound = keys.keymap(getattr(app.settings, "keys", {}) or {}) if hasattr(app, "settings") else {}
    return _("key {key}").format(key=display_key(rebound.get(name, keys.action_named(name).key)))


class TranslatedBindings:
    """A screen mixin: the footer, the key panel and the palette show each binding's description in the interface
    language of the moment. Bindings are made once, at import, with the English source text (``N_``); translating
    where they are shown lets a switch of language reach every screen at its next ``refresh_bindings()``."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        shown = super().active_bindings  # type: ignore[misc]
        return {key: active._replace(binding=replace(active.binding, description=_(active.binding.description)))
                for key, active in shown.items()}


class CommandEntry:
    __slots__ = ("title", "help", "callback", "keywords")

    def __init__(self, title: str, help: str, callback: Callable, keywords: str = "") -> None:
        self.title = title
        self.help = help
        self.callback = callback
        #: Other words the palette finds the entry by ("create" finds "New case").
        self.keywords = keywords


def action_entries(node: DOMNode, scope: str) -> list[CommandEntry]:
    """Palette entries that run the scope's actions on ``node`` (a screen), titled by their description."""
    entries = []
    for (key, description, action), key_action in zip(key_entries(node.app, scope), keys.actions_for(scope)):
        entries.append(CommandEntry(description, _("key {key}").format(key=key), partial(node.run_action, action),
                                    keywords=_(key_action.keywords)))
    return entries


class ScreenCommands(Provider):
    """Offers the calling screen's ``command_entries()`` (every keyed action plus extras) in the palette."""

    def _entries(self) -> list[CommandEntry]:
        entries_of = getattr(self.screen, "command_entries", None)
        return list(entries_of()) if entries_of is not None else []

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(entry.title, entry.callback, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            score = matcher.match(entry.title)
            if entry.keywords:
                score = max(score, matcher.match(entry.keywords))
            if score > 0:
                yield Hit(score, matcher.highlight(entry.title), entry.callback, help=entry.help)
