"""The batched Core write path of POST /ops (server.fastops) against the ORM path through the domain services.

Two fresh databases get the same setup and then the same batches — one database through the fast path, the other
through ``ops.apply_batch`` — and must end up with the same answers, the same rows and the same change feed, byte for
byte. SLA events get random uids on both paths; they are compared by their row id instead.
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timezone

import httpx
from orjson import loads as orjson_loads
import pytest
from sqlalchemy import select

from agent_console.domain.cases import CaseService
from agent_console.domain.clock import FrozenClock, SystemClock
from agent_console.server import fastops, schemas
from agent_console.server.auth import principal_for
from agent_console.server.db import open_server_store
from agent_console.server.ops import apply_batch
from agent_console.store.models import (
    Agent,
    AppliedOp,
    AuditEvent,
    Case,
    ChangeLogEntry,
    Draft,
    Message,
    SlaEvent,
)
from tests.server.conftest import new_case_op, prepare_database

#: Tables the fast path writes, by the column that orders them.
COMPARED = {Case: "id", Message: "id", SlaEvent: "id", AuditEvent: "id", AppliedOp: "fingerprint", Draft: "id",
            ChangeLogEntry: "seq"}


def message_op(case_uid: str, body: str, *, internal: bool = False, message_uid: str | None = None,
               direction: str = "out") -> dict:
    return {"op_id": str(uuid.uuid4()), "kind": "message.add", "payload": {"message": {
        "uid": message_uid or str(uuid.uuid4()), "case_uid": case_uid, "direction": direction, "body": body,
        "is_internal": internal}}}


class Twins:
    """Two databases fed the same ops: ``fast`` through server.fastops, ``orm`` through the domain services."""

    def __init__(self, databases, backend: str) -> None:
        self.clock = FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))
        self.stores, self.principals, self.start = [], [], []
        for _ in range(2):
            url = databases.new(backend)
            tokens = prepare_database(url)
            store = open_server_store(url, clock=self.clock)
            with store.engine.connect() as conn:
                self.principals.append({login: principal_for(conn, token, SystemClock().now())
                                        for login, token in tokens.items()})
                # Accounts were made with the real clock: compare only what comes after them.
                self.start.append({model: conn.execute(select(getattr(model.__table__.c, key))
                                                       .order_by(getattr(model.__table__.c, key).desc())).scalar()
                                   for model, key in COMPARED.items()})
            self.stores.append(store)
        assert self.start[0] == self.start[1]

    def orm(self, login: str, *ops: dict) -> list[dict]:
        """The same batch through the ORM path on both databases (setup, and ops the fast path leaves alone)."""
        batch = schemas.OpsBatch.model_validate({"ops": list(ops)})
        results = [apply_batch(store, self.clock, principals[login], batch)
                   for store, principals in zip(self.stores, self.principals)]
        assert results[0] == results[1]
        return results[0]

    def both_ways(self, login: str, *ops: dict) -> list[dict]:
        batch = schemas.OpsBatch.model_validate({"ops": list(ops)})
        assert fastops.handles(batch)
        fast = fastops.apply_batch_fast(self.stores[0], self.clock, self.principals[0][login], batch)
        orm = apply_batch(self.stores[1], self.clock, self.principals[1][login], batch)
        assert fast == orm
        return fast

    def grouped_both_ways(self, *batches: tuple[str, list[dict]]) -> list[list[dict]]:
        """Several callers' batches in one transaction of the fast path, one transaction each on the ORM path."""
        validated = [(login, schemas.OpsBatch.model_validate({"ops": ops})) for login, ops in batches]
        fast, _cursor = fastops.apply_group(self.stores[0], self.clock,
                                            [(self.principals[0][login], batch) for login, batch in validated])
        orm = [apply_batch(self.stores[1], self.clock, self.principals[1][login], batch)
               for login, batch in validated]
        assert fast == orm
        return fast

    def rows(self, index: int) -> dict:
        store, start = self.stores[index], self.start[index]
        found = {}
        with store.engine.connect() as conn:
            for model, key in COMPARED.items():
                column = getattr(model.__table__.c, key)
                query = select(model.__table__).order_by(column)
                if start[model] is not None:
                    query = query.where(column > start[model])
                found[model.__tablename__] = [dict(row._mapping) for row in conn.execute(query)]
            sla_names = {row["uid"]: f"sla-event-{row['id']}" for row in found["sla_events"]}
        for row in found["sla_events"]:
            row["uid"] = sla_names[row["uid"]]
        for row in found["change_log"]:
            for uid, name in sla_names.items():
                row["uid"] = row["uid"].replace(uid, name)
                row["data"] = row["data"].replace(uid, name)
        return found

    def assert_same_rows(self) -> dict:
        """Both databases hold the same rows (the first difference is named); returns them."""
        fast, orm = self.rows(0), self.rows(1)
        for table in fast:
            assert len(fast[table]) == len(orm[table]), table
            for fast_row, orm_row in zip(fast[table], orm[table]):
                assert fast_row == orm_row, table
        return fast

    def close(self) -> None:
        for store in self.stores:
            store.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def twins(request, databases):
    twins = Twins(databases, request.param)
    yield twins
    twins.close()


