"""A footer that shows whole keys only: the keys that fit the screen's width, in their order; no label is cut.

A screen with many keys (the knowledge base has eight) does not fit them into 80 columns, in German nor in English,
and Textual's footer then cuts the last label that reaches the edge. ``FooterFits`` leaves out of the footer the
keys from the first that does not fit on; they still work, and the command palette still lists them with their keys.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import ActiveBinding

#: The columns a footer key takes besides its key and label: a space before the key, one between, one after.
KEY_PADDING = 3
#: The columns the command palette's key (``▏^p palette``) takes at the right end of the footer.
PALETTE_COLUMNS = 13


class FooterFits:
    """A screen mixin, listed before ``TranslatedBindings`` so that the labels are measured in the language shown."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        shown = super().active_bindings  # type: ignore[misc]
        app = self.app  # type: ignore[attr-defined]
        width = self.size.width or app.size.width  # type: ignore[attr-defined]
        palette = app.COMMAND_PALETTE_BINDING
        room = width - (PALETTE_COLUMNS if app.ENABLE_COMMAND_PALETTE and palette in shown else 0)
        fitted: dict[str, ActiveBinding] = {}
        seen_actions: set[str] = set()
        for key, active in shown.items():
            binding = active.binding
            if binding.show and key != palette and binding.action not in seen_actions:
                seen_actions.add(binding.action)  # the footer shows one key per action
                room -= len(app.get_key_display(binding)) + len(binding.description) + KEY_PADDING
                if room < 0:
                    active = active._replace(binding=replace(binding, show=False))
            elif binding.show and room < 0:
                active = active._replace(binding=replace(binding, show=False))
            fitted[key] = active
        return fitted

    def on_resize(self) -> None:
        self.refresh_bindings()  # type: ignore[attr-defined]
