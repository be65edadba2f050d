"""The team server queues the mail of a reply on an e-mail case when it applies the reply op — on the batched path
and on the domain-service path alike, in the op's transaction, with the same rows and the same feed."""

from __future__ import annotations

import uuid

import orjson
import pytest
from sqlalchemy import select

from agent_console.store.models import MailOutbox, Message
from tests.server.conftest import new_case_op
from tests.server.test_fast_path import Twins, message_op

MAIL_FROM = "Support <support@example.com>"
OUTBOX_FIELDS = ("recipient", "subject", "mail_message_id", "in_reply_to", "references", "state", "attempts",
                 "next_attempt_at")


@pytest.fixture(params=["sqlite", "postgresql"])
def mailing_twins(request, databases):
    twins = Twins(databases, request.param)
    for store in twins.stores:
        store.mail_from = MAIL_FROM
    yield twins
    twins.close()


def outbox(store) -> list[dict]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(MailOutbox.__table__).order_by(MailOutbox.id)).mappings().all()
    return [{name: row[name] for name in OUTBOX_FIELDS} for row in rows]


def test_a_reply_applied_by_the_server_is_queued_as_mail_on_both_paths(mailing_twins):
    twins = mailing_twins
    email, phone = new_case_op("General", subject="Invoice twice"), new_case_op("General", channel="phone")
    twins.orm("sue", email, phone)
    email_uid, phone_uid = email["payload"]["case"]["uid"], phone["payload"]["case"]["uid"]
    customer = email["payload"]["customer"]["email"]
    customer_mail_id = f"<{uuid.uuid4().hex}@mail.example.com>"
    for store in twins.stores:  # the customer's first mail, as the intake records it
        with store.transaction() as session:
            first = session.scalars(select(Message).where(Message.uid == email["payload"]["message"]["uid"])).one()
            first.mail_message_id = customer_mail_id

    reply_uid = str(uuid.uuid4())
    results = twins.both_ways("sue", message_op(email_uid, "We refunded it.", message_uid=reply_uid),
                              message_op(email_uid, "internal: refund 4711", internal=True),
                              message_op(phone_uid, "Called back."))
    assert [r["status"] for r in results] == ["applied"] * 3
    twins.assert_same_rows()  # messages (their Message-ID included) and the feed, byte for byte

    fast, orm = outbox(twins.stores[0]), outbox(twins.stores[1])
    assert fast == orm
    [row] = fast
    assert row["recipient"] == customer and row["state"] == "queued" and row["attempts"] == 0
    assert row["mail_message_id"] == f"<ac.{reply_uid}@example.com>"
    assert row["in_reply_to"] == customer_mail_id and row["references"] == customer_mail_id
    assert row["subject"].endswith("]") and "Re: Invoice twice [AC-" in row["subject"]


def test_a_server_without_mail_from_queues_nothing(mailing_twins):
    twins = mailing_twins
    for store in twins.stores:
        store.mail_from = ""
    email = new_case_op("General")
    twins.orm("sue", email)
    twins.both_ways("sue", message_op(email["payload"]["case"]["uid"], "We refunded it."))
    twins.assert_same_rows()
    assert outbox(twins.stores[0]) == outbox(twins.stores[1]) == []


def test_the_feed_carries_the_mail_row_and_a_reply_mailed_by_its_console_is_not_queued_again(mailing_twins):
    twins = mailing_twins
    email = new_case_op("General", subject="Invoice twice")
    twins.orm("sue", email)
    case_uid = email["payload"]["case"]["uid"]
    queued_uid, mailed_uid = str(uuid.uuid4()), str(uuid.uuid4())
    mailed = message_op(case_uid, "Sent by the console while it worked alone.", message_uid=mailed_uid)
    mailed["payload"]["message"]["mailed"] = True
    twins.both_ways("sue", message_op(case_uid, "We refunded it.", message_uid=queued_uid), mailed)
    rows = twins.assert_same_rows()  # the feed's mail rows too, in the same places on both paths
    assert [row["recipient"] for row in outbox(twins.stores[0])] == [email["payload"]["customer"]["email"]]
    [delivery] = [orjson.loads(row["data"]) for row in rows["change_log"] if row["entity"] == "mail_delivery"]
    assert delivery["message_uid"] == queued_uid and delivery["case_uid"] == case_uid
    assert delivery["state"] == "queued" and "message_id" not in delivery and "id" not in delivery
