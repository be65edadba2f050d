"""One writer thread per server process applies every ``POST /ops`` batch, committing waiting batches together.

Writers are serialised anyway (one SQLite write lock; a PostgreSQL advisory lock), so letting each request's thread
queue on that lock only adds contenders: dozens of threads fight for the GIL while the lock holder waits for it
between statements, and every batch pays its own commit. Here the event loop hands each validated batch to this
thread and awaits its answer; the thread takes whatever has queued up meanwhile and applies consecutive reply/note/claim
batches in one transaction (:func:`server.fastops.apply_group`: each batch still answers and appears in the feed as if
committed alone), and every other batch alone through the domain services. Should a group fail, each of its batches
is retried in a transaction of its own, so one bad batch fails alone and nothing is written twice.
"""

from __future__ import annotations

import logging

from agent_console.i18n import language_scope
from agent_console.server.group_writer import GroupWriter, settle
from agent_console.server import fastops, schemas
from agent_console.server.auth import Principal
from agent_console.store.server_feed import latest_seq
from agent_console.server.ops import apply_batch

log = logging.getLogger(__name__)

#: At most this many batches, and about this many ops, share one transaction (a full queue drains in several; the
#: ops bound keeps the group's IN lists far below SQLite's 32,766 parameters per statement).
MAX_GROUP = 64
MAX_GROUP_OPS = 2000


class OpsWriter(GroupWriter):
    thread_name = "ops-writer"

    def __init__(self, store, clock, max_group: int = MAX_GROUP) -> None:
        super().__init__(store, clock, max_group)

    async def apply(self, principal: Principal, batch: schemas.OpsBatch) -> tuple[list[dict], int]:
        """The batch's results and the feed's newest sequence number after it (its conflicts and refusals worded in
        the request's language)."""
        return await self._submit(principal, batch)

    def _group_is_full(self, waiting: list) -> bool:
        return super()._group_is_full(waiting) or sum(len(batch.ops) for _p, batch, *_ in waiting) >= MAX_GROUP_OPS

    def _apply(self, waiting: list) -> None:
        run: list = []
        for item in waiting:
            if fastops.handles(item[1]) and (not run or run[-1][4] == item[4]):
                run.append(item)
                continue
            self._apply_fast(run)
            run = []
            if fastops.handles(item[1]):
                run.append(item)
            else:
                self._apply_one(item)
        self._apply_fast(run)

    def _apply_fast(self, run: list) -> None:
        """One group of fast batches, all in one language."""
        if not run:
            return
        with language_scope(run[0][4]):
            self._apply_fast_group(run)

    def _apply_fast_group(self, run: list) -> None:
        try:
            results, last_seq = fastops.apply_group(self.store, self.clock, [(p, b) for p, b, _l, _f, _g in run])
        except Exception:
            if len(run) == 1:
                self._apply_one(run[0], fast=True)
                return
            log.warning("a group of %d op batches failed; applying them one by one", len(run), exc_info=True)
            for item in run:
                self._apply_one(item, fast=True)
            return
        cursor = last_seq if last_seq is not None else self._latest()
        for (_principal, _batch, loop, future, _language), answer in zip(run, results):
            settle(loop, future, (answer, cursor), None)

    def _apply_one(self, item, *, fast: bool = False) -> None:
        with language_scope(item[4]):
            self._apply_one_here(item, fast=fast)

    def _apply_one_here(self, item, *, fast: bool) -> None:
        principal, batch, loop, future, _language = item
        try:
            if fast:
                results, last_seq = fastops.apply_group(self.store, self.clock, [(principal, batch)])
                answer = (results[0], last_seq if last_seq is not None else self._latest())
            else:
                answer = (apply_batch(self.store, self.clock, principal, batch), self._latest())
        except Exception as exc:  # the request answers with it (409, 503 … by the app's handlers)
            settle(loop, future, None, exc)
            return
        settle(loop, future, answer, None)

    def _latest(self) -> int:
        with self.store.read_engine.connect() as conn:
            return latest_seq(conn)
