"""The sync engine: push the outbox, pull the change feed, follow the event stream, survive being offline.

One round (:meth:`SyncEngine.sync_once`) pushes every pending outbox op in order (batches of at most
``batch_size``; the server applies each op once, by op id, so a batch re-sent after a lost answer is harmless), then
pulls the feed from the stored cursor, page by page, until ``has_more`` is false. Each page is applied and the cursor
stored in the same transaction, so a pull cut off anywhere resumes where it stopped.

:meth:`SyncEngine.run` repeats rounds in a background thread: at once when the outbox has something new or the
server's event stream says the feed advanced, otherwise every ``idle_pull_seconds``. When the server cannot be reached
it waits with exponential backoff and jitter, and the status says ``offline`` with the number of ops waiting.

What the server refuses is never lost: a lost claim or a stale field edit (``conflict``) makes the local case take the
server's state; a reply or note the server rejected is moved back into the agent's draft; each such op stays in the
outbox with its status and reason, and :func:`notices` lists them for the console.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from agent_console.store import outbox
from agent_console.store.mail_outbox import sent_message_uids
from agent_console.store.replica_db import (
    adopt_server_customer,
    bulk_pull_transaction,
    drop_cases_outside,
    free_case_keys,
    pull_transaction,
    raw_cursor,
    set_case_key,
    write_state_on,
)
from agent_console.store.sync_state import (
    back_to_draft,
    case_key,
    local_case_ids,
    read_state,
    stored_cursor,
    write_state,
)
from agent_console.sync.client import AuthError, BatchInvalid, Forbidden, Offline, SyncClient, SyncError
from agent_console.sync.fetcher import PageFetcher
from agent_console.sync.replica import ApplyReport, apply_case_state, apply_changes_with
from agent_console.sync.state import (
    FIRST_SYNC,
    Notice,
    SyncReport,
    SyncStatus,
    backoff_delay,
    case_uid_of,
    notices,
    refusal_reason,
)

#: Names the console and the CLI import from here (they live in the modules above).
__all__ = ["FIRST_SYNC", "Notice", "SyncEngine", "SyncReport", "SyncStatus", "engine_for_store", "local_case_ids",
           "notices", "read_state", "stored_cursor", "write_state"]

log = logging.getLogger(__name__)

#: Kinds of op that carry the case version the console saw.
VERSIONED = ("case.update", "case.claim")


# --- the engine ---------------------------------------------------------------------------------------------------


class SyncEngine:
    def __init__(self, store, client: SyncClient, clock, *, login: str | None = None, batch_size: int = 500,
                 page_size: int = 5000, bulk_pages: int = 100, poll_seconds: float = 0.25, idle_pull_seconds: float = 30.0,
                 on_status: Callable[[SyncStatus], None] | None = None,
                 on_changes: Callable[[ApplyReport], None] | None = None,
                 on_notice: Callable[[Notice], None] | None = None, queues: list[str] | None = None,
                 on_presence: Callable | None = None) -> None:
        self.store = store
        #: The queues the agent is limited to (None: every queue); cases moved elsewhere are removed locally.
        self.visible_queues = frozenset(queues) if queues else None
        self.client = client
        self.clock = clock
        self.login = login
        self.batch_size = batch_size
        self.page_size = page_size
        self.bulk_pages = bulk_pages
        self.poll_seconds = poll_seconds
        self.idle_pull_seconds = idle_pull_seconds
        self.on_status = on_status
        self.on_changes = on_changes
        self.on_notice = on_notice
        #: Colleagues' presence on cases from the event stream (``sync.client.Presence``), in the events thread.
        self.on_presence = on_presence
        self.status = SyncStatus("syncing", outbox.pending_count(store), read_state(store, "last_error"),
                                 stored_cursor(store))
        #: The newest server version seen per case uid (results, conflicts, pulls).
        self._server_versions: dict[str, int] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._events_client: SyncClient | None = None
        self._lock = threading.Lock()  # one round at a time

    # --- one round -------------------------------------------------------------------------------------------------

    def sync_once(self, *, max_pages: int | None = None) -> SyncReport:
        with self._lock:
            report = SyncReport()
            self.push(report)
            self.pull(report, max_pages=max_pages)
            with self.store.transaction() as session:
                if self.visible_queues is not None:
                    self._drop_cases_outside(session, report)
                write_state(session, "last_sync_at", self.clock.now().isoformat())
                write_state(session, "last_error", "")
            return report

    def _drop_cases_outside(self, session, report: SyncReport) -> None:
        """Cases of other queues kept for the agent's unsent work go once that work is sent, refused or discarded."""
        with raw_cursor(session) as cursor:
            dropped = drop_cases_outside(cursor, self.visible_queues)
        report.pulled.dropped_case_uids.update(dropped)
        report.pulled.case_uids.update(dropped)

    def push(self, report: SyncReport | None = None) -> SyncReport:
        report = report or SyncReport()
        while True:
            batch = self._next_batch()
            if not batch:
                return report
            try:
                answer = self.client.push(self._wire(batch))
            except BatchInvalid as exc:
                if len(batch) == 1:
                    # The server refuses the op itself (it cannot be valid, ever): record it, keep its text.
                    self._record_results(batch, [{"op_id": batch[0].op_id, "status": "rejected",
                                                  "reason": refusal_reason(exc.detail)}], report)
                    continue
                # One bad op must not hold back the rest: send them one by one to find it.
                self._push_singly(batch, report)
                continue
            except SyncError as exc:
                outbox.record_attempt_failed(self.store, batch, str(exc))
                raise
            self._record_results(batch, answer["results"], report)
            report.pushed += len(batch)

    def _push_singly(self, batch, report: SyncReport) -> None:
        for op in batch:
            try:
                answer = self.client.push(self._wire([op]))
                results = answer["results"]
            except BatchInvalid as exc:
                results = [{"op_id": op.op_id, "status": "rejected", "reason": refusal_reason(exc.detail)}]
            self._record_results([op], results, report)
            report.pushed += 1

    def _wire(self, batch) -> list[dict]:
        """The ops as sent. A reply this store mailed itself while it worked alone says so (``mailed``): the server
        does not mail it a second time. One it only queued is mailed by the server (this store sends no mail once it
        syncs), under the same Message-ID when both use the same ``mail_from``."""
        wires = [op.wire() for op in batch]
        replies = [wire["payload"]["message"] for wire in wires if wire["kind"] == "message.add"]
        if replies:
            with self.store.session() as session:
                mailed = sent_message_uids(session, [message["uid"] for message in replies])
            for message in replies:
                if message["uid"] in mailed:
                    message["mailed"] = True
        return wires

    def _next_batch(self) -> list[outbox.PendingOp]:
        """Pending ops in order. A case's second versioned op waits for the next batch: by then the first one's
        answer tells which server version the console's edit really followed (it may have lost a race)."""
        batch = []
        versioned: set[str] = set()
        for op in outbox.pending(self.store, self.batch_size):
            if op.kind in VERSIONED:
                uid = op.payload.get("case_uid")
                if uid in versioned:
                    break
                versioned.add(uid)
                base = op.payload.get("base_version")
                known = self._server_versions.get(uid)
                if base is not None and known is not None and base > known:
                    # The console counted versions the server never had (an earlier op of ours that was refused).
                    op.payload["base_version"] = known
            batch.append(op)
        return batch

    def _record_results(self, batch, results: list[dict], report: SyncReport) -> None:
        by_id = {r["op_id"]: r for r in results}
        now = self.clock.now()
        refetch: list[str] = []
        new_notices: list[tuple[outbox.PendingOp, str, str, bool]] = []
        with self.store.transaction() as session:
            answered = []
            for op in batch:
                result = by_id.get(op.op_id)
                if result is None:
                    continue
                status = result["status"]
                if status == "duplicate" and result.get("same_op") is False:
                    # The op id was spent on another op: this one was never applied, so it must not count as sent.
                    status = "rejected"
                    result = by_id[op.op_id] = {**result, "result": None, "current": None}
                elif status == "duplicate":
                    status = result.get("original_status") or "applied"
                answered.append((op, status, result.get("reason")))
            outbox.record_results(session, answered, now)
            for op, status, reason in answered:
                result = by_id[op.op_id]
                self._note_version(result.get("result"))
                self._note_version(result.get("current"))
                if status == "applied":
                    report.applied += 1
                    self._after_applied(session, op, result.get("result") or {})
                    continue
                draft_saved = False
                current = result.get("current")
                if isinstance(current, dict) and "subject" in current and "key" in current:
                    # The server's word on the case replaces what this console thought.
                    report.pulled.merge(apply_case_state(session, current))
                elif status == "rejected" and op.kind != "case.create":
                    case_uid = case_uid_of(op.kind, op.payload)
                    if case_uid:
                        refetch.append(case_uid)
                if op.kind == "message.add" and op.payload.get("message", {}).get("direction") == "out":
                    draft_saved = self._back_to_draft(session, op.payload["message"], now)
                new_notices.append((op, status, reason or status, draft_saved))
        for case_uid in dict.fromkeys(refetch):
            self._refetch_case(case_uid, report)
        for op, status, reason, draft_saved in new_notices:
            case_uid = case_uid_of(op.kind, op.payload)
            with self.store.session() as session:
                key = case_key(session, case_uid)
            notice = Notice(op.id, op.op_id, op.kind, status, reason, case_uid, key, now, draft_saved)
            report.notices.append(notice)
            if self.on_notice:
                self.on_notice(notice)

    def _note_version(self, data) -> None:
        if isinstance(data, dict) and isinstance(data.get("version"), int):
            uid = data.get("case_uid") or (data.get("uid") if "subject" in data else None)
            if uid:
                self._server_versions[uid] = max(self._server_versions.get(uid, 0), data["version"])

    def _after_applied(self, session, op, result: dict) -> None:
        if op.kind != "case.create":
            return
        case_uid = op.payload["case"]["uid"]
        with raw_cursor(session) as cursor:
            key = result.get("key")
            if key:
                free_case_keys(cursor, [(key, case_uid)])
                set_case_key(cursor, case_uid, key)
            server_customer = result.get("customer_uid")
            local_customer = op.payload.get("customer", {}).get("uid")
            if server_customer and local_customer and server_customer != local_customer:
                # The server knew this customer by their contact already: the case belongs to that record.
                adopt_server_customer(cursor, case_uid, server_customer, local_customer)

    def _back_to_draft(self, session, message: dict, now: datetime) -> bool:
        """A reply or note the server refused leaves the thread (the team never got it) and goes back into the
        author's draft, added to whatever the draft holds."""
        return back_to_draft(session, message, message.get("author_login") or self.login, now)

    def _refetch_case(self, case_uid: str, report: SyncReport) -> None:
        try:
            detail = self.client.case(case_uid)
        except BatchInvalid:
            return  # not on the server (or not visible to this agent): the local case stays as it is
        with self.store.transaction() as session:
            report.pulled.merge(apply_case_state(session, detail["case"], detail.get("customer")))
        self._note_version(detail["case"])

    def pull(self, report: SyncReport | None = None, *, max_pages: int | None = None) -> SyncReport:
        """Pull the feed from the stored cursor until ``has_more`` is false (or ``max_pages`` pages).

        The next page is fetched while the current one is applied. Each transaction stores the cursor it reached,
        so an interrupted pull resumes there. A long feed ahead (a full first page with more to come) is applied
        ``bulk_pages`` pages per transaction with bulk-load settings (:func:`store.replica_db.bulk_pull_transaction`);
        a console's first sync (from cursor 0, until it has reached the end once) also sets the big tables' secondary
        indexes aside and rebuilds them at the end of each transaction."""
        report = report or SyncReport()
        cursor = stored_cursor(self.store)
        pages = PageFetcher(self.client, cursor, self.page_size, max_pages)
        frozen = False
        try:
            page = pages.next()
            if page is None:
                return report
            bulk = self.bulk_pages > 1 and page.has_more and len(page.changes) >= self.page_size
            resuming_first_sync = cursor == 0 or read_state(self.store, FIRST_SYNC) == "1"
            first_sync = bulk and resuming_first_sync
            if bulk:
                # A long pull makes millions of short-lived objects, and each full collection they trigger would
                # walk the whole heap (the app's and the libraries' objects); frozen objects are left out of it.
                gc.freeze()
                frozen = True
            per_transaction = self.bulk_pages if bulk else 1
            failure: Exception | None = None
            while page is not None:
                with bulk_pull_transaction(self.store, first_sync) if bulk else pull_transaction(self.store) as db:
                    taken = 0
                    while True:
                        applied = apply_changes_with(db, page.changes, self.visible_queues)
                        report.pulled.merge(applied)
                        self._note_versions(applied.case_versions)
                        cursor = page.next_cursor
                        more = page.has_more
                        report.pages += 1
                        taken += 1
                        if not more or taken >= per_transaction:
                            break
                        try:
                            page = pages.next()
                        except Exception as exc:  # noqa: BLE001 - keep what was applied, then report it
                            failure, page = exc, None
                        if page is None:  # max_pages reached, or the fetch failed
                            break
                    write_state_on(db, "cursor", str(cursor))
                    if resuming_first_sync:
                        write_state_on(db, FIRST_SYNC, "1" if more else "")
                self.status.cursor = cursor
                if failure is not None:
                    raise failure
                if first_sync:
                    # Each first-sync transaction ends by rebuilding the indexes over every row so far: doubling
                    # the transactions keeps the rebuilds' total within twice the last one.
                    per_transaction *= 2
                # The next transaction's first page is waited for outside this one (no write lock held meanwhile).
                page = pages.next() if page is not None and more else None
        finally:
            if frozen:
                gc.unfreeze()
            pages.close()
        report.cursor = cursor
        if report.pulled.changes and self.on_changes:
            self.on_changes(report.pulled)
        return report

    def _note_versions(self, versions: dict[str, int]) -> None:
        known = self._server_versions
        for uid, version in versions.items():
            if version > known.get(uid, 0):
                known[uid] = version

    # --- the background loop ---------------------------------------------------------------------------------------

    def start(self) -> None:
        """Run rounds and follow the event stream in daemon threads until :meth:`stop`."""
        self._stop.clear()
        self._threads = [threading.Thread(target=self.run, name="sync-engine", daemon=True),
                         threading.Thread(target=self._follow_events, name="sync-events", daemon=True)]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        events_client = self._events_client
        if events_client is not None:
            try:
                events_client.close()
            except Exception:  # noqa: BLE001 - closing a stream another thread reads may complain; it ends anyway
                pass
        for thread in self._threads:
            if thread is not threading.current_thread():
                # The event thread may sit in a blocking read until the next heartbeat; it is a daemon and
                # ends by itself, so only the round thread is waited for.
                thread.join(timeout if thread.name == "sync-engine" else 0.2)

    def nudge(self) -> None:
        """Something changed locally (or the user asked): sync now."""
        self._wake.set()

    def run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            self._wake.clear()
            self._set_status("syncing")
            try:
                self.sync_once()
            except Offline as exc:
                failures += 1
                self._failed("offline", str(exc))
                self._wait(backoff_delay(failures), wake_on_local=False)
                continue
            except (AuthError, Forbidden) as exc:
                failures += 1
                self._failed("logged_out", str(exc))
                self._wait(60.0, wake_on_local=False)
                continue
            except Exception as exc:  # noqa: BLE001 - the loop must outlive one bad round; the status says why
                failures += 1
                log.exception("sync round failed")
                self._failed("offline", f"{exc.__class__.__name__}: {exc}")
                self._wait(backoff_delay(failures), wake_on_local=False)
                continue
            failures = 0
            self._set_status("online", last_error="")
            self._wait(self.idle_pull_seconds, wake_on_local=True)

    def _failed(self, state: str, error: str) -> None:
        try:
            with self.store.transaction() as session:
                write_state(session, "last_error", error[:500])
        except Exception:  # noqa: BLE001 - a busy store must not stop the loop
            pass
        self._set_status(state, last_error=error)

    def _wait(self, seconds: float, *, wake_on_local: bool) -> None:
        """Sleep up to ``seconds``; end early on stop, on a wake-up (event stream, nudge) and, when
        ``wake_on_local``, as soon as the outbox has something to push. Keeps the pending count current."""
        deadline = time.monotonic() + seconds
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if self._wake.wait(min(self.poll_seconds, left)):
                return  # the event stream is back, or the agent asked: try now
            try:
                pending = outbox.pending_count(self.store)
            except Exception:  # noqa: BLE001
                continue
            if pending != self.status.pending:
                self.status.pending = pending
                self._emit()
            if wake_on_local and pending:
                return

    def _follow_events(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._events_client = SyncClient(self.client.server_url, self.client.token)
                for cursor in self._events_client.events(on_presence=self.on_presence):
                    failures = 0
                    if self._stop.is_set():
                        return
                    if cursor > self.status.cursor:
                        self._wake.set()
            except AuthError:
                self._stop.wait(60.0)
            except Exception:  # noqa: BLE001 - offline, closed by stop(), a broken stream: retry with backoff
                failures += 1
                self._stop.wait(backoff_delay(failures))
            finally:
                client, self._events_client = self._events_client, None
                if client is not None:
                    client.close()

    def _set_status(self, state: str, *, last_error: str | None = None) -> None:
        self.status.state = state
        if last_error is not None:
            self.status.last_error = last_error
        try:
            self.status.pending = outbox.pending_count(self.store)
        except Exception:  # noqa: BLE001
            pass
        self._emit()

    def _emit(self) -> None:
        if self.on_status:
            try:
                self.on_status(SyncStatus(self.status.state, self.status.pending, self.status.last_error,
                                          self.status.cursor))
            except Exception:  # noqa: BLE001 - a failing listener must not stop syncing
                log.exception("sync status listener failed")


def engine_for_store(store, clock, **kwargs) -> SyncEngine | None:
    """The engine for a logged-in store (None when it is not logged in)."""
    from agent_console.sync import credentials

    creds = credentials.load(store.path)
    if creds is None:
        return None
    return SyncEngine(store, SyncClient(creds.server, creds.token), clock, login=creds.login,
                      queues=creds.visible_queues(), **kwargs)
