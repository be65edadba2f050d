"""Stored text as Rich renderables that show it literally: no markup, no terminal escapes."""

from __future__ import annotations

from rich.text import Text

from agent_console.domain.text import clean_text


def safe_text(value: str | None, style: str = "") -> Text:
    """A ``rich.text.Text`` that shows the value literally (no markup, no escapes)."""
    return Text(clean_text(value), style=style)
