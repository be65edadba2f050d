"""Messages the console app sends to its screens (the app never calls into a screen's methods)."""

from __future__ import annotations

from textual.message import Message


class CasesChanged(Message, bubble=False):
    """The sync engine pulled changes touching these local case ids."""

    def __init__(self, case_ids: frozenset[int]) -> None:
        super().__init__()
        self.case_ids = case_ids


class SlaChanged(Message, bubble=False):
    """The SLA sweep recorded a breach or raised a priority: screens showing SLA fields re-read them."""


class QueueNamesLoaded(Message):
    """The queues' names, read in a worker: for the palette, and for the picker when ``pick``."""

    def __init__(self, names: list[str], pick: bool = False) -> None:
        super().__init__()
        self.names = names
        self.pick = pick
