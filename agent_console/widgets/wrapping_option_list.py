"""An OptionList whose options wrap to the width they really have.

Textual's OptionList measures its options' wrapped heights at the content width of the moment and re-measures only
when the widget is resized. A list that gets a vertical scroll bar because its options do not fit loses two columns
without being resized: its options stay wrapped for the old width (their ends cut off, the scroll bar sized for too
few lines). This one measures again whenever the width it wraps to is no longer the width it has. (It uses the
OptionList internals of the locked Textual version; tests/tui/test_agent_german.py's 80x24 case screenshot shows a list
that gets its scroll bar this way.)
"""

from __future__ import annotations

from textual.widgets import OptionList


class WrappingOptionList(OptionList):
    def render_lines(self, crop):
        wrap_width = self.scrollable_content_region.width - self._get_left_gutter_width()
        if self.option_count and self.virtual_size.width != wrap_width:
            self._clear_caches()
            self._update_lines()
        return super().render_lines(crop)
