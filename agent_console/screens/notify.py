"""Notifications show text literally: whatever a screen passes to ``notify`` (an error naming a queue, a canned
response's title, a sync notice from the server) reaches the terminal only through ``clean_text`` and is never
parsed as markup."""

from __future__ import annotations

from agent_console.domain.text import clean_text


class SafeNotifications:
    """Mixed into the apps: ``App.notify`` (which every ``Screen.notify`` and ``Widget.notify`` calls) cleans the
    message and the title and turns markup off for plain strings."""

    def notify(self, message, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = True) -> None:
        if isinstance(message, str):
            message, markup = clean_text(message), False
        super().notify(message, title=clean_text(title), severity=severity,  # type: ignore[misc]
                       timeout=timeout, markup=markup)
