"""The batched write path of ``POST /ops`` for what a floor of agents sends all day: replies, notes and claims.

A batch made only of such ops is applied with a handful of Core statements in one write transaction, instead of an
ORM unit of work and a savepoint per op (~5–10 ms per op on the server's 2 cores, which saturated it at ~50 requests
per second). It does exactly what the ORM path (:func:`server.ops.apply_batch` through ``CaseService``) does: the same
rows, the same answer per op, the same feed rows byte for byte — tests apply the same ops both ways and compare.
The rules stay in the domain: ``record_reply`` and ``touch`` change the case's plain row values here as they change
the ORM object there, the audit row comes from ``audit_values``, the feed JSON from ``server_feed.row_dict``; a claim
is refused by ``claimed_by_other`` and ``take_case``, the rules ``CaseService.claim`` applies, in its order. The
statements are :mod:`agent_console.store.fast_writes`. Every other batch takes the ORM path. Claims are decided
atomically because every writer holds the write lock (see :mod:`agent_console.store.server_db`) and batches apply in
order.
"""

from __future__ import annotations

from types import SimpleNamespace

import orjson

from agent_console.domain.cases import CaseError, claimed_by_other, record_reply, take_case, touch
from agent_console.domain.recording import audit_detail, audit_values
from agent_console.domain.text import clean_text
from agent_console.i18n import _
from agent_console.server import schemas
from agent_console.server.auth import Principal
from agent_console.server.op_common import (
    applied_op_row,
    case_refusal,
    duplicate_answer,
    foreign_claim_refusal,
    op_fingerprint,
)
from agent_console.store import fast_writes as writes
from agent_console.store import feed_format
from agent_console.store.applied_ops import StoredOp, applied_before
from agent_console.store.mail_replies import MAILED_CHANNELS, queue_reply_mails
from agent_console.store.models import Case, Direction, MailOutbox, Message, SlaEvent, new_uid
from agent_console.store.server_db import ServerStore
from agent_console.store.server_feed import TRACKED, append_change_log, lookup_references, row_dict

#: How many merged cases a message follows to the case its thread is on (as ``case_merge.merged_target``).
_MAX_MERGE_HOPS = 32
_REFS = {cls: feed_format.references(cls.__table__) for cls in (Case, Message, SlaEvent, MailOutbox)}


def handles(batch: schemas.OpsBatch) -> bool:
    """Whether every op of the batch is one this path applies: an agent's reply or note, or a claim."""
    return all(op.kind == "case.claim" or (op.kind == "message.add" and op.payload.message.direction == "out")
               for op in batch.ops)


def _case_uid(op) -> str:
    return op.payload.message.case_uid if op.kind == "message.add" else op.payload.case_uid


def apply_batch_fast(store: ServerStore, clock, principal: Principal, batch: schemas.OpsBatch) -> list[dict]:
    """Apply a batch that :func:`handles`; one result per op, in order, as :func:`server.ops.apply_batch` gives."""
    results, _last_seq = apply_group(store, clock, [(principal, batch)])
    return results[0]


def apply_group(store: ServerStore, clock, batches: list[tuple[Principal, schemas.OpsBatch]]
                ) -> tuple[list[list[dict]], int | None]:
    """Apply several callers' batches (each one :func:`handles`) in ONE write transaction, as if each had its own
    transaction in this order: the same answers, rows and feed rows (a case changed by two batches gets a feed row
    after each). Returns the results of each batch and the feed's newest sequence number (None: nothing written).
    Any error rolls back all of them."""
    with store.write_connection() as conn:
        group = _Group(conn, clock, batches, mail_from=getattr(store, "mail_from", ""))
        results = [group.apply(principal, batch.ops) for principal, batch in batches]
        last_seq = group.write()
    store.announce(last_seq)
    return results, last_seq


