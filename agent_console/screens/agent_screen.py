"""What the console's app asks of its main screens, as a base class instead of ``getattr`` probes.

The app shows the keys of the screen the agent is on (``?``) and, on quit, saves every unsent draft before the
console closes: a screen that has keys of its own names their registry scope, a screen that holds a draft saves it
in ``flush_draft``.
"""

from __future__ import annotations

from typing import ClassVar

from textual.screen import Screen


class AgentScreen(Screen):
    #: The key registry scope of this screen (``keys.py``); ``?`` lists its keys.
    KEY_SCOPE: ClassVar[str] = ""
    #: How the keys help names this screen ("Keys of {title}").
    KEYS_TITLE: ClassVar[str] = ""

    def flush_draft(self) -> None:
        """Save what the agent has typed and not sent (the console is about to close). Screens without a draft
        have nothing to save."""