def test_replies_and_notes_write_what_the_domain_services_write(twins):
    general, billing, claimed = (new_case_op("General"), new_case_op("Billing", channel="chat", priority="high"),
                                 new_case_op("General", channel="phone"))
    twins.orm("sue", general, billing, claimed)
    a, b, c = (op["payload"]["case"]["uid"] for op in (general, billing, claimed))
    twins.orm("racer2", {"op_id": str(uuid.uuid4()), "kind": "case.claim", "payload": {"case_uid": c}})
    for store in twins.stores:
        with store.session() as session:
            racer1 = session.scalars(select(Agent).where(Agent.login == "racer1")).one()
            case_a = session.scalars(select(Case).where(Case.uid == a)).one()
        CaseService(store, twins.clock, racer1).save_draft(case_a.id, "half-written reply", kind="reply")
        CaseService(store, twins.clock, racer1).save_draft(case_a.id, "half-written note", kind="note")

    twins.clock.advance(minutes=5)
    first = [message_op(a, "We are on it."), message_op(a, "customer is \x1b[31mangry\x1b[0m", internal=True),
             message_op(b, "internal only", internal=True), message_op(c, "Hello from another agent")]
    results = twins.both_ways("racer1", *first)
    assert [r["status"] for r in results] == ["applied"] * 4
    assert [r["result"]["version"] for r in results[:2]] == [2, 3]

    assert {r["status"] for r in twins.both_ways("racer1", *first)} == {"duplicate"}

    twins.clock.advance(minutes=1)
    reused = str(uuid.uuid4())
    results = twins.both_ways(
        "anna",
        message_op(a, "not my queue"),
        message_op(b, "billing is mine"),
        message_op(b, "\x1b[2J\n\n"),
        message_op(str(uuid.uuid4()), "no such case"),
        message_op(b, "uid taken", message_uid=first[0]["payload"]["message"]["uid"]),
        message_op(b, "first with this uid", message_uid=reused),
        message_op(b, "second with this uid", message_uid=reused),
    )
    assert [r["status"] for r in results] == ["rejected", "applied", "rejected", "rejected", "rejected",
                                              "applied", "rejected"]
    assert "not one of yours" in results[0]["reason"] and "empty" in results[2]["reason"]

    # Nothing applied at all: only the op ids are remembered.
    assert twins.both_ways("anna", message_op(a, "still not mine"))[0]["status"] == "rejected"

    # Late first replies breach; the customer writes again (the ORM path), the next reply answers the update clock.
    twins.clock.advance(days=3)
    twins.both_ways("racer1", message_op(b, "Sorry for the wait"), message_op(c, "Anything else?"))
    twins.orm("sue", message_op(a, "Any news?", direction="in"))
    twins.clock.advance(minutes=10)
    twins.both_ways("racer3", message_op(a, "Yes: fixed."), message_op(a, "told them", internal=True))
    twins.orm("sue", message_op(a, "Thanks, but again?", direction="in"))
    twins.clock.advance(days=2)
    twins.both_ways("racer3", message_op(a, "Fixed for good."))

    # Batches of several callers committed together: each still reads as its own transaction.
    twins.clock.advance(minutes=1)
    again = message_op(b, "sent twice, in two batches")
    grouped = twins.grouped_both_ways(
        ("racer1", [message_op(a, "group one"), again]),
        ("anna", [message_op(a, "not hers"), message_op(b, "hers", internal=True)]),
        ("racer1", [message_op(a, "group three", internal=True), again]),
        # Another author's op under the same op id is an op of its own.
        ("racer2", [dict(message_op(a, "racer2's own"), op_id=again["op_id"])]),
    )
    assert [[r["status"] for r in results] for results in grouped] == [
        ["applied", "applied"], ["rejected", "applied"], ["applied", "duplicate"], ["applied"]]

    fast = twins.assert_same_rows()
    # The comparison covered every kind of change the path makes.
    events = {(row["target"], row["event"]) for row in fast["sla_events"]}
    assert {("first_response", "met"), ("first_response", "breached"), ("next_update", "met"),
            ("next_update", "breached")} <= events
    assert {row["entity"] for row in fast["change_log"]} >= {"case", "message", "sla_event"}
    assert any(row["action"] == "case.note" for row in fast["audit_events"])
    assert fast["drafts"] == [] and len(fast["applied_ops"]) == 29


