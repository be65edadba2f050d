"""The queue's free-text filter: the texts of the cases, narrowed in memory as the agent types, and the filter box.

The "key, subject, customer" texts of the open cases are loaded once in a worker; a keystroke then narrows the view's
ids without a query (see ``screens/queue.py``).
"""

from __future__ import annotations

import threading
from itertools import compress
from typing import Callable

from textual.widgets import Input

from agent_console.store import queries


def filter_needle(text: str) -> str:
    """What the filter looks for: the typed text, whitespace collapsed, lower-cased ("" = no filter)."""
    return " ".join(text.split()).lower()


class CaseTextFilter:
    """"Key, subject, customer" of cases, lower-cased, to filter a view's ids in memory as the agent types.

    ``load`` (in a worker) replaces every text at once; ``filter`` narrows an ordered id list, reusing the previous
    result when the new needle extends the previous one on the same ids (typing a letter scans the last result, not
    the whole view). The haystacks of a view are aligned with its ids once, so a scan is one ``in`` per case.
    """

    def __init__(self) -> None:
        self._texts: dict[int, str] | None = None
        self._load_lock = threading.Lock()
        # Both remember the texts they were made from: a load in a worker may replace the texts at any moment.
        #: (ids, texts, haystack of each id)
        self._aligned: tuple[list[int], dict, list[str]] | None = None
        #: (ids, texts, needle, matching ids, their haystacks)
        self._last: tuple[list[int], dict, str, list[int], list[str]] | None = None

    @property
    def loaded(self) -> bool:
        return self._texts is not None

    def load(self, session) -> None:
        """(Re-)read the texts of every open case (subjects and names change; new cases arrive)."""
        with self._load_lock:
            texts = queries.queue_search_texts(session)
            self._replace(texts)

    def ensure_loaded(self, session) -> None:
        """Load the texts unless they are there (waits for a load already under way instead of starting another)."""
        if self._texts is None:
            with self._load_lock:
                if self._texts is None:
                    self._replace(queries.queue_search_texts(session))

    def missing(self, ids: list[int]) -> list[int]:
        texts = self._texts or {}
        return [i for i in ids if i not in texts]

    def covers(self, ids: list[int]) -> bool:
        texts = self._texts
        return texts is not None and all(i in texts for i in ids)

    def add(self, session, ids: list[int]) -> None:
        """Texts of cases the open-case load does not cover (closed cases in "all", cases that arrived since)."""
        found: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            found.update(queries.queue_search_texts(session, ids[start:start + 500]))
        with self._load_lock:
            self._replace({**(self._texts or {}), **found})

    def _replace(self, texts: dict[int, str]) -> None:
        self._texts = texts  # one assignment: a filter on the UI thread sees the old or the new texts, never a mix

    def prepare(self, ids: list[int]) -> None:
        """Line the texts up with ``ids`` ahead of the first keystroke (in a worker)."""
        self._align(ids, self._texts or {})

    def _align(self, ids: list[int], texts: dict[int, str]) -> list[str]:
        aligned = self._aligned
        if aligned is None or aligned[0] is not ids or aligned[1] is not texts:
            aligned = (ids, texts, [texts.get(i, "") for i in ids])
            self._aligned = aligned
        return aligned[2]

    def filter(self, ids: list[int], needle: str) -> list[int]:
        """The ids (in their order) whose text contains ``needle`` (already normalised by ``filter_needle``)."""
        if not needle:
            return ids
        texts = self._texts or {}
        last = self._last
        if last is not None and last[0] is ids and last[1] is texts and needle.startswith(last[2]):
            candidates, haystacks = last[3], last[4]
        else:
            candidates, haystacks = ids, self._align(ids, texts)
        # One C-level pass per list: a mask of matches, then both lists compressed by it.
        mask = [needle in text for text in haystacks]
        result = list(compress(candidates, mask))
        self._last = (ids, texts, needle, result, list(compress(haystacks, mask)))
        return result


class FilterInput(Input):
    """The queue's filter box. It hands each change to the screen at once, in the same step as the typed letter, so
    the narrowed table is drawn in the frame that shows the letter: an ``Input.Changed`` message is handled after
    that frame, and Textual draws the next one up to 1/60 s later."""

    def __init__(self, on_change: Callable[[str], None], **kwargs) -> None:
        super().__init__(**kwargs)
        self._on_change = on_change

    def watch_value(self, value: str) -> None:
        self._on_change(value)
