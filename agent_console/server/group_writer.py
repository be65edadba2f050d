"""One writer thread that serves many requests: each request queues its work and waits for its answer; the thread
takes whatever has queued (up to a bound) and writes it as one group, so many small writes share one transaction.
``writer.OpsWriter`` (op batches) and ``cti_writer.CallEventWriter`` (call events) are the two kinds."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading

from agent_console.i18n import current_language

log = logging.getLogger(__name__)

_STOP = object()


class GroupWriter:
    """Queued items are ``(who, work, loop, future, language)``; a subclass applies a group in ``_apply`` and answers
    each item with ``settle``."""

    #: The writer thread's name (seen in logs and thread dumps).
    thread_name = "group-writer"

    def __init__(self, store, clock, max_group: int) -> None:
        self.store = store
        self.clock = clock
        self.max_group = max_group
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout=30)
            self._thread = None

    async def _submit(self, who, work):
        """Queue ``work`` and wait for its answer. The writer thread serves every request: each item takes its
        request's language along (what the answer words is worded in it)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put((who, work, loop, future, current_language()))
        return await future

    def _group_is_full(self, waiting: list) -> bool:
        return len(waiting) >= self.max_group

    def _apply(self, waiting: list) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            waiting = [item]
            stop = False
            while not self._group_is_full(waiting):
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                waiting.append(item)
            try:
                self._apply(waiting)
            except Exception as exc:  # a defect here must not leave requests waiting forever
                log.exception("the %s failed", self.thread_name)
                for _who, _work, loop, future, _language in waiting:
                    settle(loop, future, None, exc)
            if stop:
                return


def settle(loop: asyncio.AbstractEventLoop, future: asyncio.Future, result, exc: BaseException | None) -> None:
    """Answer a waiting request from the writer thread (nothing when its client went away: the work is done all the
    same; nothing when the loop has closed at shutdown)."""
    def answer() -> None:
        if future.done():
            return
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(result)

    try:
        loop.call_soon_threadsafe(answer)
    except RuntimeError:
        pass