def claim_op(case_uid: str, agent_login: str | None = None) -> dict:
    payload = {"case_uid": case_uid, **({"agent_login": agent_login} if agent_login else {})}
    return {"op_id": str(uuid.uuid4()), "kind": "case.claim", "payload": payload}


def test_claims_are_decided_as_the_domain_service_decides(twins):
    free, billing, done, raced = (new_case_op("General"), new_case_op("Billing"), new_case_op("General"),
                                  new_case_op("General", channel="chat"))
    twins.orm("sue", free, billing, done, raced)
    f, b, d, r = (op["payload"]["case"]["uid"] for op in (free, billing, done, raced))
    twins.orm("sue", {"op_id": str(uuid.uuid4()), "kind": "escalation.create", "payload": {"escalation": {
        "uid": str(uuid.uuid4()), "case_uid": b, "to_tier": 2, "reason": "needs billing specialists"},
        "follow_up": {"uid": str(uuid.uuid4()), "due_at": "2026-11-24T09:00:00+00:00"}}})
    twins.orm("racer5", claim_op(d))
    twins.orm("racer5", {"op_id": str(uuid.uuid4()), "kind": "case.update",
                         "payload": {"case_uid": d, "base_version": 2, "changes": {"status": "resolved"}}})

    twins.clock.advance(minutes=3)
    claimed = twins.both_ways("racer1", claim_op(f, "racer1"), message_op(f, "Mine now"))
    assert [r["status"] for r in claimed] == ["applied", "applied"]
    again = twins.both_ways("racer1", claim_op(f))
    assert again[0]["status"] == "applied" and again[0]["result"]["version"] == claimed[1]["result"]["version"]
    taken = twins.both_ways("racer2", claim_op(f))[0]
    assert taken["status"] == "conflict" and "already claimed by Racer 1" in taken["reason"]
    assert taken["current"]["assignee_login"] == "racer1"
    refused = twins.both_ways("anna", claim_op(b), claim_op(f), claim_op(b, "ben"), claim_op(str(uuid.uuid4())))
    assert [r["status"] for r in refused] == ["rejected"] * 4
    assert "needs tier 2" in refused[0]["reason"] and "not one of yours" in refused[1]["reason"]
    assert "reopen it" in twins.both_ways("racer5", claim_op(d))[0]["reason"]
    # Two agents claim one case in the same group: the first wins, the second hears who has it.
    twins.clock.advance(seconds=5)
    race = twins.grouped_both_ways(("racer3", [claim_op(r)]), ("racer4", [claim_op(r), message_op(r, "too late?")]))
    assert [[x["status"] for x in results] for results in race] == [["applied"], ["conflict", "applied"]]
    assert "already claimed by Racer 3" in race[1][0]["reason"]

    fast = twins.assert_same_rows()
    assert [row["action"] for row in fast["audit_events"]].count("case.claim") == 3
    # Created, then claimed and answered in one batch; claiming it again changed nothing and wrote nothing.
    assert sum(1 for row in fast["change_log"] if row["entity"] == "case" and row["uid"] == f) == 2


def test_only_replies_notes_and_claims_take_the_fast_path():
    def batch(*ops):
        return schemas.OpsBatch.model_validate({"ops": list(ops)})

    case_uid = str(uuid.uuid4())
    assert fastops.handles(batch(message_op(case_uid, "a"), message_op(case_uid, "b", internal=True)))
    assert not fastops.handles(batch(message_op(case_uid, "customer writes", direction="in")))
    assert fastops.handles(batch(message_op(case_uid, "a"), claim_op(case_uid)))
    assert not fastops.handles(batch(message_op(case_uid, "a"),
                                     {"op_id": str(uuid.uuid4()), "kind": "case.release",
                                      "payload": {"case_uid": case_uid}}))


