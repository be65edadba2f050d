"""The agent screens' footer: Textual's footer, showing only the keys whose label fits whole.

Textual's footer runs its keys off the right edge, cutting the last label in the middle ("Eskal▏"); German labels
are longer, so more would be cut. Here the keys that do not fit whole beside the palette key are left out, from
the first that would be cut on: every key is still listed by ``?`` and in the command palette.
"""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    def _keys(self) -> list[FooterKey]:
        return [key for key in self.query(FooterKey) if not key.has_class("-command-palette")]

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._fit)

    def on_resize(self) -> None:
        for key in self._keys():
            key.display = True  # measured again at the new width
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        if not self.is_attached:
            return
        limit = self.content_region.right
        for palette in self.query(FooterKey).filter(".-command-palette"):
            limit = min(limit, palette.region.x)
        cut = False
        for key in self._keys():
            cut = cut or key.region.right > limit
            key.display = not cut