class _Group:
    def __init__(self, conn, clock, batches: list[tuple[Principal, schemas.OpsBatch]], *, mail_from: str = "") -> None:
        self.conn = conn
        self.clock = clock
        self.mail_from = mail_from
        self.messages: list[dict] = []
        self.sla_events: list[dict] = []
        # (audit values, index of the message whose id goes into the detail, or None)
        self.audits: list[tuple[dict, int | None]] = []
        self.drafts: set[tuple[int, int, str]] = set()
        self.applied_ops: list[dict] = []
        # Feed rows as the ORM path records them: per batch, each op's new rows, then its case (once per batch).
        self.feed: list[tuple[type, dict]] = []
        #: Replies a console that worked alone mailed itself already (``mailed``): not queued again.
        self.mailed_by_console: set[str] = set()

        self.seen = applied_before(conn, [(principal.agent_id, str(op.op_id))
                                          for principal, batch in batches for op in batch.ops])
        self.actors = {row.id: row for row in writes.actors(
            conn, list({principal.agent_id for principal, _batch in batches}))}
        fresh = [op for principal, batch in batches for op in batch.ops
                 if (principal.agent_id, str(op.op_id)) not in self.seen]
        self.taken = writes.taken_message_uids(conn, [op.payload.message.uid for op in fresh
                                                      if op.kind == "message.add"])
        # The feed names a case's customer and assignee by uid and login: read them with the case.
        self.cases, self.refs = {}, {"cases": {}, "case_queue": {}, "customers": {},
                                     "agents": {actor.id: actor.login for actor in self.actors.values()}}
        self.agent_names = {actor.id: actor.name for actor in self.actors.values()}
        self._read_cases(list({_case_uid(op) for op in fresh}))
        self.original = {uid: dict(vars(case)) for uid, case in self.cases.items()}

    def _read_cases(self, uids: list[str]) -> None:
        """Read the cases with these uids, and the cases any of them was merged into (messages land there)."""
        for _hop in range(_MAX_MERGE_HOPS):
            merged_into = set()
            for row in writes.cases_with_references(self.conn, uids):
                values = row._mapping
                self.cases[row.uid] = SimpleNamespace(**{name: values[name] for name in writes.CASE_COLUMNS})
                self.refs["cases"][row.id] = row.uid
                self.refs["case_queue"][row.id] = row.queue
                self.refs["customers"][row.customer_id] = row.customer_uid
                if row.assignee_id is not None:
                    self.refs["agents"][row.assignee_id] = row.assignee_login
                    self.agent_names[row.assignee_id] = row.assignee_name
                if row.merged_into_id is not None and row.merged_into_id not in self.refs["cases"]:
                    merged_into.add(row.merged_into_id)
            if not merged_into:
                return
            uids = writes.case_uids(self.conn, sorted(merged_into))

    def _thread_case(self, case):
        """Where a message to ``case`` goes: the case, or the one it was merged into (``merged_target``)."""
        for _hop in range(_MAX_MERGE_HOPS):
            if case.merged_into_id is None:
                break
            case = self.cases[self.refs["cases"][case.merged_into_id]]
        return case

    def apply(self, principal: Principal, ops) -> list[dict]:
        """Work out one batch's changes in memory (:meth:`write` writes them all)."""
        self.principal, self.actor = principal, self.actors[principal.agent_id]
        self.changed: dict[tuple[type, str], tuple[type, object]] = {}
        results = []
        for op in ops:
            op_id = str(op.op_id)
            fingerprint = op_fingerprint(op)
            stored = self.seen.get((principal.agent_id, op_id))
            if stored is not None:
                results.append(duplicate_answer(op_id, stored, fingerprint))
                continue
            now = self.clock.now()
            if op.kind == "message.add":
                outcome = self._message_add(op.payload.message, now)
            else:
                outcome = self._case_claim(op.payload, now)
            self.applied_ops.append(applied_op_row(principal, op, fingerprint, outcome, now))
            self.seen[(principal.agent_id, op_id)] = StoredOp(outcome, fingerprint)
            results.append({"op_id": op_id, **outcome})
        # The case as this batch's own commit would have shown it.
        self.feed += [(cls, dict(vars(values)) if cls is Case else values) for cls, values in self.changed.values()]
        return results

    def _message_add(self, m, now) -> dict:
        if m.uid in self.taken:
            return {"status": "rejected", "reason": _("a message with uid {uid} exists already").format(uid=m.uid)}
        case, rejection = self._visible_case(m.case_uid)
        if rejection:
            return rejection
        case = self._thread_case(case)
        body = clean_text(m.body).strip("\n")
        if not body.strip():
            return {"status": "rejected", "reason": _("the message is empty")}
        message = {"uid": m.uid, "case_id": case.id, "direction": Direction.outbound, "channel": case.channel,
                   "author_agent_id": self.actor.id, "author_name": self.actor.name, "body": body,
                   "is_internal": m.is_internal, "created_at": now, "mail_message_id": None}
        events = [] if m.is_internal else [
            {"uid": new_uid(), "case_id": case.id, "at": now, **event} for event in record_reply(case, now)]
        touch(case, now)
        self.taken.add(m.uid)
        self.messages.append(message)
        self.sla_events += events
        self.drafts.add((self.actor.id, case.id, "note" if m.is_internal else "reply"))
        self.audits.append((audit_values(now, self.actor.id, "case.note" if m.is_internal else "case.reply", "case",
                                         case.id), len(self.messages) - 1))
        for cls, values in ((Message, message), *((SlaEvent, event) for event in events)):
            self.changed[(cls, values["uid"])] = (cls, values)
        self.changed.setdefault((Case, case.uid), (Case, case))
        if m.mailed:
            self.mailed_by_console.add(m.uid)
        elif self.mail_from and not m.is_internal and case.channel in MAILED_CHANNELS:
            # The reply's mail row, if write() queues one, takes this place in the feed (where the ORM path's
            # flush puts it); a place left empty is dropped.
            self.changed[(MailOutbox, m.uid)] = (MailOutbox, m.uid)
        return {"status": "applied",
                "result": {"message_uid": m.uid, "case_uid": case.uid, "key": case.key, "version": case.version}}

    def _visible_case(self, uid: str):
        """(case, None), or (None, the rejection) when there is no such case or it is not in the caller's queues."""
        case = self.cases.get(uid)
        refusal = case_refusal(self.principal, uid, case)
        if refusal:
            return None, {"status": "rejected", "reason": refusal}
        return case, None

    def _case_claim(self, p, now) -> dict:
        refusal = foreign_claim_refusal(self.principal, p.agent_login)
        if refusal:
            return {"status": "rejected", "reason": refusal}
        case, rejection = self._visible_case(p.case_uid)
        if rejection:
            return rejection
        held = claimed_by_other(case, self.actor, self.agent_names.get)
        if held:
            return {"status": "conflict", "reason": held,
                    "current": orjson.loads(orjson.dumps(row_dict(Case, vars(case).__getitem__, self.refs))),
                    "result": None}
        try:
            claimed = take_case(case, self.actor, now, self.agent_names.get)
        except CaseError as refused:
            return {"status": "rejected", "reason": str(refused)}
        if claimed:
            self.audits.append((audit_values(now, self.actor.id, "case.claim", "case", case.id,
                                             agent=self.actor.login), None))
            self.changed.setdefault((Case, case.uid), (Case, case))
        return {"status": "applied", "result": {"case_uid": case.uid, "key": case.key, "version": case.version}}

    def write(self) -> int | None:
        conn = self.conn
        ids = []
        if self.messages:
            ids = writes.insert_messages(conn, self.messages)
            for message, message_id in zip(self.messages, ids):
                message["id"] = message_id
            if self.mail_from:
                to_mail = [message for message in self.messages if message["uid"] not in self.mailed_by_console]
                queued = queue_reply_mails(conn, to_mail, mail_from=self.mail_from, now=self.clock.now())
                self._place_mail_rows(queued)
            if self.sla_events:
                writes.insert_sla_events(conn, self.sla_events)
            writes.delete_drafts(conn, sorted(self.drafts))
        for uid, case in self.cases.items():
            before = self.original[uid]
            changes = {name: value for name, value in vars(case).items() if before[name] != value}
            if changes:
                writes.update_case(conn, case.id, changes)
        if self.audits:
            writes.insert_audit_events(conn, [
                values if index is None else {**values, "detail": audit_detail(message_id=ids[index])}
                for values, index in self.audits])
        if self.applied_ops:
            writes.insert_applied_ops(conn, self.applied_ops)
        rows = self._feed_rows()
        return append_change_log(conn, conn.dialect.name, rows, self.clock) if rows else None

    def _place_mail_rows(self, queued: list[dict]) -> None:
        """Put the queued mail rows in the feed in the places their messages' ops kept for them."""
        message_uids = {message["id"]: message["uid"] for message in self.messages}
        by_message_uid = {message_uids[row["message_id"]]: row for row in queued}
        self.feed = [(cls, by_message_uid[values]) if cls is MailOutbox else (cls, values)
                     for cls, values in self.feed if cls is not MailOutbox or values in by_message_uid]

    def _feed_rows(self) -> list[tuple[str, str, str, str | None]]:
        """(entity, uid, JSON, queue) as ``server_feed.serialise_changes`` makes them for the same entities."""
        refs, missing = self.refs, {}
        for cls, values in self.feed:
            for ref in _REFS[cls]:
                value = values[ref.column]
                if value is not None and value not in refs.get(ref.target, {}):
                    missing.setdefault(ref.target, set()).add(value)
        if missing:  # nothing the reads above left out, unless the schema gains references
            found = lookup_references(self.conn, missing)
            refs = {target: {**refs.get(target, {}), **found.get(target, {})} for target in {*refs, *found}}
        case_queues = refs.get("case_queue", {})
        return [(TRACKED[cls], values["uid"], orjson.dumps(row_dict(cls, values.__getitem__, refs)).decode(),
                 values["queue"] if cls is Case else case_queues.get(values["case_id"]))
                for cls, values in self.feed]