def test_one_reply_sent_by_many_clients_at_once_is_applied_once(live):
    created = new_case_op("General")
    answer = live.ops("sue", created).json()
    assert answer["results"][0]["status"] == "applied"
    case_uid = created["payload"]["case"]["uid"]
    reply = message_op(case_uid, "Only once, please")
    barrier = threading.Barrier(8)
    answers = []

    def send(login: str) -> None:
        with live.client(login) as client:
            barrier.wait()
            answers.append(client.post("/api/v1/ops", json={"ops": [reply]}))

    # One agent's op sent by eight clients at once (op ids are scoped to their author).
    threads = [threading.Thread(target=send, args=("racer0",)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(answer.json()["results"][0]["status"] for answer in answers)
    assert statuses == ["applied"] + ["duplicate"] * 7
    with live.client("sue") as client:
        page = client.get("/api/v1/changes", params={"cursor": answer["cursor"], "limit": 5000}).json()
    messages = [c for c in page["changes"] if c["entity"] == "message" and c["data"]["case_uid"] == case_uid]
    assert [m["data"]["body"] for m in messages] == ["Only once, please"]


def test_a_reply_racing_a_claim_keeps_both_and_one_claim_wins(live):
    created = new_case_op("General")
    cursor = live.ops("sue", created).json()["cursor"]
    case_uid = created["payload"]["case"]["uid"]
    barrier = threading.Barrier(6)
    answers: dict[str, httpx.Response] = {}

    def claim(login: str) -> None:
        with live.client(login) as client:
            barrier.wait()
            answers[login] = client.post("/api/v1/ops", json={"ops": [
                {"op_id": str(uuid.uuid4()), "kind": "case.claim", "payload": {"case_uid": case_uid}}]})

    def reply(login: str) -> None:
        with live.client(login) as client:
            barrier.wait()
            answers[login] = client.post("/api/v1/ops", json={"ops": [message_op(case_uid, f"from {login}")]})

    threads = ([threading.Thread(target=claim, args=(f"racer{i}",)) for i in range(3)]
               + [threading.Thread(target=reply, args=(f"racer{i}",)) for i in range(3, 6)])
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claims = sorted(answers[f"racer{i}"].json()["results"][0]["status"] for i in range(3))
    replies = [answers[f"racer{i}"].json()["results"][0] for i in range(3, 6)]
    assert claims == ["applied", "conflict", "conflict"]
    assert [r["status"] for r in replies] == ["applied"] * 3
    # Every change moved the version on exactly once: 1 + one claim + three replies.
    assert sorted(r["result"]["version"] for r in replies)[-1] <= 5
    with live.client("sue") as client:
        page = client.get("/api/v1/changes", params={"cursor": cursor, "limit": 5000}).json()
    case_rows = [c["data"] for c in page["changes"] if c["entity"] == "case" and c["uid"] == case_uid]
    assert case_rows[-1]["version"] == 5 and case_rows[-1]["assignee_login"] is not None
    assert case_rows[-1]["first_response_at"] is not None


def test_the_writer_commits_waiting_batches_together_and_a_failing_one_fails_alone(databases, caplog):
    """Batches queued while the writer is busy go into one transaction; when that fails (here: a caller whose
    account no longer exists), each batch is retried alone, so only the bad one fails and nothing is written twice."""
    import asyncio
    import dataclasses

    from agent_console.server.writer import OpsWriter

    url = databases.new("sqlite")
    tokens = prepare_database(url)
    clock = FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))
    store = open_server_store(url, clock=clock)
    with store.engine.connect() as conn:
        principals = {login: principal_for(conn, tokens[login], SystemClock().now()) for login in tokens}
    created = new_case_op("General")
    apply_batch(store, clock, principals["sue"], schemas.OpsBatch.model_validate({"ops": [created]}))
    case_uid = created["payload"]["case"]["uid"]
    ghost = dataclasses.replace(principals["racer1"], agent_id=10_000, login="ghost")

    def batch(*ops):
        return schemas.OpsBatch.model_validate({"ops": list(ops)})

    batches = [(principals["racer1"], batch(message_op(case_uid, "one"), message_op(case_uid, "two"))),
               (ghost, batch(message_op(case_uid, "from nobody"))),
               (principals["racer2"], batch(message_op(case_uid, "three", internal=True)))]
    writer = OpsWriter(store, clock)

    async def send_all():
        # Queued before the thread starts: the writer finds all three waiting and tries them as one group.
        pending = [asyncio.ensure_future(writer.apply(principal, b)) for principal, b in batches]
        await asyncio.sleep(0)
        writer.start()
        return await asyncio.gather(*pending, return_exceptions=True)

    try:
        first, failed, third = asyncio.run(send_all())
    finally:
        writer.stop()
    assert [r["status"] for r in first[0]] == ["applied", "applied"]
    assert isinstance(failed, KeyError)
    assert "a group of 3 op batches failed" in caplog.text
    assert [r["status"] for r in third[0]] == ["applied"] and third[1] >= first[1]
    with store.engine.connect() as conn:
        bodies = conn.scalars(select(Message.body).join(Case).where(Case.uid == case_uid).order_by(Message.id)).all()
        versions = [orjson_loads(d)["version"] for d in conn.scalars(
            select(ChangeLogEntry.data).where(ChangeLogEntry.entity == "case", ChangeLogEntry.uid == case_uid)
            .order_by(ChangeLogEntry.seq))]
    store.dispose()
    assert bodies == ["I was charged twice.", "one", "two", "three"]
    assert versions == [1, 3, 4]
