"""The case screen's drafts: saved as the agent types (debounced, in a worker) and restored when the case reopens.

A mixin of ``CaseDetailScreen`` (it uses the screen's ``editor``, ``service`` and ``case_id``). Writes run in a
worker; only ``flush_draft`` writes on the UI thread, when the editor or the screen goes away and the text would be
lost otherwise.
"""

from __future__ import annotations

import threading

from textual import work
from textual.timer import Timer

from agent_console.domain.cases import CaseError
from agent_console.i18n import N_, _
from agent_console.screens.case_snapshot import DRAFT_KINDS

DRAFT_DELAY_S = 0.7
RESTORED = {"reply": N_("Your unsent reply was restored."), "note": N_("Your unsent note was restored.")}


class CaseDrafts:
    def _init_drafts(self) -> None:
        self._draft_timer: Timer | None = None
        self._draft_lock = threading.Lock()
        self._draft_sequence = 0
        self._saved_sequence = 0
        #: The last text saved (or read) per kind; None until read from the store.
        self._saved_text: dict[str, str] = {}
        self._restored = False

    def _restore_drafts(self, drafts: dict[str, str]) -> None:
        self._restored = True
        self._saved_text = dict(drafts)
        for kind in DRAFT_KINDS:
            if drafts.get(kind):
                self.editor.open(kind, drafts[kind])
                self.notify(_(RESTORED[kind]), title=_("Draft"), markup=False)
                return

    def _draft_changed(self, text: str) -> None:
        if not self.editor.is_open or text == self._saved_text.get(self.editor.mode, ""):
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY_S, self._save_draft_soon)

    def _draft_state(self) -> tuple[str, str, int]:
        with self._draft_lock:
            self._draft_sequence += 1
            return self.editor.mode, self.editor.text_area.text, self._draft_sequence

    def _save_draft_soon(self) -> None:
        self._draft_timer = None
        mode, text, sequence = self._draft_state()
        self._saved_text[mode] = text
        self._save_draft(mode, text, sequence)

    @work(thread=True, group="draft", exit_on_error=False)
    def _save_draft(self, mode: str, text: str, sequence: int) -> None:
        with self._draft_lock:
            if sequence < self._saved_sequence:
                return  # a newer version is already in the store
            self._saved_sequence = sequence
            try:
                self.service.save_draft(self.case_id, text, mode)
            except CaseError as exc:
                self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)

    def _supersede_drafts(self) -> None:
        """A send is under way: no pending or older draft save may land after it."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        with self._draft_lock:
            self._draft_sequence += 1
            self._saved_sequence = self._draft_sequence

    def flush_draft(self) -> None:
        """Write a pending draft now (leaving the editor or the screen, quitting)."""
        if self._draft_timer is None:
            return
        self._draft_timer.stop()
        self._draft_timer = None
        try:
            mode, text, sequence = self._draft_state()
        except Exception:  # the editor is already gone
            return
        self._saved_text[mode] = text
        with self._draft_lock:
            if sequence >= self._saved_sequence:
                self._saved_sequence = sequence
                try:
                    self.service.save_draft(self.case_id, text, mode)
                except CaseError:
                    pass

    @work(thread=True, group="draft-read", exit_on_error=False)
    def _read_draft(self, mode: str) -> None:
        from agent_console.screens.case_snapshot import DraftLoaded

        self.post_message(DraftLoaded(mode, self.service.load_draft(self.case_id, mode)))
