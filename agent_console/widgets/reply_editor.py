"""The reply editor: a TextArea for a reply to the customer or an internal note, with ``;shortcut`` expansion."""

from __future__ import annotations

import re
from typing import Callable

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static, TextArea

from agent_console.i18n import _

SHORTCUT_BEFORE_CURSOR = re.compile(r"(?:^|\s);([\w-]+)$")


class DraftTextArea(TextArea):
    """A TextArea that expands ``;word`` followed by space, tab or enter through ``expander(word)``."""

    expander: Callable[[str], str | None] | None = None

    async def _on_key(self, event: events.Key) -> None:
        if event.key in ("space", "enter", "tab") and self.expander is not None and not self.read_only:
            if self.expand_before_cursor() and event.key == "tab":
                event.stop()
                event.prevent_default()

    def expand_before_cursor(self) -> bool:
        row, column = self.cursor_location
        before = self.document.get_line(row)[:column]
        match = SHORTCUT_BEFORE_CURSOR.search(before)
        if match is None:
            return False
        word = match.group(1)
        expansion = self.expander(word)
        if expansion is None:
            return False
        start = (row, column - len(word) - 1)
        self.replace(expansion, start, (row, column))
        return True


class ReplyEditor(Vertical):
    """Hidden until the agent starts a reply (``mode`` = reply) or a note (``mode`` = note)."""

    DEFAULT_CSS = """
    ReplyEditor {
        height: 12;
        display: none;
        border-top: solid $success;
    }
    ReplyEditor.-open {
        display: block;
    }
    ReplyEditor.-note {
        border-top: solid $warning;
    }
    ReplyEditor #editor-mode {
        height: 1;
        padding: 0 1;
    }
    ReplyEditor DraftTextArea {
        height: 1fr;
    }
    ReplyEditor #editor-problems {
        display: none;
        height: auto;
        max-height: 3;
        padding: 0 1;
        color: $text-error;
        text-style: bold;
    }
    ReplyEditor #editor-problems.-shown {
        display: block;
    }
    """

    mode: reactive[str] = reactive("reply")

    class Writing(Message):
        """The agent opened (``writing``) or left the editor for a reply to the customer (notes do not count)."""

        def __init__(self, writing: bool) -> None:
            super().__init__()
            self.writing = writing

    def compose(self) -> ComposeResult:
        yield Static(id="editor-mode", markup=False)
        yield Static(id="editor-problems", markup=False)
        yield DraftTextArea(id="reply-text", soft_wrap=True, tab_behavior="focus")

    @property
    def text_area(self) -> DraftTextArea:
        return self.query_one(DraftTextArea)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def watch_mode(self, mode: str) -> None:
        self.set_class(mode == "note", "-note")
        self.refresh_language()

    def refresh_language(self) -> None:
        """The editor's heading in the interface language (its keys stay the same)."""
        label = Text()
        if self.mode == "note":
            label.append(_("✎ INTERNAL NOTE"), style="bold")
            label.append(" — " + _("only colleagues see it · ctrl+s add note · escape leave editor"), style="dim")
        else:
            label.append(_("▶ REPLY"), style="bold")
            label.append(" — " + _("sent to the customer · ctrl+s send · escape leave editor"), style="dim")
        self.query_one("#editor-mode", Static).update(label)

    def show_problems(self, lines: list[str], cursor: tuple[int, int] | None = None) -> None:
        """Say why the text cannot be sent (one line each) and put the cursor on the first problem; the text stays."""
        problems = self.query_one("#editor-problems", Static)
        problems.update(Text("\n".join(lines)))
        problems.set_class(bool(lines), "-shown")
        if cursor is not None:
            self.text_area.move_cursor(cursor)
            self.text_area.focus()

    def on_text_area_changed(self) -> None:
        self.show_problems([])

    def open(self, mode: str, text: str) -> None:
        self.show_problems([])
        self.mode = mode
        self.add_class("-open")
        self.screen.add_class("-editing")  # the case header turns compact on a short terminal
        self.post_message(self.Writing(mode == "reply"))
        area = self.text_area
        area.load_text(text)
        area.move_cursor(area.document.end)
        area.focus()

    def close(self) -> None:
        self.remove_class("-open")
        self.screen.remove_class("-editing")
        self.post_message(self.Writing(False))
